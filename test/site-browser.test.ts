/** The customer page in real Chromium against the local stack. */
import { expect } from "chai";
import { buildSync } from "esbuild";
import type { Browser, Page } from "playwright-core";
import type { LocalStack } from "../local/stack";
import { artifactsDir, launchChromium } from "./support/browser";
import { footprint } from "./support/chat-client";
import { localStack } from "./support/hooks";

describe("customer page (Chromium)", () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let chatPosts: string[];

  before(async () => {
    stack = await localStack();
    browser = await launchChromium();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
    chatPosts = [];
    page.on("request", (request) => {
      if (request.url().endsWith("/api/chat")) chatPosts.push(request.postData() ?? "");
    });
    await page.goto(stack.url);
    await page.getByRole("button", { name: "Start chat" }).waitFor();
  });
  afterEach(async () => {
    stack.emulator.setFaults({});
    await page.close();
  });

  it("opens on a labelled form with the name field focused", async () => {
    expect(await page.getByRole("heading", { name: "Chat with us" }).isVisible()).to.equal(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).to.equal("name");
    expect(await page.getByLabel("Your name").getAttribute("autocomplete")).to.equal("name");
    await page.getByLabel("Agent username").isVisible();
    await page.screenshot({ path: `${artifactsDir}/customer-form.png` });
  });

  it("validates the way the API does, before calling it", async () => {
    await page.getByRole("button", { name: "Start chat" }).click();
    expect(await page.locator(".cc-field-error:visible").allTextContents()).to.deep.equal(["Your name must be 1 to 256 characters (not counting surrounding spaces)."]);
    expect(await page.getByLabel("Your name").getAttribute("aria-invalid")).to.equal("true");
    await page.getByLabel("Your name").fill("Ana");
    await page.getByLabel("Agent username").fill("j doe");
    await page.getByRole("button", { name: "Start chat" }).click();
    expect(await page.locator(".cc-field-error:visible").allTextContents()).to.deep.equal(["The agent username must be an Amazon Connect username: 1 to 100 letters, digits or _ - . @."]);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).to.equal("agent");
    expect(chatPosts).to.deep.equal([]);
  });

  it("can be used with the keyboard alone", async () => {
    await page.keyboard.type("Kim");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).to.equal("agent");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal("Start chat");
    await page.keyboard.press("Enter");
    await page.locator(".cc-chat:visible").waitFor();
    // The local stack allows pageUrl (its allowedAttributes), so the page says where the chat began.
    expect(JSON.parse(chatPosts[0])).to.deep.equal({ name: "Kim", attributes: { pageUrl: `${stack.url}/` } });
  });

  /** The page on a clock the test moves: the widget keeps trying a busy API for 3 minutes (www/src/patience.ts). */
  async function onTestClock(): Promise<void> {
    await page.clock.install();
    await page.reload();
    await page.getByRole("button", { name: "Start chat" }).waitFor();
  }
  /** Past the widget's patience, a minute at a time, until `alert` shows. */
  async function outlast(alert: ReturnType<Page["getByRole"]>): Promise<void> {
    for (let minute = 0; minute < 5 && !await alert.isVisible(); minute++) {
      await page.clock.fastForward(60_000);
      await page.waitForTimeout(300);
    }
    await alert.waitFor({ timeout: 20_000 });
  }

  it("says so clearly when the API stays busy past the widget's patience, and leaves nothing behind", async () => {
    await onTestClock();
    stack.emulator.setFaults({ operations: ["StartChatContact"], quota: true });
    const before = await footprint(stack);
    await page.getByLabel("Your name").fill("Ana");
    await page.getByRole("button", { name: "Start chat" }).click();
    await page.getByRole("status").filter({ hasText: "Lots of people are contacting us right now" }).waitFor();
    await outlast(page.getByRole("alert").filter({ hasText: "All our agents are busy" }));
    expect(await page.getByRole("button", { name: "Start chat" }).isEnabled()).to.equal(true);
    expect(await footprint(stack)).to.deep.equal(before);
  });

  it("says so clearly when the network stays down", async () => {
    await onTestClock();
    await page.route("**/api/chat", (route) => route.abort("internetdisconnected"));
    await page.getByLabel("Your name").fill("Ana");
    await page.getByRole("button", { name: "Start chat" }).click();
    await outlast(page.getByRole("alert").filter({ hasText: "We could not reach the chat service" }));
  });

  it("resumes the same chat after a reload", async () => {
    await page.getByLabel("Your name").fill("Rui");
    // Listen before clicking: a fast answer must not slip past the listener.
    const firstResponse = page.waitForResponse((r) => r.url().endsWith("/api/chat"));
    await page.getByRole("button", { name: "Start chat" }).click();
    const started = (await (await firstResponse).json()).data;
    await page.locator(".cc-chat:visible").waitFor();
    const resumedResponse = page.waitForResponse((r) => r.url().endsWith("/api/chat"));
    await page.reload();
    const resumed = (await (await resumedResponse).json()).data;
    expect(resumed.resumed).to.equal(true);
    expect(resumed.startChatResult.ContactId).to.equal(started.startChatResult.ContactId);
    expect(JSON.parse(chatPosts[1])).to.deep.equal({ name: "Rui", resumeToken: started.resumeToken });
  });

  it("renders agent markdown without running any of it", async () => {
    // The page's own renderer, bundled on its own into a blank page with no CSP to hide behind.
    const renderer = buildSync({ entryPoints: ["www/src/markdown.ts"], bundle: true, format: "iife", globalName: "md", write: false }).outputFiles[0].text;
    const blank = await browser.newPage();
    await blank.addScriptTag({ content: renderer });
    const result = await blank.evaluate(async () => {
      const attacks = [
        "<script>window.pwned=1</script>", "<img src=x onerror=window.pwned=1>", "[x](javascript:window.pwned=1)",
        "[x](JAVASCRIPT:window.pwned=1)", "<svg onload=window.pwned=1>", "**<iframe src=javascript:window.pwned=1>**",
        "[x](data:text/html,<script>window.pwned=1</script>)", "<a href=javascript:window.pwned=1>x</a>", "[ok](https://example.com)",
      ];
      const { parseMarkdown, renderMarkdown } = (window as unknown as { md: typeof import("../www/src/markdown") }).md;
      const host = document.body.appendChild(document.createElement("div"));
      for (const attack of attacks) host.appendChild(renderMarkdown(parseMarkdown(attack), document));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const elements = [...host.querySelectorAll("*")];
      return {
        pwned: (window as unknown as { pwned?: number }).pwned,
        tags: [...new Set(elements.map((e) => e.tagName))].sort(),
        handlers: elements.flatMap((e) => [...e.attributes].map((a) => a.name)).filter((name) => name.startsWith("on")),
        hrefs: [...host.querySelectorAll("a")].map((a) => a.getAttribute("href")),
      };
    });
    await blank.close();
    expect(result).to.deep.equal({ pwned: undefined, tags: ["A", "P", "STRONG"], handlers: [], hrefs: ["https://example.com/"] });
  });

  it("fits a phone screen", async () => {
    await page.setViewportSize({ width: 360, height: 720 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).to.equal(false);
    await page.screenshot({ path: `${artifactsDir}/customer-form-phone.png` });
  });
});
