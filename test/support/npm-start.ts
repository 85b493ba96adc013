/**
 * `npm start`'s program run as a user runs it, in a process of its own (its own environment, as the
 * local stack sets AWS endpoints for its process): waits for the banner, hands over the URL, and
 * stops it with Ctrl-C, which must end it cleanly.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { expect } from "chai";

/** Runs `npm start -- <args>` around `use`; returns what it wrote to stderr. */
export async function withNpmStart(args: string[], use: (url: string, banner: string) => Promise<void>): Promise<string> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "local/main.ts", "--port", "0", ...args], {
    env: { ...process.env, LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  try {
    let banner = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        banner += chunk.toString();
        const match = /local stack on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner);
        if (match && banner.includes("Ctrl-C")) resolve(match[1]);
      });
      child.on("exit", (code) => reject(new Error(`exited early with ${code}: ${errors}`)));
    });
    await use(url, banner);
  } finally {
    child.kill("SIGINT");
  }
  const [code] = await once(child, "exit");
  expect(code).to.equal(0);
  return errors;
}
