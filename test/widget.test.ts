/**
 * The widget as a site embeds it, in real Chromium: a host page on another origin (as users embed
 * it) with the README's tags and options, `npm start -- --allow-origin <host>` behind it, and an
 * agent answering through the participant service. Each README claim about the launcher, branding,
 * languages, events, tabs, the ended chat and accessibility is attacked here; the screenshots in
 * docs/images are taken here, from the real page.
 */
import { expect } from "chai";
import type { BrowserContextOptions, Page } from "playwright-core";
import arabic from "../www/src/lang/ar";
import german from "../www/src/lang/de";
import japanese from "../www/src/lang/ja";
import { english } from "../www/src/strings";
import { acceptChat } from "./support/agent";
import { expectAccessible } from "./support/axe";
import { embeddedWidget } from "./support/embedded-widget";

const docsImages = "docs/images";

describe("the widget on another site: launcher, branding, languages, events (Chromium)", function () {
  this.timeout(60_000);
  const embedded = embeddedWidget();
  let customers = 0;

  const script = (attributes = "") => `<script src="${embedded.stack.url}/connect-chat.js"${attributes ? ` ${attributes}` : ""}></script>`;
  /** A host page in a browser profile of its own (its own storage: another customer). */
  async function visit(body: string, options: BrowserContextOptions & { path?: string; headers?: Record<string, string> } = {}): Promise<Page> {
    const { path, headers, ...contextOptions } = options;
    const url = embedded.host.serve(body, { path, headers });
    const page = await (await embedded.browser.newContext({ viewport: { width: 1100, height: 800 }, ...contextOptions })).newPage();
    const packs: string[] = [];
    page.on("request", (request) => void (/\/lang-[\w-]+-[0-9a-f]{10}\.js$/.test(request.url()) && packs.push(new URL(request.url()).pathname.replace(/-[0-9a-f]{10}\.js$/, ""))));
    packsLoaded.set(page, packs);
    await page.goto(url);
    return page;
  }
  /** The language packs a page loaded, as "/lang-de". */
  const packsLoaded = new WeakMap<Page, string[]>();
  /** Records every event of `ConnectChat.on` in window.events (the host page's own listener). */
  const recordEvents = `<script>window.events = []; for (const name of ["started", "resumed", "agentJoined", "message", "ended", "error", "open", "close"]) ConnectChat.on(name, (detail) => events.push({ name, detail }));</script>`;
  const events = (page: Page) => page.evaluate(() => (window as unknown as { events: { name: string; detail: Record<string, unknown> }[] }).events);
  const dialog = (page: Page, name = english.title) => page.getByRole("dialog", { name });
  const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute("name") ?? document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.tagName);
  async function startChat(page: Page, name: string, labels = english): Promise<void> {
    await page.getByLabel(labels.nameLabel).fill(name);
    await page.getByRole("button", { name: labels.start }).click();
    await page.getByRole("status").filter({ hasText: labels.connected }).waitFor();
  }
  const uniqueName = (base: string) => `${base} ${++customers}`;

  it("opens a panel from a chat button, moves focus in and back out, and keeps open or minimised across reloads", async () => {
    const page = await visit(script("data-launcher"));
    const button = page.getByRole("button", { name: english.openChat });
    await button.waitFor();
    expect(await button.getAttribute("aria-expanded")).to.equal("false");
    expect(await dialog(page).isVisible()).to.equal(false);
    await expectAccessible(page, "launcher, closed");
    await page.screenshot({ path: `${docsImages}/widget-launcher-closed.png` });

    await button.click();
    await dialog(page).waitFor();
    expect(await button.getAttribute("aria-expanded")).to.equal("true");
    expect(await focused(page)).to.equal("name");
    await expectAccessible(page, "launcher, open on the form");
    await page.screenshot({ path: `${docsImages}/widget-launcher-open.png` });

    await page.keyboard.press("Escape");
    await dialog(page).waitFor({ state: "hidden" });
    expect(await focused(page)).to.equal(english.openChat);

    // Open stays open after a reload, without taking the page's focus; minimised stays minimised.
    await button.click();
    await page.reload();
    await dialog(page).waitFor();
    expect(await focused(page)).to.equal("BODY");
    await page.getByRole("button", { name: english.minimise }).click();
    await page.reload();
    await button.waitFor();
    expect(await dialog(page).isVisible()).to.equal(false);
  });

  it("is opened by the host page: ConnectChat.open() with the button hidden, or at once with data-auto-open", async () => {
    const hidden = await visit(`${script("data-launcher data-hide-button")}<button onclick="ConnectChat.open()">Help</button>`);
    await hidden.getByRole("button", { name: "Help" }).click();
    await dialog(hidden).waitFor();
    expect(await hidden.getByRole("button", { name: english.openChat }).count()).to.equal(0);
    await hidden.evaluate(() => (window as unknown as { ConnectChat: { close(): void } }).ConnectChat.close());
    await dialog(hidden).waitFor({ state: "hidden" });

    const auto = await visit(script("data-launcher data-auto-open"));
    await dialog(auto).waitFor();
  });

  it("counts agent messages on the button and in the tab title while minimised, tells the host page, and clears both when opened", async () => {
    const name = uniqueName("Una");
    const page = await visit(`${script("data-launcher")}${recordEvents}`);
    await page.getByRole("button", { name: english.openChat }).click();
    await startChat(page, name);
    const agent = await acceptChat(embedded.stack.url, name);
    await page.getByText("Jane Doe joined the chat").waitFor();
    await page.getByRole("button", { name: english.minimise }).click();
    await agent.say("Are you there?");
    await agent.say("I have your order here.");
    const button = page.getByRole("button", { name: `${english.openChat} (2 unread)` });
    await button.waitFor();
    expect(await page.locator(".cc-badge").textContent()).to.equal("2");
    expect(await page.title()).to.equal("(2) New message · Shop");
    await button.click();
    await page.getByRole("log").getByText("I have your order here.").waitFor();
    expect(await page.locator(".cc-badge").isVisible()).to.equal(false);
    expect(await page.title()).to.equal("Shop");
    await expectAccessible(page, "launcher, chatting");

    const seen = (await events(page)).map(({ name: event, detail }) => event === "message" ? `message:${detail.text as string}` : event === "agentJoined" ? `agentJoined:${detail.name as string}` : event);
    expect(seen).to.deep.equal(["open", "started", "agentJoined:Jane Doe", "close", "message:Are you there?", "message:I have your order here.", "open"]);
    expect((await events(page))[1].detail.contactId).to.match(/^[0-9a-f-]{36}$/);
    await agent.leave();
  });

  it("stays open after the chat ends, with the disconnect flow's words, until the customer closes it", async () => {
    const name = uniqueName("Eli");
    const page = await visit(`${script("data-launcher")}${recordEvents}`);
    await page.getByRole("button", { name: english.openChat }).click();
    await startChat(page, name);
    const agent = await acceptChat(embedded.stack.url, name);
    await agent.say("Anything else?");
    await agent.leave();
    await page.getByText("The agent has left the chat.", { exact: false }).waitFor();
    await page.evaluate(() => (window as unknown as { ConnectChat: { end(): Promise<void> } }).ConnectChat.end());
    await page.getByRole("status").filter({ hasText: english.ended }).waitFor();
    // Still open, the whole conversation readable, and now closable.
    expect(await dialog(page).isVisible()).to.equal(true);
    expect(await page.getByRole("log").getByText("Anything else?").isVisible()).to.equal(true);
    expect((await events(page)).map((event) => event.name)).to.include("ended");
    await expectAccessible(page, "launcher, chat ended");
    await page.getByRole("button", { name: english.close }).click();
    await dialog(page).waitFor({ state: "hidden" });
    await page.getByRole("button", { name: english.openChat }).click();
    await page.getByRole("button", { name: english.start }).waitFor();
  });

  it("takes a brand: title, subtitle, logo, colours, font, corners, side and size, from options or the host page's CSS", async () => {
    const logo = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#fff"/><path d="M8 22 16 8l8 14z" fill="#6a1b9a"/></svg>')}`;
    const page = await visit(`${script()}<script>ConnectChat.launcher({ title: "Acme Support", subtitle: "We answer in minutes", logo: "${logo}", position: "left", width: "28rem",
      theme: { accent: "#6a1b9a", font: "Georgia, serif", radius: "4px", customerBubble: "#f3e5f5" } }).open();</script>`);
    const panel = dialog(page, "Acme Support");
    await panel.waitFor();
    const look = await page.evaluate(() => {
      const header = document.querySelector(".cc-header")!;
      const launcher = document.querySelector(".cc-launcher-button")!.getBoundingClientRect();
      return { header: getComputedStyle(header).backgroundColor, font: getComputedStyle(header).fontFamily, radius: getComputedStyle(document.querySelector(".cc")!).borderTopLeftRadius,
        left: launcher.left, width: document.querySelector(".cc-panel")!.getBoundingClientRect().width };
    });
    expect(look).to.deep.equal({ header: "rgb(106, 27, 154)", font: "Georgia, serif", radius: "4px", left: 20, width: 448 });
    expect(await page.getByText("We answer in minutes").isVisible()).to.equal(true);
    await expectAccessible(page, "branded theme");
    await page.screenshot({ path: `${docsImages}/widget-branded.png` });

    const css = await visit(`<style>body { --cc-accent: #00695c; }</style>${script("data-launcher data-auto-open")}`);
    await dialog(css).waitFor();
    expect(await css.evaluate(() => getComputedStyle(document.querySelector(".cc-header")!).backgroundColor)).to.equal("rgb(0, 105, 92)");
  });

  it("follows the system's dark mode, unless the host page fixes the colour scheme", async () => {
    const dark = await visit(script("data-launcher data-auto-open"), { colorScheme: "dark" });
    await dialog(dark).waitFor();
    const background = (page: Page) => page.evaluate(() => getComputedStyle(document.querySelector(".cc")!).backgroundColor);
    expect(await background(dark)).to.equal("rgb(27, 29, 34)");
    await expectAccessible(dark, "dark mode");
    await dark.screenshot({ path: `${docsImages}/widget-dark.png` });
    const light = await visit(script('data-launcher data-auto-open data-color-scheme="light"'), { colorScheme: "dark" });
    await dialog(light).waitFor();
    expect(await background(light)).to.equal("rgb(255, 255, 255)");
  });

  it("speaks the language asked for, or the browser's, loading only that language's pack, and the deployer's texts win", async () => {
    const asked = await visit(`${script()}<script>ConnectChat.launcher({ language: "de_DE", strings: { start: "Los geht's" } }).open();</script>`);
    await dialog(asked, german.title).waitFor();
    expect(await asked.getByLabel(german.nameLabel).isVisible()).to.equal(true);
    expect(await asked.getByRole("button", { name: "Los geht's" }).isVisible()).to.equal(true);
    expect(await asked.locator(".cc").getAttribute("lang")).to.equal("de");
    expect(packsLoaded.get(asked)).to.deep.equal(["/lang-de"]);

    const fromBrowser = await visit(script("data-launcher data-auto-open"), { locale: "ja-JP" });
    await dialog(fromBrowser, japanese.title).waitFor();
    expect(await fromBrowser.getByRole("button", { name: japanese.start }).isVisible()).to.equal(true);
    expect(packsLoaded.get(fromBrowser)).to.deep.equal(["/lang-ja"]);

    const inEnglish = await visit(script("data-launcher data-auto-open"), { locale: "en-US" });
    await dialog(inEnglish).waitFor();
    expect(packsLoaded.get(inEnglish)).to.deep.equal([]);
  });

  it("lays out right to left in Arabic, with the customer's times in their locale", async () => {
    const name = uniqueName("Layla");
    const page = await visit(script('data-launcher data-auto-open data-language="ar"'), { viewport: { width: 1100, height: 800 } });
    await dialog(page, arabic.title).waitFor();
    const layout = await page.evaluate(() => ({
      dir: document.querySelector(".cc")!.getAttribute("dir"),
      launcherLeft: document.querySelector(".cc-launcher-button")!.getBoundingClientRect().left,
      labelAlign: getComputedStyle(document.querySelector(".cc label")!).textAlign,
    }));
    expect(layout).to.deep.equal({ dir: "rtl", launcherLeft: 20, labelAlign: "start" });
    await expectAccessible(page, "right to left (Arabic)");
    await startChat(page, name, arabic);
    const agent = await acceptChat(embedded.stack.url, name);
    await agent.say("مرحبا، كيف يمكنني مساعدتك؟");
    await page.getByRole("log").getByText("كيف يمكنني").waitFor();
    await page.getByRole("textbox", { name: arabic.messageLabel }).fill("أريد تتبع طلبي");
    await page.getByRole("button", { name: arabic.send }).click();
    await page.getByRole("log").getByText("أريد تتبع طلبي").waitFor();
    const bubbles = await page.evaluate(() => {
      const log = document.querySelector(".cc-log")!.getBoundingClientRect();
      const of = (selector: string) => document.querySelector(selector)!.getBoundingClientRect();
      return { customerAtLeft: of(".cc-customer").left - log.left < 8, agentAtRight: log.right - of(".cc-agent").right < 8, time: document.querySelector(".cc-agent time")!.textContent };
    });
    expect(bubbles.customerAtLeft, "the customer's own message sits at the end side: left").to.equal(true);
    expect(bubbles.agentAtRight).to.equal(true);
    expect(bubbles.time, "Arabic's own AM/PM: ص or م").to.match(/[صم]/);
    await expectAccessible(page, "chatting, right to left (Arabic)");
    await page.screenshot({ path: `${docsImages}/widget-arabic.png` });
    await agent.leave();
  });

  it("shows a second tab of the same customer the same chat, not a second one", async () => {
    const name = uniqueName("Tom");
    const context = await embedded.browser.newContext({ viewport: { width: 1100, height: 800 } });
    const url = embedded.host.serve(script("data-launcher data-auto-open"), { path: "/tabs" });
    const first = await context.newPage();
    await first.goto(url);
    const second = await context.newPage();
    await second.goto(url);
    await dialog(second).waitFor();
    await startChat(first, name);
    const agent = await acceptChat(embedded.stack.url, name);
    await agent.say("One chat, two tabs");
    // The tab that sat on the form joins the chat the other tab started.
    await second.getByRole("log").getByText("One chat, two tabs").waitFor();
    await second.getByRole("textbox", { name: english.messageLabel }).fill("From the second tab");
    await second.getByRole("button", { name: english.send }).click();
    await first.getByRole("log").getByText("From the second tab").waitFor();
    // A third tab opened later comes back to it too; and the agent was offered one chat only.
    const third = await context.newPage();
    await third.goto(url);
    await third.getByRole("log").getByText("From the second tab").waitFor();
    const { offered } = await (await fetch(`${embedded.stack.url}/agent-api/contacts?agent=jdoe`)).json() as { offered: { customerName: string }[] };
    expect(offered.filter((offer) => offer.customerName === name)).to.deep.equal([]);
    await agent.leave();
  });

  it("works under a host page's strict, nonce-based CSP", async () => {
    const nonce = "r4nd0mN0nce";
    const policy = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:; connect-src ${embedded.stack.url} ${embedded.stack.url.replace("http", "ws")}`;
    const page = await visit(`<script nonce="${nonce}" src="${embedded.stack.url}/connect-chat.js" data-launcher data-auto-open></script>`, { headers: { "content-security-policy": policy } });
    const violations: string[] = [];
    page.on("console", (message) => void (/Content Security Policy/.test(message.text()) && violations.push(message.text())));
    await dialog(page).waitFor();
    expect(await page.evaluate(() => getComputedStyle(document.querySelector(".cc-launcher")!).position)).to.equal("fixed");
    await startChat(page, uniqueName("Nia"));
    expect(violations).to.deep.equal([]);
  });

  it("fills a phone's screen when open, with nothing wider than the screen", async () => {
    const page = await visit(script("data-launcher data-auto-open"), { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await dialog(page).waitFor();
    const fit = await page.evaluate(() => ({ panelFillsWidth: document.querySelector(".cc-panel")!.getBoundingClientRect().width === document.documentElement.clientWidth,
      overflow: document.documentElement.scrollWidth > innerWidth }));
    expect(fit).to.deep.equal({ panelFillsWidth: true, overflow: false });
    expect(await page.locator(".cc-launcher-button").isVisible()).to.equal(false);
    await expectAccessible(page, "phone");
    await page.screenshot({ path: `${docsImages}/widget-phone.png` });
  });
});
