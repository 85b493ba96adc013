/**
 * The customer chat widget (`connect-chat.js`), for any site, with one script tag:
 *
 *   <script src="https://chat.example.com/connect-chat.js" data-launcher></script>   a chat button
 *   <div id="chat"></div>
 *   <script src="https://chat.example.com/connect-chat.js" data-mount="#chat"></script>   in the page
 *
 * or from code: `ConnectChat.launcher(options)`, `ConnectChat.mount(element, options)`; then
 * `ConnectChat.on(event, handler)`, `open()`, `close()`, `end()`. Options: options.ts.
 */
import { createChatView, type SiteConfig, type ViewContext } from "./chat-view";
import { h } from "./dom";
import { createEmitter, type Emitter, type EventName, type Handler } from "./events";
import { chooseLanguage, directionOf, loadStrings } from "./i18n";
import { createLauncher, type Presentation } from "./launcher";
import { applyTheme, optionsFromDataset, type ChatOptions, type LauncherOptions } from "./options";

/** Filled in by the build (www/build.ts). */
declare const STYLES_FILE: string;

export type { ChatOptions, LauncherOptions } from "./options";
export type { ChatEvents } from "./events";

/** What the host page holds: an instance of the widget. */
export interface ChatController {
  on<E extends EventName>(event: E, handler: Handler<E>): () => void;
  /** Opens the launcher's panel (a mounted chat is scrolled to and focused). */
  open(): void;
  /** Minimises the launcher's panel. */
  close(): void;
  /** Ends the customer's chat, as their End chat button does. */
  end(): Promise<void>;
  unmount(): void;
}

const script = document.currentScript as HTMLScriptElement | null;
const scriptUrl = script?.src ?? location.href;
/** A nonce-based CSP on the host page: the widget's own nonce is good for what it adds. */
const scriptNonce = script?.nonce || undefined;
/** Every instance's events also reach `ConnectChat.on`. */
const everyInstance = createEmitter();
let instances = 0;
/** The instance `ConnectChat.open()` and friends act on: the newest. */
let latest: ChatController | undefined;
const waitingForInstance: ((controller: ChatController) => void)[] = [];

function ensureStyles(nonce: string | undefined): void {
  const href = new URL(STYLES_FILE, scriptUrl).href;
  if (!document.querySelector(`link[href="${href}"]`)) document.head.append(h("link", { rel: "stylesheet", href, nonce }));
}

/** Where the API is: the options, else `config.json` beside the script. Undefined: not available here, and why. */
async function siteConfig(options: ChatOptions): Promise<SiteConfig | undefined> {
  if (options.apiUrl && options.region) return { apiUrl: options.apiUrl, region: options.region, participantEndpoint: options.participantEndpoint };
  const configUrl = new URL("config.json", scriptUrl);
  try {
    const response = await fetch(configUrl, { cache: "no-cache" });
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    const given = Object.fromEntries(Object.entries(options).filter(([key, value]) => typeof value === "string" && ["apiUrl", "region", "participantEndpoint"].includes(key)));
    const config = { ...(await response.json()) as SiteConfig, ...given };
    // Relative URLs in config.json are the site's, not those of a page that embeds the widget.
    const absolute = (url: string | undefined) => url && new URL(url, scriptUrl).href;
    return { ...config, apiUrl: absolute(config.apiUrl)!, participantEndpoint: absolute(config.participantEndpoint) };
  } catch {
    return undefined;
  }
}

/** Why the chat is not available: this page's origin is not allowed, or the site is down. */
async function unavailableReason(strings: { notAvailableHere: string; notAvailable: string }): Promise<string> {
  // config.json answers only the origins allowed to embed the chat. If it is there but not for
  // us (a no-cors request still gets through), this page's origin is not allowed: say so, and
  // tell the site's developer how to fix it.
  const reachable = await fetch(new URL("config.json", scriptUrl), { mode: "no-cors", cache: "no-cache" }).then(() => true, () => false);
  if (reachable) console.error(`connect-chat: ${location.origin} may not embed this chat. Add it to the deployment's allowedOrigins (locally: npm start -- --allow-origin ${location.origin}).`);
  return reachable ? strings.notAvailableHere : strings.notAvailable;
}

/** Builds an instance once its texts and config are in; calls made before then wait for it. */
function instance(options: ChatOptions, present: (ctx: Omit<ViewContext, "inView" | "reveal">, emitter: Emitter) => Presentation & { unmount(): void; end(): Promise<void> }): ChatController {
  const emitter = createEmitter(everyInstance);
  const id = `cc${++instances}`;
  const nonce = options.nonce ?? scriptNonce;
  ensureStyles(nonce);
  let built: ReturnType<typeof present> | undefined;
  let removed = false;
  const pending: (() => void)[] = [];
  const whenBuilt = (action: () => void) => (built ? action() : void pending.push(action));

  void (async () => {
    const language = chooseLanguage(options.language, navigator.languages ?? [navigator.language]);
    const [texts, config] = await Promise.all([
      loadStrings(language, { ...options.strings, ...(options.title && { title: options.title }), ...(options.subtitle !== undefined && { subtitle: options.subtitle }) }, scriptUrl, nonce),
      siteConfig(options),
    ]);
    if (removed) return;
    // Dates and times as the customer's browser writes them in that language (en-GB: 24-hour).
    const base = texts.language.split("-")[0].toLowerCase();
    const locale = (navigator.languages ?? []).find((tag) => tag.toLowerCase().split("-")[0] === base) ?? texts.language;
    built = present({
      id, strings: texts.strings, language: texts.language, locale, options, scriptUrl, nonce, emit: emitter.emit,
      config: config ?? { unavailable: await unavailableReason(texts.strings) },
    }, emitter);
    for (const action of pending.splice(0)) action();
  })();

  const controller: ChatController = {
    on: emitter.on,
    open: () => whenBuilt(() => built!.open()),
    close: () => whenBuilt(() => built!.close()),
    end: () => new Promise((resolve) => whenBuilt(() => void built!.end().then(resolve))),
    unmount() {
      removed = true;
      built?.unmount();
      if (latest === controller) latest = undefined;
    },
  };
  latest = controller;
  for (const action of waitingForInstance.splice(0)) action(controller);
  return controller;
}

/** The widget's root attributes: language, direction, colour scheme and theme. */
function dress(element: HTMLElement, ctx: { language: string }, options: LauncherOptions): void {
  element.lang = ctx.language;
  element.dir = directionOf(ctx.language as Parameters<typeof directionOf>[0]);
  element.dataset.scheme = options.colorScheme ?? "auto";
  applyTheme(element, options.theme, options);
}

/** The chat inside an element of the page. */
export function mount(element: HTMLElement, options: ChatOptions = {}): ChatController {
  return instance(options, (ctx) => {
    const view = createChatView({
      ...ctx,
      inView: () => document.visibilityState === "visible",
      reveal: () => { window.focus(); view.root.scrollIntoView({ block: "nearest" }); },
    });
    dress(view.root, ctx, options);
    element.append(view.root);
    // In the page, the chat is what the customer came for: the name field (or the chat) has focus.
    view.focus();
    return {
      open: () => { view.root.scrollIntoView({ block: "nearest" }); view.focus(); },
      close: () => undefined,
      inView: () => document.visibilityState === "visible",
      end: view.end,
      unmount: view.unmount,
    };
  });
}

/** A chat button in a corner of the page that opens the chat in a panel. */
export function launcher(options: LauncherOptions = {}): ChatController {
  return instance(options, (ctx, emitter) => {
    const container = h("div", { class: "cc-launcher" });
    dress(container, ctx, options);
    container.dataset.position = options.position ?? (container.dir === "rtl" ? "left" : "right");
    // The view asks whether it is in view while it is built, before its launcher exists.
    const panel: { presentation?: Presentation } = {};
    const view = createChatView({ ...ctx, inView: () => panel.presentation?.inView() ?? false, reveal: () => { window.focus(); panel.presentation?.open(); } });
    dress(view.root, ctx, options);
    const presentation = panel.presentation = createLauncher({ view, strings: ctx.strings, options, storageKey: `connect-chat-panel:${new URL(scriptUrl).origin}`, emitter, container });
    document.body.append(container);
    return { ...presentation, end: view.end, unmount: () => { view.unmount(); container.remove(); } };
  });
}

/** With the newest instance: now, or as soon as the page's script tag has made one. */
function withLatest(action: (controller: ChatController) => void): void {
  if (latest) action(latest);
  else waitingForInstance.push(action);
}

/** Events of every instance on the page. */
export const on: ChatController["on"] = (event, handler) => everyInstance.on(event, handler);
export const open = (): void => withLatest((controller) => controller.open());
export const close = (): void => withLatest((controller) => controller.close());
export const end = (): Promise<void> => new Promise((resolve) => withLatest((controller) => void controller.end().then(resolve)));

// One script tag is enough: data-mount="#chat" puts the chat there; data-launcher adds the button.
if (script && ("mount" in script.dataset || "launcher" in script.dataset)) {
  const { mount: selector } = script.dataset;
  const options = optionsFromDataset(script.dataset);
  const start = () => {
    if (selector) document.querySelectorAll<HTMLElement>(selector).forEach((element) => mount(element, options));
    else launcher(options);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}
