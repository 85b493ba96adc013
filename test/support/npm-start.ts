/**
 * `npm start`'s program run as a user runs it, in a process of its own (its own environment, as the
 * local stack sets AWS endpoints for its process): waits for the banner, hands over the URL, and
 * stops it with Ctrl-C, which must end it cleanly.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { expect } from "chai";

export interface RunningStack {
  url: string;
  banner: string;
  /** Ctrl-C; resolves with what it wrote to stderr once it exited 0. */
  stop(): Promise<string>;
}

/** Starts `npm start -- <args>` and waits for its banner. */
export async function startNpmStart(args: string[]): Promise<RunningStack> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "local/main.ts", "--port", "0", ...args], {
    env: { ...process.env, LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const stop = async () => {
    child.kill("SIGINT");
    const [code] = child.exitCode === null ? await once(child, "exit") : [child.exitCode];
    expect(code).to.equal(0);
    return errors;
  };
  let banner = "";
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        banner += chunk.toString();
        const match = /local stack on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner);
        if (match && banner.includes("Ctrl-C")) resolve(match[1]);
      });
      child.on("exit", (code) => reject(new Error(`exited early with ${code}: ${errors}`)));
    });
    return { url, banner, stop };
  } catch (error) {
    child.kill("SIGINT");
    throw error;
  }
}

/** Runs `npm start -- <args>` around `use`; returns what it wrote to stderr. */
export async function withNpmStart(args: string[], use: (url: string, banner: string) => Promise<void>): Promise<string> {
  const stack = await startNpmStart(args);
  try {
    await use(stack.url, stack.banner);
  } catch (error) {
    await stack.stop().catch(() => undefined);
    throw error;
  }
  return stack.stop();
}
