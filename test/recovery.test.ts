/**
 * The customer's chat comes back by itself after the network goes away for minutes (a laptop that
 * sleeps, Wi-Fi that drops), in real Chromium, with what the agent wrote meanwhile, and no reload.
 *
 * Each way ChatJS (amazon-connect-chatjs 5) meets an outage, made in the browser:
 * - the websocket closes while offline: ChatJS reconnects when back online (onConnectionLost, then
 *   onConnectionEstablished) but fetches nothing sent in between;
 * - the websocket goes silent (half-open): ChatJS misses a heartbeat and swaps in a new websocket
 *   without a Lost or Established event, again fetching nothing;
 * - an offline spell catches a heartbeat in flight: ChatJS stops sending heartbeats and never
 *   reconnects, though the socket looks open;
 * - CreateParticipantConnection fails once: ChatJS gives up for good (onConnectionBroken).
 *
 * `context.setOffline` holds an open websocket's frames rather than closing it, so a closed or a
 * silent socket is made on purpose: the stack's dropConnections, or page.routeWebSocket dropping the
 * first socket's frames. ChatJS's timers (heartbeat every 10 s) run on page.clock, fast-forwarded as
 * a laptop lid would (fastForward fires each due timer once), so minutes pass in a few real seconds.
 */
import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { LocalStack } from "../local/stack";
import { acceptChat } from "./support/agent";
import { launchChromium } from "./support/browser";
import { localStack } from "./support/hooks";

describe("recovery after the network goes away (Chromium, fake time)", function () {
  this.timeout(60_000);
  let stack: LocalStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    stack = await localStack();
    browser = await launchChromium();
  });
  after(async () => browser?.close());
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const log = (page: Page) => page.getByRole("log", { name: "Messages" });
  const status = (page: Page, text: string) => page.getByRole("status").filter({ hasText: text });

  /**
   * A customer on fake time who asked for jdoe, with the page's websockets routed through the test:
   * `silence()` drops every frame of the websocket open now, both ways, as a dead TCP connection would.
   */
  async function customer(name: string): Promise<{ page: Page; contactId: string; silence(): void; sockets(): number }> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.clock.install();
    let opened = 0;
    let silenced = 0;
    await page.routeWebSocket(/\/participant\/ws/, (ws) => {
      const n = ++opened;
      const server = ws.connectToServer();
      ws.onMessage((message) => void (n !== silenced && server.send(message)));
      server.onMessage((message) => void (n !== silenced && ws.send(message)));
      ws.onClose(() => server.close());
      // A dead connection brings no close either.
      server.onClose(() => void (n !== silenced && ws.close()));
    });
    await page.goto(stack.url);
    await page.getByLabel("Your name").fill(name);
    await page.getByLabel("Agent username").fill("jdoe");
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/chat"));
    await page.getByRole("button", { name: "Start chat" }).click();
    const contactId = (await (await answer).json()).data.startChatResult.ContactId as string;
    await status(page, "Connected").waitFor();
    return { page, contactId, silence: () => void (silenced = opened), sockets: () => opened };
  }

  /** jdoe accepts the customer's chat and writes through the participant service (support/agent.ts). */
  const agent = async (name: string) => (await acceptChat(stack.url, name)).say;

  /** Minutes pass as for a closed lid: each due timer fires once, with a moment of real time after for the network. */
  async function lid(page: Page, ...steps: number[]): Promise<void> {
    for (const ms of steps) {
      await page.clock.fastForward(ms);
      await pause(300);
    }
  }

  it("shows what the agent wrote while the websocket was closed, once back online", async () => {
    const { page } = await customer("Bea Closed");
    const say = await agent("Bea Closed");
    await say("Before the lid closed");
    await log(page).getByText("Before the lid closed").waitFor();
    await page.context().setOffline(true);
    stack.participants.dropConnections();
    await status(page, "You are offline").waitFor();
    await say("Written while you were away");
    await lid(page, 120_000);
    await page.context().setOffline(false);
    await status(page, "Connected").waitFor({ timeout: 10_000 });
    await log(page).getByText("Written while you were away").waitFor({ timeout: 10_000 });
  });

  it("shows what the agent wrote into a websocket that went silent (ChatJS swaps sockets without a word)", async () => {
    const { page, silence, sockets } = await customer("Dot Halfopen");
    const say = await agent("Dot Halfopen");
    silence();
    await say("Written into the silent socket");
    // A heartbeat goes out and is not answered; at the next one ChatJS opens a new websocket.
    await lid(page, 10_000, 10_000, 10_000);
    await log(page).getByText("Written into the silent socket").waitFor({ timeout: 15_000 });
    expect(sockets()).to.equal(2);
    expect(await page.getByRole("status").textContent()).to.equal("Connected");
  });

  it("reconnects by itself when an offline spell leaves ChatJS with a silent socket and no heartbeat", async () => {
    const { page, silence, sockets } = await customer("Eve Zombie");
    const say = await agent("Eve Zombie");
    silence();
    await page.context().setOffline(true);
    // A heartbeat goes out while offline; at the next, ChatJS stops its heartbeat and, offline, does not reconnect.
    await lid(page, 10_000, 10_000);
    await say("Written while the lid was closed");
    await lid(page, 120_000);
    await page.context().setOffline(false);
    await status(page, "Connected").waitFor();
    await lid(page, 30_000);
    await log(page).getByText("Written while the lid was closed").waitFor({ timeout: 10_000 });
    await status(page, "Connected").waitFor();
    expect(sockets()).to.equal(2);
    await say("And after");
    await log(page).getByText("And after").waitFor();
  });

  it("comes back without a click after ChatJS gives up (CreateParticipantConnection failed once)", async () => {
    const { page } = await customer("Cid Broken");
    const say = await agent("Cid Broken");
    await page.route("**/participant/connection", (route) => route.abort("internetdisconnected"));
    stack.participants.dropConnections();
    await status(page, "Connection lost").waitFor();
    await page.getByRole("button", { name: "Reconnect" }).waitFor();
    await say("Written while the chat was lost");
    await page.unroute("**/participant/connection");
    // Tries again by itself: within 2 s the first time, then less often (up to a minute).
    await lid(page, 2_000, 4_000);
    await status(page, "Connected").waitFor({ timeout: 10_000 });
    await log(page).getByText("Written while the chat was lost").waitFor({ timeout: 10_000 });
    expect(await page.getByRole("button", { name: "Reconnect" }).isVisible()).to.equal(false);
  });

  it("shows a chat that ended while the lid was closed as ended, and starts no new one", async () => {
    const { page, contactId, silence } = await customer("Ida Ended");
    await agent("Ida Ended");
    silence();
    await page.context().setOffline(true);
    await lid(page, 10_000, 10_000);
    stack.emulator.endContact(contactId);
    const contacts = stack.emulator.contacts().length;
    await lid(page, 120_000);
    await page.context().setOffline(false);
    await lid(page, 30_000);
    await status(page, "Chat ended").waitFor({ timeout: 10_000 });
    await page.getByRole("button", { name: "Start a new chat" }).waitFor();
    await lid(page, 60_000);
    expect(stack.emulator.contacts().length).to.equal(contacts);
  });

  it("does not say offline once back online", async () => {
    const { page } = await customer("Olive Online");
    await page.context().setOffline(true);
    await status(page, "You are offline").waitFor();
    await page.context().setOffline(false);
    await status(page, "Connected").waitFor({ timeout: 5_000 });
  });
});
