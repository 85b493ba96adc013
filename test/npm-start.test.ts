/** `npm start` as a newcomer runs it: it says where it is, answers, and stops cleanly on Ctrl-C. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { expect } from "chai";

describe("npm start", () => {
  it("serves the start-chat API, resumes by token, and exits 0 on SIGINT", async () => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "local/main.ts", "--port", "0"], {
      env: { ...process.env, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let banner = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          banner += chunk.toString();
          const match = /local stack on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner);
          if (match && banner.includes("Ctrl-C")) resolve(match[1]);
        });
        child.on("exit", (code) => reject(new Error(`exited early with ${code}`)));
      });
      expect(banner).to.include(`curl -s ${url}/api/chat`);

      const post = async (body: unknown) => (await fetch(`${url}/api/chat`, { method: "POST", body: JSON.stringify(body) })).json();
      const first = await post({ ParticipantDetails: { DisplayName: "Ana" }, Username: "jdoe" });
      const again = await post({ name: "Ana", resumeToken: first.data.resumeToken });
      expect(again.data.resumed).to.equal(true);
      expect(again.data.startChatResult).to.deep.equal(first.data.startChatResult);
    } finally {
      child.kill("SIGINT");
    }
    const [code] = await once(child, "exit");
    expect(code).to.equal(0);
  });
});
