/**
 * `npm start -- --data DIR` as a user runs it, in a process of its own: a chat started before the
 * process is killed with SIGKILL (no clean stop, nothing flushed on the way out) resumes after a
 * restart, with its participant token and its messages; and what DIR holds (participant tokens, the
 * KMS key) is the user's alone: files 0600, the directory 0700.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnectParticipantClient, CreateParticipantConnectionCommand, GetTranscriptCommand, SendMessageCommand } from "@aws-sdk/client-connectparticipant";
import { expect } from "chai";

/** `npm start -- --port 0 --data dir`, up and answering; its URL. */
async function start(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "local/main.ts", "--port", "0", "--data", dir], {
    env: { ...process.env, LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let errors = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /local stack on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match && output.includes("Ctrl-C")) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`exited early with ${code}: ${errors}`)));
  });
  return { child, url };
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  const [code, signal] = await exited;
  expect([code, signal]).to.deep.equal([null, "SIGKILL"]);
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("npm start --data DIR (a process of its own)", function () {
  this.timeout(120000);
  const running: ChildProcess[] = [];
  after(() => {
    for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  it("resumes a chat after kill -9 and a restart, token and messages included, and keeps DIR to its user (files 0600, directory 0700)", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "connect-chat-data-")), "data");
    const first = await start(dir);
    running.push(first.child);
    const started = await (await fetch(`${first.url}/api/chat`, { method: "POST", body: JSON.stringify({ name: "Kay Nine" }) })).json() as {
      data: { resumeToken: string; startChatResult: { ContactId: string; ParticipantToken: string } };
    };
    const participant = (url: string) => new ConnectParticipantClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    const before = participant(first.url);
    const { ConnectionCredentials } = await before.send(new CreateParticipantConnectionCommand({ ParticipantToken: started.data.startChatResult.ParticipantToken, Type: ["CONNECTION_CREDENTIALS"] }));
    await before.send(new SendMessageCommand({ ConnectionToken: ConnectionCredentials!.ConnectionToken!, ContentType: "text/plain", Content: "written before the kill" }));
    before.destroy();

    // What it wrote holds tokens: nobody but the user reads it, even while it runs.
    expect(modeOf(dir), "the directory").to.equal(0o700);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isFile()) expect(modeOf(path), name).to.equal(0o600);
    }
    expect(readdirSync(dir)).to.include("connect-contacts.json");

    await killHard(first.child);

    // A directory the user made world-readable is closed again at start.
    chmodSync(dir, 0o755);
    const second = await start(dir);
    running.push(second.child);
    expect(modeOf(dir)).to.equal(0o700);
    const resumed = await (await fetch(`${second.url}/api/chat`, { method: "POST", body: JSON.stringify({ name: "Kay Nine", resumeToken: started.data.resumeToken }) })).json() as {
      data: { resumed: boolean; startChatResult: { ContactId: string; ParticipantToken: string } };
    };
    expect(resumed.data.resumed).to.equal(true);
    expect(resumed.data.startChatResult.ContactId).to.equal(started.data.startChatResult.ContactId);
    const after = participant(second.url);
    const again = await after.send(new CreateParticipantConnectionCommand({ ParticipantToken: resumed.data.startChatResult.ParticipantToken, Type: ["CONNECTION_CREDENTIALS"] }));
    const { Transcript } = await after.send(new GetTranscriptCommand({ ConnectionToken: again.ConnectionCredentials!.ConnectionToken!, MaxResults: 100 }));
    after.destroy();
    expect(Transcript!.map((item) => item.Content)).to.include("written before the kill");
    await killHard(second.child);
  });
});
