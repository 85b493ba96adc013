/**
 * The whole system in real Chromium: the customer page and the agent console, both on ChatJS,
 * against the local stack (start-chat handler, Connect emulator running our flows, dynalite,
 * transcripts to the transcript-landed handler). No stand-in client anywhere.
 */
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { sha256 } from "../handlers/start-chat/customer";
import type { LocalStack } from "../local/stack";
import { artifactsDir, launchChromium } from "./support/browser";
import { localStack } from "./support/hooks";
import { captureLogs, type CapturedLogs } from "./support/logs";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";

describe("end to end (Chromium, customer and agent)", function () {
  this.timeout(60000);
  let stack: LocalStack;
  let browser: Browser;
  let logs: CapturedLogs;
  const pages: Page[] = [];
  const resumeTokens = new Set<string>();

  before(async () => {
    stack = await localStack();
    browser = await launchChromium();
    logs = captureLogs();
  });
  after(async () => {
    await browser?.close();
    logs.restore();
  });
  afterEach(async () => {
    stack.emulator.setFaults({});
    expect(stack.flowErrors).to.deep.equal([]);
    for (const page of pages.splice(0)) {
      for (const saved of await page.evaluate(() => Object.values(localStorage))) {
        const token = (JSON.parse(saved) as { resumeToken?: string }).resumeToken;
        if (token) resumeTokens.add(token);
      }
      await page.context().close();
    }
  });

  /** A page in a browser profile of its own: its own localStorage, like another person's browser. */
  async function open(path: string, width = 700): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    pages.push(page);
    await page.goto(`${stack.url}${path}`);
    return page;
  }

  async function customer(name: string, agent?: string): Promise<Page> {
    const page = await open("/");
    await page.getByLabel("Your name").fill(name);
    if (agent) await page.getByLabel("Agent username").fill(agent);
    await page.getByRole("button", { name: "Start chat" }).click();
    await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
    await page.getByText("Hi, you are being put into queue.").waitFor();
    return page;
  }

  async function agentConsole(username: string): Promise<Page> {
    const page = await open("/agent", 1100);
    await page.getByLabel("Sign in as").selectOption(username);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Waiting chats" }).waitFor();
    return page;
  }

  const log = (page: Page) => page.getByRole("log", { name: "Messages" });
  const say = async (page: Page, box: "Message" | "Reply", text: string) => {
    await page.getByRole("textbox", { name: box }).fill(text);
    await page.getByRole("button", { name: "Send" }).click();
  };

  it("goes from start to agent to reload to end to a new chat that shows the past one", async () => {
    const ana = await customer("Ana Lima", "jdoe");
    const jane = await agentConsole("jdoe");
    await jane.getByRole("button", { name: "Accept chat from Ana Lima (asked for you)", exact: true }).click();
    await ana.getByText("Jane Doe joined the chat").waitFor();

    // Typing and messages both ways, markdown from the agent, read receipts.
    await jane.getByRole("textbox", { name: "Reply" }).pressSequentially("Hello Ana, **how** can I help?");
    await ana.getByText("Jane Doe is typing…").waitFor();
    await jane.getByRole("button", { name: "Send" }).click();
    await log(ana).locator("strong", { hasText: "how" }).waitFor();
    await ana.getByRole("textbox", { name: "Message" }).pressSequentially("My order");
    await jane.getByText("Ana Lima is typing…").waitFor();
    await ana.getByRole("button", { name: "Send" }).click();
    await log(jane).getByText("My order").waitFor();
    await log(ana).locator(".cc-customer").filter({ hasText: "My order" }).getByText("Read").waitFor({ timeout: 15000 });
    await ana.screenshot({ path: `${artifactsDir}/customer-chat.png` });

    // A reload lands in the same chat, with its history.
    const contactBefore = await ana.evaluate(() => Object.values(localStorage).join());
    await ana.reload();
    await ana.getByRole("status").filter({ hasText: "Connected" }).waitFor();
    await log(ana).getByText("My order").waitFor();
    expect(await ana.evaluate(() => Object.values(localStorage).join())).to.equal(contactBefore);

    // The agent leaves: the disconnect flow tells the customer and waits for them.
    await jane.getByRole("button", { name: "End chat" }).click();
    await ana.getByText("Jane Doe left the chat").waitFor();
    await ana.getByText("The agent has left the chat.", { exact: false }).waitFor();

    // The chat ends on Connect's side (here the emulator ends it, as the disconnect flow's wait
    // running out would): the transcript lands and marks the chat ended.
    const token = await ana.evaluate(() => (JSON.parse(Object.values(localStorage)[0]) as { resumeToken: string }).resumeToken);
    const chatOf = async () => {
      const dynamo = new DynamoDBClient({});
      const { Item } = await dynamo.send(new GetItemCommand({ TableName: stack.settings.chatsTableName, Key: { customerKey: { S: `anon#${sha256(token)}` } } }));
      dynamo.destroy();
      return Item!;
    };
    stack.emulator.endContact((await chatOf()).contactId.S!);
    await ana.getByRole("button", { name: "Start a new chat" }).waitFor();
    // Ended, and it looks it: no green "connected" dot beside "Chat ended".
    const ended = ana.getByRole("status").filter({ hasText: "Chat ended" });
    expect(await ended.evaluate((element) => getComputedStyle(element, "::before").content)).to.be.oneOf(["none", "normal"]);
    await stack.transcripts.settled();
    const item = await chatOf();
    expect(item.chatStatus.S).to.equal("ended");
    expect(item.transcriptLocation.S).to.match(/^s3:\/\/connect-chat-local-transcripts\/connect\/local\/ChatTranscripts\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]+_\d{8}T\d{2}:\d{2}_UTC\.json$/);

    // A new chat, without reloading, carries the past conversation along.
    await ana.getByRole("button", { name: "Start a new chat" }).click();
    expect(await ana.getByLabel("Your name").inputValue()).to.equal("Ana Lima");
    // The agent she asked for, too, though the page was reloaded since she typed it.
    expect(await ana.getByLabel("Agent username").inputValue()).to.equal("jdoe");
    await ana.getByRole("button", { name: "Start chat" }).click();
    await ana.getByRole("status").filter({ hasText: "Connected" }).waitFor();
    await log(ana).getByText("Hello Ana,", { exact: false }).waitFor();
    await log(ana).getByText("My order").waitFor();
    // Connect ends this one too, so that it waits for nobody in the tests after this one.
    for (const contact of stack.emulator.contacts()) {
      if (!contact.disconnectTimestamp && contact.participants[0].displayName === "Ana Lima") stack.emulator.endContact(contact.id);
    }
    await ana.getByRole("button", { name: "Start a new chat" }).waitFor();
  });

  it("on a shared computer, leaves nothing of a chat its customer ended for the next person (SECURITY.md: shared devices)", async () => {
    const ana = await customer("Ana Lima", "jdoe");
    const jane = await agentConsole("jdoe");
    await jane.getByRole("button", { name: "Accept chat from Ana Lima (asked for you)", exact: true }).click();
    await say(jane, "Reply", "Your card ending 4242 is blocked");
    await log(ana).getByText("Your card ending 4242 is blocked").waitFor();
    await ana.getByRole("button", { name: "End chat" }).click();
    await ana.getByRole("button", { name: "Start a new chat" }).waitFor();
    await stack.transcripts.settled();
    expect(await ana.evaluate(() => Object.values(localStorage).join())).to.not.include("resumeToken");

    // The next person, in the same browser: a reload does not reopen it, the form is blank, and
    // their new chat carries nothing of Ana's along.
    await ana.reload();
    await ana.getByRole("button", { name: "Start chat" }).waitFor();
    expect(await ana.getByLabel("Your name").inputValue()).to.equal("");
    await ana.getByLabel("Your name").fill("Ben Cho");
    await ana.getByRole("button", { name: "Start chat" }).click();
    await ana.getByRole("status").filter({ hasText: "Connected" }).waitFor();
    await ana.getByText("Hi, you are being put into queue.").waitFor();
    await stack.transcripts.settled();
    expect(await log(ana).innerText()).to.not.include("4242");
  });

  it("keeps two customers with the same name and agent apart", async () => {
    const first = await customer("Sam Park", "asmith");
    const second = await customer("Sam Park", "asmith");
    const alex = await agentConsole("asmith");
    await alex.getByRole("button", { name: "Accept chat from Sam Park (asked for you)", exact: true }).first().click();
    await say(alex, "Reply", "Only for the first Sam");
    const [a, b] = [first, second];
    const whoGotIt = await Promise.race([
      log(a).getByText("Only for the first Sam").waitFor().then(() => a),
      log(b).getByText("Only for the first Sam").waitFor().then(() => b),
    ]);
    const other = whoGotIt === a ? b : a;
    await other.waitForTimeout(1000);
    expect(await log(other).getByText("Only for the first Sam").count()).to.equal(0);
  });

  it("routes a chat for an unknown agent to the default queue, offered to every agent", async () => {
    const cy = await customer("Cy Young", "nobody.here");
    const alex = await agentConsole("asmith");
    await alex.getByRole("button", { name: "Accept chat from Cy Young", exact: true }).click();
    await cy.getByText("Alex Smith joined the chat").waitFor();
  });

  it("shows a dropped connection and comes back on its own, messages included", async () => {
    const dee = await customer("Dee Ray", "jdoe");
    const jane = await agentConsole("jdoe");
    await jane.getByRole("button", { name: "Accept chat from Dee Ray (asked for you)", exact: true }).click();
    await dee.getByText("Jane Doe joined the chat").waitFor();
    await dee.context().setOffline(true);
    await dee.getByRole("status").filter({ hasText: /offline|Reconnecting/ }).waitFor();
    await dee.context().setOffline(false);
    stack.participants.dropConnections();
    await dee.getByRole("status").filter({ hasText: "Connected" }).waitFor({ timeout: 20000 });
    await say(jane, "Reply", "Still there?");
    await log(dee).getByText("Still there?").waitFor({ timeout: 20000 });
  });

  it("logged nothing that opens a chat: no participant, connection or resume token", async () => {
    await stack.transcripts.settled();
    const everything = logs.lines.join("\n");
    // The capture saw the handlers at work: starting, resuming, and ending chats by transcript.
    expect(logs.records().map((r) => r.message)).to.include.members(["chat started", "chat resumed", "transcript landed"]);
    const participantTokens = stack.emulator.contacts().flatMap((contact) => contact.participants.map((p) => p.token));
    const tokens = [...participantTokens, ...stack.participants.issuedConnectionTokens(), ...resumeTokens];
    expect(resumeTokens.size).to.be.greaterThan(3);
    for (const token of tokens) expect(everything.includes(token), "a token in the logs").to.equal(false);
  });

  it("never runs what an agent sends", async () => {
    const eve = await customer("Eve Moss", "jdoe");
    const jane = await agentConsole("jdoe");
    await jane.getByRole("button", { name: "Accept chat from Eve Moss (asked for you)", exact: true }).click();
    const attacks = [
      "<script>window.pwned=1</script>",
      "<img src=x onerror=window.pwned=1>",
      "[win a prize](javascript:window.pwned=1)",
      "**<svg onload=window.pwned=1>**",
      "[ok](https://example.com/help)",
    ];
    for (const attack of attacks) await say(jane, "Reply", attack);
    await log(eve).getByRole("link", { name: "ok" }).waitFor();
    const seen = await eve.evaluate(() => {
      const log = document.querySelector(".cc-log")!;
      return {
        pwned: (window as unknown as { pwned?: number }).pwned,
        dangerous: log.querySelectorAll("script, img, svg, iframe").length,
        hrefs: [...log.querySelectorAll("a")].map((a) => a.getAttribute("href")),
        text: log.textContent,
      };
    });
    expect(seen.pwned).to.equal(undefined);
    expect(seen.dangerous).to.equal(0);
    expect(seen.hrefs).to.deep.equal(["https://example.com/help"]);
    expect(seen.text).to.include("<script>window.pwned=1</script>");
  });
});
