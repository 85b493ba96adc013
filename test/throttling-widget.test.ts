/**
 * The widget rides out a busy service (issue 17), in real Chromium, embedded on a host page on
 * another origin against `npm start -- --allow-origin <host>`: it waits as the start-chat API's
 * Retry-After says (readable from another origin only because CORS exposes it), shows a calm,
 * position-free status meanwhile and no error, gives up after its patience with one sentence and
 * one `error` event, asks again when a chat handed back as resumed turns out over (`endedChat`),
 * and is not put off by a throttled participant service.
 *
 * The API's answers are made two ways: the local stack's fault switches (`/local/faults`: Connect's
 * throttling and chat quota, behind the real start-chat Lambda), and Playwright's `page.route` for
 * exact answers. Long waits run on `page.clock`, fast-forwarded; it also ticks on by itself, so each
 * check leaves a wide margin either side of the wait it expects.
 */
import { ConnectParticipantClient, CreateParticipantConnectionCommand, DisconnectParticipantCommand } from "@aws-sdk/client-connectparticipant";
import { expect } from "chai";
import type { BrowserContext, Page, Route } from "playwright-core";
import type { StartChatData } from "../www/src/api";
import { english } from "../www/src/strings";
import { acceptChat } from "./support/agent";
import { embeddedWidget } from "./support/embedded-widget";

interface Customer {
  page: Page;
  /** The bodies of the start-chat requests the page sent, in order. */
  posts: Record<string, unknown>[];
  /** What the host page heard through `ConnectChat.on`. */
  events(): Promise<{ name: string; detail: Record<string, unknown> }[]>;
  /** Every text a role=status element showed, in order. */
  statuses(): Promise<string[]>;
  /** The texts of the alerts on screen now. */
  alerts(): Promise<string[]>;
}

describe("the widget rides out a busy service (Chromium, a host page on another origin)", function () {
  this.timeout(120_000);
  const embedded = embeddedWidget();
  const contexts: BrowserContext[] = [];
  let customers = 0;
  afterEach(async () => {
    await faults();
    for (const context of contexts.splice(0)) await context.close();
  });

  const apiUrl = () => `${embedded.stack.url}/api/chat`;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const uniqueName = (base: string) => `${base} ${++customers}`;

  /** The local stack's fault switches; none: all off. */
  async function faults(change?: Record<string, unknown>): Promise<void> {
    if (!embedded.stack) return;
    const response = await fetch(`${embedded.stack.url}/local/faults`, {
      method: change ? "POST" : "DELETE",
      headers: { "content-type": "application/json" },
      ...(change && { body: JSON.stringify(change) }),
    });
    expect(response.status).to.equal(200);
  }

  /** An answer from "the API" for `page.route`, with the CORS the real one sends another origin. */
  const answer = (route: Route, status: number, body: unknown, headers: Record<string, string> = {}) => route.fulfill({
    status,
    headers: { "content-type": "application/json", "access-control-allow-origin": embedded.host.origin, "access-control-expose-headers": "retry-after", ...headers },
    body: JSON.stringify(body),
  });
  const apiError = (code: string, message = "busy") => ({ error: { code, message } });

  /**
   * A customer on the host page, in a browser profile of its own (or `context`'s), with the chat
   * mounted in the page by its script tag (or `byCode`: `window.chat = ConnectChat.mount(…)`);
   * `prepare` runs before the page loads (clock, routes).
   */
  async function customer(options: { attributes?: string; byCode?: boolean; context?: BrowserContext; prepare?: (page: Page) => Promise<unknown> } = {}): Promise<Customer> {
    const context = options.context ?? await embedded.browser.newContext({ viewport: { width: 1000, height: 800 } });
    if (!options.context) contexts.push(context);
    const page = await context.newPage();
    const posts: Record<string, unknown>[] = [];
    page.on("request", (request) => {
      if (request.url() === apiUrl() && request.method() === "POST") posts.push(JSON.parse(request.postData() ?? "{}"));
    });
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { statusesSeen: string[] }).statusesSeen = seen;
      new MutationObserver(() => {
        for (const element of document.querySelectorAll("[role=status]")) {
          const text = element.textContent ?? "";
          if (text && !seen.includes(text)) seen.push(text);
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await options.prepare?.(page);
    const widget = options.byCode
      ? `<script src="${embedded.stack.url}/connect-chat.js"></script><script>window.chat = ConnectChat.mount(document.getElementById("chat"));</script>`
      : `<script src="${embedded.stack.url}/connect-chat.js" data-mount="#chat" ${options.attributes ?? ""}></script>`;
    const url = embedded.host.serve(`<div id="chat"></div>${widget}
      <script>window.events = []; for (const name of ["started", "resumed", "ended", "error"]) ConnectChat.on(name, (detail) => events.push({ name, detail }));</script>`, { path: `/shop-${customers}` });
    await page.goto(url);
    return {
      page,
      posts,
      events: () => page.evaluate(() => (window as unknown as { events: { name: string; detail: Record<string, unknown> }[] }).events),
      statuses: () => page.evaluate(() => (window as unknown as { statusesSeen: string[] }).statusesSeen),
      alerts: async () => (await page.locator("[role=alert]:visible").allTextContents()).filter(Boolean),
    };
  }

  const status = (page: Page, text: string) => page.getByRole("status").filter({ hasText: text });
  async function start(page: Page, name: string): Promise<void> {
    await page.getByLabel(english.nameLabel).fill(name);
    await page.getByRole("button", { name: english.start }).click();
  }
  /** Waits (in real time) until `check` holds. */
  async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
    for (const end = Date.now() + ms; !check(); await pause(50)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }

  it("waits as the API's Retry-After says, calmly and without an error, then chats once the API recovers", async () => {
    let busy = 2;
    const { page, posts, events, alerts } = await customer({
      prepare: async (page) => {
        await page.clock.install();
        await page.route(apiUrl(), (route) => route.request().method() === "POST" && busy-- > 0
          ? answer(route, 503, apiError("STORE_UNAVAILABLE", "Chat storage is busy. Please retry."), { "retry-after": "20" })
          : route.fallback());
      },
    });
    await start(page, uniqueName("Wendy Waiting"));
    const waiting = status(page, english.waiting);
    await waiting.waitFor();
    expect(await page.getByRole("button", { name: english.start }).isDisabled()).to.equal(true);
    expect(await alerts()).to.deep.equal([]);
    // Retry-After: 20 is a floor, with up to half as long again: nothing before 20 s, a try by 30 s.
    await page.clock.fastForward(15_000);
    await pause(500);
    expect(posts.length).to.equal(1);
    await page.clock.fastForward(16_000);
    await until(() => posts.length === 2, "the second try");
    await pause(500);
    expect(await waiting.isVisible()).to.equal(true);
    await page.clock.fastForward(15_000);
    await pause(500);
    expect(posts.length).to.equal(2);
    await page.clock.fastForward(16_000);
    await status(page, english.connected).waitFor();
    expect(posts.length).to.equal(3);
    expect(await alerts()).to.deep.equal([]);
    expect((await events()).map((event) => event.name)).to.deep.equal(["started"]);
  });

  it("gives up after its patience (data-patience-seconds) with one clear sentence and one error event, and tries no more", async () => {
    const { page, posts, events, alerts } = await customer({
      attributes: 'data-patience-seconds="40"',
      prepare: async (page) => {
        await page.clock.install();
        // API Gateway's own throttling: no error code, no Retry-After.
        await page.route(apiUrl(), (route) => route.request().method() === "POST" ? answer(route, 429, { message: "Too Many Requests" }) : route.fallback());
      },
    });
    await start(page, uniqueName("Gus Givesup"));
    await status(page, english.waiting).waitFor();
    const alert = page.getByRole("alert").filter({ hasText: english.errorThrottled });
    for (let step = 0; step < 12 && !await alert.isVisible(); step++) {
      await page.clock.fastForward(5_000);
      await pause(300);
    }
    await alert.waitFor({ timeout: 1_000 });
    expect(await alerts()).to.deep.equal([english.errorThrottled]);
    expect(await events()).to.deep.equal([{ name: "error", detail: { code: "HTTP_429", message: english.errorThrottled } }]);
    expect(await status(page, english.waiting).count()).to.equal(0);
    expect(await page.getByRole("button", { name: english.start }).isEnabled()).to.equal(true);
    // Full jitter from 1 s, capped at 10 s: a handful of tries in 40 s, not a hammering.
    const tries = posts.length;
    expect(tries).to.be.within(3, 15);
    await page.clock.fastForward(120_000);
    await pause(500);
    expect(posts.length).to.equal(tries);
  });

  it("reads Retry-After from the real API on another origin (CORS exposes it): at the chat quota it waits 30 s or more, then chats", async () => {
    await faults({ quota: true, operations: ["StartChatContact"] });
    const { page, posts, events, alerts } = await customer({ prepare: (page) => page.clock.install() });
    const refused = page.waitForResponse((response) => response.url() === apiUrl() && response.request().method() === "POST");
    await start(page, uniqueName("Quinn Quota"));
    const response = await refused;
    expect(response.status()).to.equal(429);
    expect((await response.json()).error.code).to.equal("CHAT_CAPACITY");
    expect(await response.headerValue("retry-after")).to.equal("30");
    await status(page, english.waiting).waitFor();
    // Unreadable, the header would leave the page with no floor: it would try again within a second.
    await page.clock.fastForward(25_000);
    await pause(1_000);
    expect(posts.length).to.equal(1);
    await faults();
    await page.clock.fastForward(21_000);
    await status(page, english.connected).waitFor();
    expect(posts.length).to.equal(2);
    expect(await alerts()).to.deep.equal([]);
    expect((await events()).map((event) => event.name)).to.deep.equal(["started"]);
  });

  it("rides out Connect's throttling behind the real API (the Lambda's own retries, then 429 THROTTLED) and chats once it passes", async () => {
    await faults({ throttle: true, operations: ["StartChatContact"] });
    const { page, posts, events, alerts, statuses } = await customer();
    const name = uniqueName("Tia Throttled");
    await start(page, name);
    // The Lambda retries Connect for about 8 s before it answers 429.
    await status(page, english.waiting).waitFor({ timeout: 30_000 });
    expect(await alerts()).to.deep.equal([]);
    await faults();
    await status(page, english.connected).waitFor({ timeout: 30_000 });
    expect(posts.length).to.be.at.least(2);
    expect(await alerts()).to.deep.equal([]);
    expect((await events()).map((event) => event.name)).to.deep.equal(["started"]);
    expect(await statuses()).to.include.members([english.starting, english.waiting, english.connected]);
    // A real chat: the agent is offered it, once.
    const agent = await acceptChat(embedded.stack.url, name);
    await agent.say("Thanks for waiting");
    await page.getByRole("log").getByText("Thanks for waiting").waitFor();
    await agent.leave();
  });

  /** A chat that is over: started through the API, its customer then gone (the emulator ends it). */
  async function chatThatIsOver(name: string): Promise<StartChatData> {
    const started = await fetch(apiUrl(), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
    const { data } = await started.json() as { data: StartChatData };
    const client = new ConnectParticipantClient({ endpoint: embedded.stack.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const { ConnectionCredentials } = await client.send(new CreateParticipantConnectionCommand({ ParticipantToken: data.startChatResult.ParticipantToken, Type: ["CONNECTION_CREDENTIALS"] }));
    await client.send(new DisconnectParticipantCommand({ ConnectionToken: ConnectionCredentials!.ConnectionToken! }));
    client.destroy();
    return data;
  }

  it("asks the API again, saying endedChat, when a chat it handed back as resumed turns out over, and joins the new one", async () => {
    const over = await chatThatIsOver(uniqueName("Old Chat"));
    let first = true;
    const { page, posts, events, alerts } = await customer({
      prepare: (page) => page.route(apiUrl(), (route) => {
        if (route.request().method() !== "POST" || !first) return route.fallback();
        first = false;
        return answer(route, 200, { data: { ...over, resumed: true } });
      }),
    });
    await start(page, uniqueName("Rae Returning"));
    await status(page, english.connected).waitFor();
    expect(posts.length).to.equal(2);
    expect(posts[1].endedChat).to.equal(over.startChatResult.ContactId);
    const seen = await events();
    expect(seen.map((event) => event.name)).to.deep.equal(["resumed", "started"]);
    expect(seen[0].detail.contactId).to.equal(over.startChatResult.ContactId);
    expect(seen[1].detail.contactId).to.be.a("string").and.not.equal(over.startChatResult.ContactId);
    expect(await alerts()).to.deep.equal([]);
  });

  it("shows the chat as ended when the API, asked again, hands back the same chat, and asks no more", async () => {
    const over = await chatThatIsOver(uniqueName("Gone Chat"));
    const { page, posts, events, alerts } = await customer({
      prepare: (page) => page.route(apiUrl(), (route) => route.request().method() === "POST" ? answer(route, 200, { data: { ...over, resumed: true } }) : route.fallback()),
    });
    await start(page, uniqueName("Sam Same"));
    await status(page, english.ended).waitFor();
    await page.getByRole("button", { name: english.newChat }).waitFor();
    await pause(2_000);
    expect(posts.map((post) => post.endedChat)).to.deep.equal([undefined, over.startChatResult.ContactId]);
    expect((await events()).map((event) => event.name)).to.deep.equal(["resumed", "ended"]);
    expect(await alerts()).to.deep.equal([]);
  });

  it("after a reload, starts a new chat in place of one that ended while the page was away, with no error, whichever way the API learns it ended", async () => {
    const context = await embedded.browser.newContext({ viewport: { width: 1000, height: 800 } });
    contexts.push(context);
    const first = await customer({ context });
    const answered = first.page.waitForResponse((response) => response.url() === apiUrl() && response.request().method() === "POST");
    await start(first.page, uniqueName("Lou Later"));
    const { data } = await (await answered).json() as { data: StartChatData };
    await status(first.page, english.connected).waitFor();
    await first.page.close();
    // The chat ends while no page of the customer's is open.
    const client = new ConnectParticipantClient({ endpoint: embedded.stack.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const { ConnectionCredentials } = await client.send(new CreateParticipantConnectionCommand({ ParticipantToken: data.startChatResult.ParticipantToken, Type: ["CONNECTION_CREDENTIALS"] }));
    await client.send(new DisconnectParticipantCommand({ ConnectionToken: ConnectionCredentials!.ConnectionToken! }));
    client.destroy();

    const again = await customer({ context });
    await status(again.page, english.connected).waitFor();
    const seen = await again.events();
    expect(seen.at(-1)).to.deep.include({ name: "started" });
    expect(seen.at(-1)!.detail.contactId).to.not.equal(data.startChatResult.ContactId);
    expect(seen.map((event) => event.name)).to.not.include.members(["error", "ended"]);
    // Locally the transcript lands, and marks the record ended, the moment the chat ends: the API
    // starts a new chat at once. A deployment whose transcript is late hands the old chat back
    // unchecked (liveCheckSeconds); then the page asks once more, naming it.
    expect(again.posts.length).to.be.within(1, 2);
    expect(again.posts.slice(1).map((post) => post.endedChat)).to.deep.equal(again.posts.length === 2 ? [data.startChatResult.ContactId] : []);
    expect(await again.alerts()).to.deep.equal([]);
  });

  /** A participant-service operation answering 429 ThrottlingException `times` times, as Connect's rates do. */
  async function throttleParticipant(page: Page, path: string, times: number): Promise<{ calls: () => number }> {
    let calls = 0;
    await page.route(`${embedded.stack.url}/participant/${path}`, (route) => {
      if (route.request().method() !== "POST") return route.fallback();
      calls++;
      if (calls > times) return route.fallback();
      return route.fulfill({
        status: 429,
        headers: { "content-type": "application/json", "x-amzn-errortype": "ThrottlingException", "access-control-allow-origin": "*", "access-control-expose-headers": "x-amzn-RequestId, x-amzn-ErrorType, Date" },
        body: JSON.stringify({ message: "Rate exceeded" }),
      });
    });
    return { calls: () => calls };
  }

  it("connects through a throttled CreateParticipantConnection, past the SDK's own retries, with no error shown", async () => {
    let connection: { calls: () => number } | undefined;
    const { page, events, alerts, statuses } = await customer({ prepare: async (page) => void (connection = await throttleParticipant(page, "connection", 6)) });
    const name = uniqueName("Pat Participant");
    await start(page, name);
    await status(page, english.connected).waitFor({ timeout: 60_000 });
    // The SDK tries each call up to 3 times: six refusals fail two connects, which the widget retried.
    expect(connection!.calls()).to.equal(7);
    expect(await alerts()).to.deep.equal([]);
    expect(await page.getByText(english.connectFailed).count()).to.equal(0);
    expect((await events()).map((event) => event.name)).to.deep.equal(["started"]);
    expect(await statuses()).to.include(english.waiting);
    const agent = await acceptChat(embedded.stack.url, name);
    await agent.say("Through at last");
    await page.getByRole("log").getByText("Through at last").waitFor();
    await agent.leave();
  });

  it("stays connected when the transcript read after connecting is throttled, and reads it again later", async () => {
    const context = await embedded.browser.newContext({ viewport: { width: 1000, height: 800 } });
    contexts.push(context);
    const first = await customer({ context });
    const name = uniqueName("Tom Transcript");
    await start(first.page, name);
    await status(first.page, english.connected).waitFor();
    const agent = await acceptChat(embedded.stack.url, name);
    await agent.say("Said before the reload");
    await first.page.getByRole("log").getByText("Said before the reload").waitFor();
    await first.page.close();

    let transcript: { calls: () => number } | undefined;
    // Eight refusals: more than the SDK's own retries of one read (and the heartbeat's read beside it) absorb.
    const again = await customer({ context, prepare: async (page) => void (transcript = await throttleParticipant(page, "transcript", 8)) });
    await status(again.page, english.connected).waitFor();
    await again.page.getByRole("log").getByText("Said before the reload").waitFor({ timeout: 30_000 });
    expect(transcript!.calls()).to.be.at.least(9);
    expect(await again.alerts()).to.deep.equal([]);
    expect((await again.events()).map((event) => event.name)).to.deep.equal(["resumed"]);
    expect(await again.page.getByRole("button", { name: english.reconnect }).isVisible()).to.equal(false);
    await agent.leave();
  });

  it("stops trying once the host page unmounts the chat while it waits", async () => {
    const { page, posts } = await customer({
      byCode: true,
      prepare: (page) => page.route(apiUrl(), (route) => route.request().method() === "POST"
        ? answer(route, 503, apiError("UPSTREAM_UNAVAILABLE"), { "retry-after": "1" })
        : route.fallback()),
    });
    await start(page, uniqueName("Una Mounted"));
    await status(page, english.waiting).waitFor();
    await until(() => posts.length >= 2, "a second try");
    await page.evaluate(() => (window as unknown as { chat: { unmount(): void } }).chat.unmount());
    const tries = posts.length;
    // Retry-After: 1 would bring a try every 1 to 1.5 s.
    await pause(5_000);
    expect(posts.length).to.equal(tries);
    expect(await page.locator(".cc").count()).to.equal(0);
  });
});
