/**
 * Structured logging without a library. In Lambda with `logFormat: "JSON"` (set by ChatApi), a
 * single object passed to `console` becomes the `message` of the runtime's JSON record, next to
 * its timestamp, level and request id; elsewhere (the local stack, tests) we print one JSON line.
 * Keys that look like secrets are dropped here, so a careless call site cannot leak a token.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
const levelOrder = ["debug", "info", "warn", "error", "silent"];
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record. */
  child(fields: LogFields): Logger;
}

export type LogSink = (level: LogLevel, record: LogFields) => void;

const secretKey = /token|secret|password|authorization/i;

/**
 * Lambda filters records itself (ChatApi's `applicationLogLevel`); `LOG_LEVEL` does it for the
 * local stack and the tests.
 */
export function consoleSink(level: LogLevel, record: LogFields): void {
  if (levelOrder.indexOf(level) < levelOrder.indexOf(process.env.LOG_LEVEL ?? "info")) return;
  const structuredRuntime = process.env.AWS_LAMBDA_LOG_FORMAT === "JSON";
  console[level](structuredRuntime ? record : JSON.stringify({ level, ...record }));
}

export function createLogger(sink: LogSink = consoleSink, base: LogFields = {}): Logger {
  const write = (level: LogLevel, message: string, fields: LogFields = {}) => {
    const record: LogFields = { message };
    for (const [key, value] of Object.entries({ ...base, ...fields })) {
      if (!secretKey.test(key)) record[key] = value instanceof Error ? describeError(value) : value;
    }
    sink(level, record);
  };
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
    child: (fields) => createLogger(sink, { ...base, ...fields }),
  };
}

/** Name, message and status of an error: enough to act on, without a stack or a request dump. */
function describeError(error: Error): LogFields {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return { name: error.name, message: error.message, ...(status ? { status } : {}) };
}
