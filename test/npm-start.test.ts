/** `npm start` as a newcomer runs it: it says where it is, answers, and stops cleanly on Ctrl-C. */
import { spawn } from "node:child_process";
import { randomUUID as randomToken } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "./support/browser";
import { withNpmStart } from "./support/npm-start";

const post = async (url: string, body: unknown) => (await fetch(`${url}/api/chat`, { method: "POST", body: JSON.stringify(body) })).json();

interface ChatAnswer {
  data: { startChatResult: { ContactId: string; ParticipantToken: string }; featurePermissions: { ATTACHMENTS: boolean }; resumed: boolean };
  error: { code: string };
}

/** The start-chat API with a status, and a bearer token when given. */
async function startChat(url: string, body: unknown, token?: string): Promise<{ status: number; body: ChatAnswer }> {
  const response = await fetch(`${url}/api/chat`, { method: "POST", headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/** One participant service call as ChatJS makes it. */
async function participantCall(url: string, operation: string, bearer: string, body: unknown): Promise<{ status: number; body: { ConnectionCredentials: { ConnectionToken: string } } }> {
  const response = await fetch(`${url}/participant/${operation}`, { method: "POST", headers: { "content-type": "application/json", "x-amz-bearer": bearer }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/** A connection token for a participant token. */
async function connect(url: string, participantToken: string): Promise<string> {
  const { body } = await participantCall(url, "connection", participantToken, { Type: ["WEBSOCKET", "CONNECTION_CREDENTIALS"] });
  return body.ConnectionCredentials.ConnectionToken;
}

/** An agent's accepted chat, through the agent console's API: the agent's participant token. */
async function accept(url: string, agent: string, contactId: string): Promise<string> {
  const response = await fetch(`${url}/agent-api/contacts/${contactId}/accept?agent=${agent}`, { method: "POST" });
  return ((await response.json()) as { participantToken: string }).participantToken;
}

const listPicker = JSON.stringify({ templateType: "ListPicker", version: "1.0", data: { content: { title: "Which order?", elements: [{ title: "Order 1001" }, { title: "Order 1002" }] } } });
const interactiveType = "application/vnd.amazonaws.connect.message.interactive";

/** Sets the fault switches of a running `npm start`. */
async function faults(url: string, body: unknown, method = "POST"): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/local/faults`, { method, headers: { "content-type": "application/json" }, ...(method === "POST" && { body: JSON.stringify(body) }) });
  return { status: response.status, body: await response.json() };
}

describe("npm start", () => {
  it("says where everything is, serves the API and the pages, and exits 0 on Ctrl-C", async () => {
    await withNpmStart([], async (url, banner) => {
      expect(banner).to.include(`${url}/agent`).and.include(`curl -s ${url}/api/chat`);
      const first = await post(url, { ParticipantDetails: { DisplayName: "Ana" }, Username: "jdoe" });
      const again = await post(url, { name: "Ana", resumeToken: first.data.resumeToken });
      expect(again.data.resumed).to.equal(true);
      expect(again.data.startChatResult).to.deep.equal(first.data.startChatResult);
      for (const page of ["/", "/agent"]) expect((await fetch(`${url}${page}`)).status, page).to.equal(200);
    });
  });

  it("keeps the console clean: no warning blocks, at most one line about an unsupported Node.js", async () => {
    const errors = await withNpmStart([], async (url) => {
      await post(url, { name: "Ana" });
    });
    expect(errors).to.not.match(/Warning/);
    const lines = errors.split("\n").filter(Boolean);
    expect(lines.length, errors).to.be.at.most(1);
    expect(lines.every((line) => line.startsWith("Note: connect-chat supports Node.js 22 or later")), errors).to.equal(true);
  });

  it("documents its options in --help", async () => {
    const { execFileSync } = await import("node:child_process");
    const help = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "local/main.ts", "--help"], { encoding: "utf8", env: { ...process.env, LOG_LEVEL: "silent" } });
    for (const option of ["--attachments", "--interactive", "--signed-in"]) expect(help).to.include(option);
    expect(help).to.include("/local/faults");
  });

  it("with --attachments, the API reports attachments on and the participant service takes them; without it, neither", async () => {
    await withNpmStart(["--attachments"], async (url, banner) => {
      expect(banner).to.match(/Attachments on/);
      const { body } = await startChat(url, { name: "Ana" });
      expect(body.data.featurePermissions.ATTACHMENTS).to.equal(true);
      const connection = await connect(url, body.data.startChatResult.ParticipantToken);
      const upload = await participantCall(url, "start-attachment-upload", connection, { AttachmentName: "receipt.pdf", AttachmentSizeInBytes: 10, ContentType: "application/pdf", ClientToken: "a" });
      expect(upload.status, JSON.stringify(upload.body)).to.equal(200);
    });
    await withNpmStart([], async (url, banner) => {
      expect(banner).to.not.match(/Attachments on/);
      const { body } = await startChat(url, { name: "Ana" });
      expect(body.data.featurePermissions.ATTACHMENTS).to.equal(false);
      const connection = await connect(url, body.data.startChatResult.ParticipantToken);
      const upload = await participantCall(url, "start-attachment-upload", connection, { AttachmentName: "receipt.pdf", AttachmentSizeInBytes: 10, ContentType: "application/pdf", ClientToken: "a" });
      expect(upload.status).to.equal(403);
    });
  });

  it("with --signed-in, the API wants the printed token, and the token's customer gets their chat back anywhere", async () => {
    let browser: Browser | undefined;
    try {
      await withNpmStart(["--signed-in"], async (url, banner) => {
        const token = /\b(eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+)/.exec(banner)?.[1];
        expect(token, banner).to.be.a("string");
        expect(banner).to.include(`${url}/signed-in`);
        const claims = JSON.parse(Buffer.from(token!.split(".")[1], "base64url").toString());
        expect(claims).to.include({ sub: "demo-customer", aud: "connect-chat-local" });
        expect(claims.exp - Date.now() / 1000).to.be.within(3600, 24 * 3600);
        expect(JSON.parse(Buffer.from(token!.split(".")[0], "base64url").toString()).alg).to.equal("RS256");

        expect((await startChat(url, { name: "Demo" })).status).to.equal(401);
        expect((await startChat(url, { name: "Demo" }, `${token}x`)).status).to.equal(401);
        const first = await startChat(url, { name: "Demo" }, token);
        expect(first.status).to.equal(200);
        expect(first.body.data.resumed).to.equal(false);
        const again = await startChat(url, { name: "Demo" }, token);
        expect(again.body.data.resumed).to.equal(true);
        expect(again.body.data.startChatResult.ContactId).to.equal(first.body.data.startChatResult.ContactId);

        // The local signed-in page sends the token: a browser with nothing stored (another
        // device) gets the same chat back.
        browser = await launchChromium();
        const page = await (await browser.newContext()).newPage();
        const answered = page.waitForResponse((response) => response.url().endsWith("/api/chat"));
        await page.goto(`${url}/signed-in`);
        await page.getByLabel("Your name").fill("Demo");
        await page.getByRole("button", { name: "Start chat" }).click();
        const response = await answered;
        expect(response.request().headers().authorization).to.equal(`Bearer ${token}`);
        expect((await response.json()).data.startChatResult.ContactId).to.equal(first.body.data.startChatResult.ContactId);
        await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
      });
    } finally {
      await browser?.close();
    }
  });

  it("with --interactive, the agent console sends a list picker and the customer picks from it (Chromium)", async () => {
    let browser: Browser | undefined;
    try {
      await withNpmStart(["--interactive"], async (url, banner) => {
        expect(banner).to.match(/Interactive messages on/);
        browser = await launchChromium();
        const open = async (path: string, width: number): Promise<Page> => {
          const page = await (await browser!.newContext({ viewport: { width, height: 800 } })).newPage();
          await page.goto(`${url}${path}`);
          return page;
        };
        const customer = await open("/", 700);
        await customer.getByLabel("Your name").fill("Ana Lima");
        await customer.getByLabel("Agent username").fill("jdoe");
        await customer.getByRole("button", { name: "Start chat" }).click();
        await customer.getByRole("status").filter({ hasText: "Connected" }).waitFor();

        const agent = await open("/agent", 1100);
        await agent.getByLabel("Sign in as").selectOption("jdoe");
        await agent.getByRole("button", { name: "Sign in" }).click();
        await agent.getByRole("button", { name: "Accept chat from Ana Lima (asked for you)" }).click();
        await agent.getByRole("textbox", { name: "Reply" }).waitFor();
        await agent.getByText("Send a picker").click();
        await agent.getByLabel("Picker").selectOption("ListPicker");
        await agent.getByLabel("Question").fill("Which order?");
        await agent.getByLabel("Choices").fill("Order 1001\nOrder 1002");
        await agent.getByRole("button", { name: "Send picker" }).click();

        const choices = customer.getByRole("group", { name: "Which order?" });
        await choices.getByRole("button", { name: "Order 1002" }).click();
        // The pick comes back to the agent as the customer's message.
        await agent.getByRole("log", { name: "Messages" }).locator(".cc-customer").getByText("Order 1002", { exact: true }).waitFor();
      });
    } finally {
      await browser?.close();
    }
  });

  it("takes interactive messages from agents only, and only with --interactive", async () => {
    const tryBoth = async (url: string) => {
      const { body } = await startChat(url, { name: "Ana", agent: "jdoe" });
      const customer = await connect(url, body.data.startChatResult.ParticipantToken);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the flow routes the chat
      const agent = await connect(url, await accept(url, "jdoe", body.data.startChatResult.ContactId));
      const send = (token: string) => participantCall(url, "message", token, { ContentType: interactiveType, Content: listPicker, ClientToken: randomToken() });
      return { fromAgent: (await send(agent)).status, fromCustomer: (await send(customer)).status };
    };
    await withNpmStart(["--interactive"], async (url) => {
      expect(await tryBoth(url)).to.deep.equal({ fromAgent: 200, fromCustomer: 400 });
    });
    await withNpmStart([], async (url) => {
      expect(await tryBoth(url)).to.deep.equal({ fromAgent: 400, fromCustomer: 400 });
    });
  });

  it("switches faults at run time: Connect throttling, DynamoDB failing, dropped websockets", async () => {
    await withNpmStart([], async (url, banner) => {
      expect(banner).to.include(`${url}/local/faults`);
      expect((await faults(url, { throttle: true, operations: ["StartChatContact"] })).status).to.equal(200);
      const throttled = await startChat(url, { name: "Ana" });
      expect(throttled.status).to.equal(429);
      expect(throttled.body.error.code).to.equal("THROTTLED");
      expect((await faults(url, { throttle: false })).body).to.include({ throttle: false });
      expect((await startChat(url, { name: "Ana" })).status).to.equal(200);

      await faults(url, { dynamodb: "fail" });
      expect((await startChat(url, { name: "Ben" })).status).to.be.at.least(500);
      await faults(url, {}, "DELETE");
      expect((await startChat(url, { name: "Ben" })).status).to.equal(200);

      const dropped = await faults(url, { dropConnections: true });
      expect(dropped.status).to.equal(200);
      expect(dropped.body.droppedConnections).to.equal(true);
      // Switches it does not know are refused, not ignored.
      expect((await faults(url, { throtle: true })).status).to.equal(400);
    });
  });

  it("with --data, keeps chats across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "connect-chat-data-"));
    let first: { data: { resumeToken: string; startChatResult: unknown } } | undefined;
    await withNpmStart(["--data", dir], async (url) => {
      first = await post(url, { name: "Ana" });
    });
    await withNpmStart(["--data", dir], async (url) => {
      const again = await post(url, { name: "Ana", resumeToken: first!.data.resumeToken });
      expect(again.data.resumed).to.equal(true);
      expect(again.data.startChatResult).to.deep.equal(first!.data.startChatResult);
    });
  });
});

/** `npm start -- <args>` run to its end (one that cannot start): its exit code, and what it printed, without the note about an older Node.js. */
async function runToEnd(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "local/main.ts", ...args], {
    env: { ...process.env, LOG_LEVEL: "silent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  // One that starts after all is stopped, and fails the test on its exit code.
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  const note = /^Note: connect-chat supports Node\.js/;
  return { code, stdout, stderr: stderr.split("\n").filter((line) => line && !note.test(line)).join("\n") };
}

describe("npm start's command line: when it cannot start, one sentence with the fix and exit code 1; --help", () => {
  it("refuses a port that is not a whole number from 0 to 65535, from --port or PORT", async () => {
    for (const [args, env, shown] of [
      [["--port", "abc"], {}, "abc"],
      [["--port", "70000"], {}, "70000"],
      [["--port", "80.5"], {}, "80.5"],
      [[], { PORT: "abc" }, "abc"],
    ] as const) {
      const { code, stderr } = await runToEnd([...args], env);
      expect(code, stderr).to.equal(1);
      expect(stderr).to.equal(`PORT must be a whole number from 0 to 65535, got ${shown}`);
    }
  });

  it("says when the port is in use, and how to pick another", async () => {
    const { createServer } = await import("node:net");
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, stderr } = await runToEnd(["--port", String(port)]);
      expect(code, stderr).to.equal(1);
      expect(stderr).to.equal(`Port ${port} is in use (another npm start?). Stop it, or pick another port: npm start -- --port ${port + 1}`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("refuses an unknown option with parseArgs' own message and a pointer to --help", async () => {
    const { code, stderr } = await runToEnd(["--prot", "8081"]);
    expect(code, stderr).to.equal(1);
    expect(stderr).to.equal("Unknown option '--prot'\nnpm start -- --help lists the options.");
  });

  it("lists its options in --help, exits 0, and parses every option it lists", async () => {
    const help = await runToEnd(["--help"]);
    expect(help.code, help.stderr).to.equal(0);
    expect(help.stdout).to.match(/^Usage: npm start -- \[options\]/);
    for (const row of [/^ {2}--port N {2,}\S/m, /^ {2}--data DIR {2,}\S/m, /^ {2}--allow-origin ORIGIN {2,}\S/m, /^ {2}-h, --help {2,}\S/m]) expect(help.stdout).to.match(row);
    // The parser and the help read one table: every option the help lists parses.
    const listed = [...help.stdout.matchAll(/^ {2}(?:-\w, )?--([\w-]+)( [A-Z]+)? {2,}/gm)].flatMap(([, name, value]) => (value ? [`--${name}`, "x"] : [`--${name}`]));
    expect(listed).to.include.members(["--port", "--data", "--allow-origin", "--help"]);
    const all = await runToEnd(listed);
    expect(all.code, all.stderr).to.equal(0);
    expect(all.stdout).to.equal(help.stdout);
  });
});
