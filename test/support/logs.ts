/** Captures what the code under test writes through `console`, so tests can read the logs. */
const levels = ["debug", "info", "log", "warn", "error"] as const;

export interface CapturedLogs {
  lines: string[];
  /** The captured lines parsed as JSON records. */
  records(): Record<string, unknown>[];
  restore(): void;
}

export function captureLogs(): CapturedLogs {
  const logLevel = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = "debug";
  const originals = levels.map((level) => [level, console[level]] as const);
  const lines: string[] = [];
  for (const level of levels) {
    console[level] = (...args: unknown[]) => {
      lines.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
    };
  }
  return {
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      process.env.LOG_LEVEL = logLevel;
      for (const [level, original] of originals) console[level] = original;
    },
  };
}
