/**
 * www/src/attention.ts in real Chromium: title and favicon while the customer is away, the chime,
 * and desktop notifications, on a blank host page served from 127.0.0.1 (a secure context, so
 * Notification and its permission are the real ones).
 *
 * "Hidden" is real here, not emulated. Playwright's own pages never become hidden: it turns on
 * focus emulation (Emulation.setFocusEmulationEnabled) for every page it creates, and Chromium
 * keeps a page under focus emulation visible, so neither minimising its window
 * (Browser.setWindowBounds), opening another tab, nor Page.setWebLifecycleState changes
 * document.visibilityState. So this file starts Chromium itself and connects with
 * `connectOverCDP(..., { noDefaults: true })`, which leaves the default context's pages without
 * focus emulation; minimising the window then really hides the page and fires visibilitychange.
 *
 * The page is driven over a CDP session of its own (Runtime.evaluate), not with page.evaluate:
 * Playwright evaluates with `userGesture: true`, which would give the page the very user
 * activation the permission test looks for. Only page.click() is a gesture here, as it should be.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { buildSync } from "esbuild";
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from "playwright-core";
import type * as AttentionModule from "../www/src/attention";
import type { english } from "../www/src/strings";
import { chromiumPath } from "./support/browser";

/** What the page under test holds: the module, its instance, and what the wrappers recorded. */
interface Harness {
  attention: typeof AttentionModule & { english: typeof english };
  att: AttentionModule.Attention;
  activated: number;
  record: {
    /** One per `new Notification(...)`. */
    notifications: { title: string; body?: string; tag?: string }[];
    /** One per Notification.requestPermission(): navigator.userActivation.isActive at that moment. */
    asked: boolean[];
    closed: number;
    focused: number;
    audioContexts: number;
    oscillatorsStarted: number;
    last?: Notification;
  };
}
type Options = { sound?: boolean; desktop?: boolean };

const hostHead = `<meta charset="utf-8"><title>Host page</title><link rel="icon" href="/icon.svg" type="image/svg+xml"><link rel="shortcut icon" href="/favicon.ico"><link rel="apple-touch-icon" href="/touch.png"><link rel="icon" sizes="32x32">`;
const page = (head: string) => `<!doctype html><html><head>${head}</head><body><button id="start" onclick="att.prepare()">Start chat</button><script src="/attention.js"></script></body></html>`;

/** Chromium as launchChromium() starts it, but driven over CDP without Playwright's focus emulation. */
async function launchHideable(profile: string): Promise<{ browser: Browser; process: ChildProcess }> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`The browser tests need Chromium at ${chromiumPath}. Install it with \`apt-get install -y chromium\`, or set CHROMIUM_PATH.`);
  }
  const child = spawn(chromiumPath, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--mute-audio", "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${output}`)), 20000);
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk;
      const found = /DevTools listening on (ws:\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`Chromium exited (${code}): ${output}`)));
  });
  child.stderr!.resume();
  try {
    return { browser: await chromium.connectOverCDP(endpoint, { noDefaults: true }), process: child };
  } catch (error) {
    child.kill();
    throw error;
  }
}

describe("attention: noticing agent messages while away (Chromium)", () => {
  let server: Server;
  let origin: string;
  let profile: string;
  let browser: Browser;
  let chrome: ChildProcess;
  let context: BrowserContext;
  let tab: Page;
  let cdp: CDPSession;

  before(async () => {
    const bundle = buildSync({
      stdin: { contents: `export { createAttention } from "./attention"; export { english } from "./strings";`, resolveDir: "www/src", loader: "ts" },
      bundle: true, format: "iife", globalName: "attention", write: false,
    }).outputFiles[0].text;
    server = createServer((request, response) => {
      const [type, body] = request.url === "/attention.js" ? ["text/javascript", bundle]
        : request.url === "/" ? ["text/html", page(hostHead)]
          : request.url === "/plain" ? ["text/html", page(`<meta charset="utf-8"><title>Plain page</title>`)]
            : ["text/plain", ""];
      response.writeHead(body ? 200 : 404, { "content-type": type }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), "attention-chromium-"));
    ({ browser, process: chrome } = await launchHideable(profile));
    context = browser.contexts()[0];
    await context.addInitScript(() => {
      const record: Harness["record"] = { notifications: [], asked: [], closed: 0, focused: 0, audioContexts: 0, oscillatorsStarted: 0 };
      const harness = window as unknown as Harness;
      harness.record = record;
      harness.activated = 0;
      // The real Notification, recorded: the module must not be able to tell.
      const RealNotification = window.Notification;
      window.Notification = class extends RealNotification {
        constructor(title: string, options: NotificationOptions = {}) {
          record.notifications.push({ title, body: options.body, tag: options.tag });
          super(title, options);
          record.last = this;
        }
        static requestPermission(callback?: NotificationPermissionCallback): Promise<NotificationPermission> {
          record.asked.push(navigator.userActivation.isActive);
          return RealNotification.requestPermission(callback);
        }
      };
      const close = RealNotification.prototype.close;
      RealNotification.prototype.close = function () {
        record.closed++;
        return close.call(this);
      };
      const focus = window.focus;
      window.focus = () => {
        record.focused++;
        focus.call(window);
      };
      const RealAudioContext = window.AudioContext;
      window.AudioContext = class extends RealAudioContext {
        constructor(options?: AudioContextOptions) {
          super(options);
          record.audioContexts++;
        }
      };
      const createOscillator = RealAudioContext.prototype.createOscillator;
      RealAudioContext.prototype.createOscillator = function () {
        const oscillator = createOscillator.call(this);
        const start = oscillator.start;
        oscillator.start = (when?: number) => {
          record.oscillatorsStarted++;
          start.call(oscillator, when);
        };
        return oscillator;
      };
    });
  });
  after(async () => {
    if (chrome && chrome.exitCode === null) {
      // Closed the way a user closes it, so every Chromium process is done with the profile before it goes.
      const exited = once(chrome, "exit");
      await (await browser.newBrowserCDPSession()).send("Browser.close").catch(() => chrome.kill());
      await exited;
    }
    server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  });
  afterEach(async () => {
    await tab?.close();
    await context.clearPermissions();
  });

  /** Runs `fn(arg)` in the page, without the user activation page.evaluate would give it. */
  async function run<A, R>(fn: (arg: A) => R, arg?: A): Promise<Awaited<R>> {
    const { result, exceptionDetails } = await cdp.send("Runtime.evaluate", { expression: `(${fn})(${JSON.stringify(arg)})`, returnByValue: true, awaitPromise: true });
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value as Awaited<R>;
  }
  async function until(fn: () => boolean): Promise<void> {
    for (let tries = 0; !(await run(fn)); tries++) {
      if (tries > 100) throw new Error(`Timed out waiting for ${fn}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  /** Minimises (or restores) the page's window: a really hidden page, with its visibilitychange. */
  async function setHidden(hidden: boolean): Promise<void> {
    const { windowId } = await cdp.send("Browser.getWindowForTarget");
    await cdp.send("Browser.setWindowBounds", { windowId, bounds: { windowState: hidden ? "minimized" : "normal" } });
    await until(hidden ? () => document.hidden : () => !document.hidden);
  }

  async function open(options: Options, path = "/"): Promise<void> {
    tab = await context.newPage();
    cdp = await context.newCDPSession(tab);
    await tab.goto(origin + path);
    await run((options) => {
      const harness = window as unknown as Harness;
      harness.att = harness.attention.createAttention({ ...options, strings: harness.attention.english, activate: () => harness.activated++ });
    }, options);
  }
  const arrive = (away: boolean, text = "Hello, how can I help?", from = "Agent Smith") =>
    run((message) => (window as unknown as Harness).att.arrived(message), { from, text, away });
  const call = (method: "seen" | "dispose") => run((method) => (window as unknown as Harness).att[method](), method);
  const title = () => run(() => document.title);
  const head = () => run(() => document.head.innerHTML);
  const record = () => run(() => ({ ...(window as unknown as Harness).record, last: undefined }));
  const icons = () => run(() => [...document.querySelectorAll("link[rel~=icon]")].map((link) => link.getAttribute("href")));
  /** The badge's SVG, decoded. */
  const badge = () => run(() => decodeURIComponent(document.querySelector("link[rel=icon][href^='data:']")?.getAttribute("href") ?? ""));

  it("puts the count in the title and a badge in the favicon while the page is hidden, and puts both back when it is shown", async () => {
    await open({});
    const before = await head();
    await setHidden(true);
    await arrive(true);
    await arrive(true);
    expect(await title()).to.equal("(2) New message · Host page");
    // The page's tab icons step aside (rel="", in place) for the badge; the touch icon is not a tab icon.
    expect(await icons()).to.have.length(1);
    expect(await run(() => [...document.querySelectorAll("link")].map((link) => link.rel))).to.deep.equal(["", "", "apple-touch-icon", "", "icon"]);
    expect(await badge()).to.match(/^data:image\/svg\+xml,<svg xmlns='http:\/\/www.w3.org\/2000\/svg'.*<circle.*>2<\/text><\/svg>$/);
    // The host retitles itself meanwhile: the count goes in front of its new title, which is the one put back.
    await run(() => { document.title = "Inbox (3)"; });
    await arrive(true);
    expect(await title()).to.equal("(3) New message · Inbox (3)");
    expect(await badge()).to.contain(">3</text>");
    await setHidden(false);
    await until(() => document.title === "Inbox (3)");
    expect(await head()).to.equal(before.replace("Host page", "Inbox (3)"));
  });

  it("keeps the count while the panel is minimised until the widget calls seen(), and keeps a title the host set meanwhile", async () => {
    await open({});
    const before = await head();
    await arrive(true);
    expect(await title()).to.equal("(1) New message · Host page");
    // Not away because of a hidden page: showing the page again does not mean the messages were seen.
    await setHidden(true);
    await setHidden(false);
    expect(await title()).to.equal("(1) New message · Host page");
    await arrive(false);
    expect(await title()).to.equal("(1) New message · Host page");
    await run(() => { document.title = "Checkout"; });
    await call("seen");
    expect(await title()).to.equal("Checkout");
    expect(await head()).to.equal(before.replace("Host page", "Checkout"));
    // Many times over is fine.
    await call("seen");
    await call("seen");
    expect(await head()).to.equal(before.replace("Host page", "Checkout"));
  });

  it("adds a badge to a page without an icon and takes it away again; dispose() leaves the page as it was", async () => {
    await open({}, "/plain");
    const before = await head();
    await arrive(true);
    expect(await icons()).to.have.length(1);
    expect(await badge()).to.contain(">1</text>");
    await call("seen");
    expect(await head()).to.equal(before);
    for (let i = 0; i < 12; i++) await arrive(true);
    expect(await badge()).to.contain(">9+</text>");
    await call("dispose");
    await call("dispose");
    expect(await head()).to.equal(before);
    // Disposed: no more changes, and no listener left to make any.
    await arrive(true);
    await setHidden(true);
    await setHidden(false);
    expect(await head()).to.equal(before);
  });

  it("leaves a page alone when nothing arrived while away, even one without a title", async () => {
    await open({}, "/plain");
    await run(() => document.querySelector("title")!.remove());
    const before = await head();
    await arrive(false);
    await call("seen");
    await setHidden(true);
    await setHidden(false);
    await call("dispose");
    expect(await head()).to.equal(before);
  });

  it("asks for notification permission only from the customer's click on Start chat, and only if desktop is on", async () => {
    await open({ desktop: true });
    await setHidden(true);
    await arrive(true);
    await setHidden(false);
    expect((await record()).asked).to.deep.equal([]);
    expect(await run(() => Notification.permission)).to.equal("default");
    // The probe can tell: no customer gesture yet.
    expect(await run(() => navigator.userActivation.isActive)).to.equal(false);
    await tab.click("#start");
    // Asked once, while the click's user activation was live.
    expect((await record()).asked).to.deep.equal([true]);
    await tab.close();

    await open({ desktop: false });
    await tab.click("#start");
    await setHidden(true);
    await arrive(true);
    await setHidden(false);
    const recorded = await record();
    expect([recorded.asked, recorded.notifications]).to.deep.equal([[], []]);
  });

  it("shows a desktop notification only while the page is hidden, one at a time, and a click brings the chat forward", async () => {
    await context.grantPermissions(["notifications"], { origin });
    await open({ desktop: true });
    await tab.click("#start");
    // Away, but the page is in view (the panel is minimised): no notification.
    await arrive(true);
    await call("seen");
    const long = "x".repeat(200);
    await setHidden(true);
    await arrive(true, "First");
    await arrive(true, long, "Bot");
    await arrive(false, "Seen at once");
    let recorded = await record();
    // Granted already: nothing to ask.
    expect(recorded.asked).to.deep.equal([]);
    expect(recorded.notifications).to.deep.equal([
      { title: "New message from Agent Smith", body: "First", tag: "connect-chat" },
      { title: "New message from Bot", body: `${"x".repeat(119)}…`, tag: "connect-chat" },
    ]);
    await run(() => (window as unknown as Harness).record.last!.dispatchEvent(new Event("click")));
    recorded = await record();
    expect({ activated: await run(() => (window as unknown as Harness).activated), focused: recorded.focused, closed: recorded.closed })
      .to.deep.equal({ activated: 1, focused: 1, closed: 1 });
    // Coming back to the page closes the one still showing.
    await arrive(true, "Still there?");
    expect((await record()).notifications).to.have.length(3);
    await setHidden(false);
    await until(() => (window as unknown as Harness).record.closed === 2);
    expect(await title()).to.equal("Host page");
  });

  it("chimes with Web Audio, only after the Start chat click unlocked it", async () => {
    await open({ sound: true });
    await arrive(true);
    expect(await record()).to.include({ audioContexts: 0, oscillatorsStarted: 0 });
    await tab.click("#start");
    expect(await record()).to.include({ audioContexts: 1, oscillatorsStarted: 0 });
    await arrive(true);
    await arrive(false);
    expect(await record()).to.include({ audioContexts: 1, oscillatorsStarted: 1 });
    await tab.click("#start");
    await setHidden(true);
    await arrive(true);
    await setHidden(false);
    expect(await record()).to.include({ audioContexts: 1, oscillatorsStarted: 2 });
    await tab.close();

    await open({ sound: false });
    await tab.click("#start");
    await arrive(true);
    expect(await record()).to.include({ audioContexts: 0, oscillatorsStarted: 0 });
  });
});
