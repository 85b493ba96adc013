/**
 * The customer chat: a form (name, optional agent), then the live chat. Mounted by the page, or by
 * any site with one script tag:
 *
 *   <div id="chat"></div>
 *   <script src="https://chat.example.com/connect-chat.js" data-mount="#chat"></script>
 *
 * or from code: `ConnectChat.mount(element, { apiUrl, region })`.
 */
import { agentUsernameProblem, displayNameProblem } from "../../handlers/start-chat/rules";
import { ChatApiError, startChat, type StartChatData } from "./api";
import { openChat, type ChatConnection, type ConnectionState } from "./chat-connection";
import { h } from "./dom";
import { renderEntry } from "./render-entry";
import { applyItem, emptyTranscript, transcriptText, type ChatItem, type Transcript } from "./transcript";

/** Filled in by the build (www/build.ts). */
declare const CHATJS_FILE: string;
declare const STYLES_FILE: string;

export interface MountOptions {
  /** The start-chat endpoint. Default: `apiUrl` of `config.json` beside the script. */
  apiUrl?: string;
  /** AWS region of the Connect instance. Default: from `config.json`. */
  region?: string;
  /** Participant service URL override (the local stack). Default: from `config.json`, else AWS's. */
  participantEndpoint?: string;
  /** Signed-in mode: returns the customer's JWT for the API. */
  authToken?: () => string | Promise<string>;
  /** Heading of the form. Default "Chat with us". */
  title?: string;
}

interface SiteConfig {
  apiUrl: string;
  region: string;
  participantEndpoint?: string;
}

/** What survives a reload: enough to come back to the same chat, nothing secret but the token. */
interface Saved {
  name?: string;
  /** The agent username typed in the form, for the next new chat. */
  agent?: string;
  resumeToken?: string;
  /** A chat was open when the page went away. */
  active?: boolean;
}

const scriptUrl = (document.currentScript as HTMLScriptElement | null)?.src ?? location.href;
let mounted = 0;

async function siteConfig(options: MountOptions): Promise<SiteConfig> {
  if (options.apiUrl && options.region) return { apiUrl: options.apiUrl, region: options.region, participantEndpoint: options.participantEndpoint };
  const response = await fetch(new URL("config.json", scriptUrl), { cache: "no-cache" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = { ...(await response.json()) as SiteConfig, ...Object.fromEntries(Object.entries(options).filter(([, value]) => typeof value === "string")) };
  // Relative URLs in config.json are the site's, not those of a page that embeds the widget.
  const absolute = (url: string | undefined) => url && new URL(url, scriptUrl).href;
  return { ...config, apiUrl: absolute(config.apiUrl)!, participantEndpoint: absolute(config.participantEndpoint) };
}

function ensureStyles(): void {
  const href = new URL(STYLES_FILE, scriptUrl).href;
  if (!document.querySelector(`link[href="${href}"]`)) document.head.append(h("link", { rel: "stylesheet", href }));
}

export function mount(root: HTMLElement, options: MountOptions = {}): { unmount(): void } {
  ensureStyles();
  const id = `cc${++mounted}`;
  let config: SiteConfig | undefined;
  let storageKey = "";
  let connection: ChatConnection | undefined;
  let transcript: Transcript = emptyTranscript;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;

  const load = (): Saved => {
    try {
      return JSON.parse(localStorage.getItem(storageKey) ?? "{}") as Saved;
    } catch {
      return {};
    }
  };
  const save = (change: Saved) => {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ ...load(), ...change }));
    } catch {
      // Private browsing without storage: the chat works, it just cannot be resumed.
    }
  };

  // The form.
  const fieldError = (field: string) => h("p", { id: `${id}-${field}-error`, class: "cc-field-error", hidden: true });
  const nameError = fieldError("name");
  const agentError = fieldError("agent");
  const nameInput = h("input", { id: `${id}-name`, name: "name", autocomplete: "name", maxlength: "256", required: true, "aria-describedby": nameError.id });
  const agentInput = h("input", { id: `${id}-agent`, name: "agent", autocomplete: "off", maxlength: "100", spellcheck: "false", "aria-describedby": agentError.id });
  const startButton = h("button", { type: "submit" }, "Start chat");
  const formStatus = h("p", { class: "cc-status", role: "alert" });
  const form = h("form", { class: "cc-form", novalidate: true, onsubmit: (event: Event) => { event.preventDefault(); void submit(); } },
    h("h2", {}, options.title ?? "Chat with us"),
    h("label", { for: nameInput.id }, "Your name"), nameInput, nameError,
    h("label", { for: agentInput.id }, "Agent username ", h("span", { class: "cc-hint" }, "(optional)")), agentInput, agentError,
    startButton, formStatus);

  // The chat.
  const log = h("ol", { class: "cc-log", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" });
  const typing = h("p", { class: "cc-typing", "aria-live": "polite" });
  const connectionStatus = h("span", { class: "cc-connection", role: "status" });
  const reconnectButton = h("button", { type: "button", hidden: true, onclick: () => void resume() }, "Reconnect");
  const message = h("textarea", { id: `${id}-message`, rows: "2", maxlength: "1024", placeholder: "Write a message", oninput: () => connection?.sendTyping(), onkeydown: (event: Event) => {
    const key = event as KeyboardEvent;
    if (key.key === "Enter" && !key.shiftKey) { key.preventDefault(); compose.requestSubmit(); }
  } });
  const fileInput = h("input", { type: "file", hidden: true, onchange: () => void attach() });
  const attachButton = h("button", { type: "button", hidden: true, onclick: () => fileInput.click() }, "Attach a file");
  const compose = h("form", { class: "cc-compose", onsubmit: (event: Event) => { event.preventDefault(); void send(); } },
    h("label", { for: message.id, class: "cc-visually-hidden" }, "Message"), message, fileInput, attachButton, h("button", { type: "submit" }, "Send"));
  const endButton = h("button", { type: "button", onclick: () => void end() }, "End chat");
  const newChatButton = h("button", { type: "button", onclick: () => showForm() }, "Start a new chat");
  const chatStatus = h("p", { class: "cc-status", role: "alert" });
  const chat = h("div", { class: "cc-chat", hidden: true },
    h("div", { class: "cc-bar" }, connectionStatus, reconnectButton,
      h("button", { type: "button", onclick: () => download() }, "Download transcript"), endButton),
    log, typing, chatStatus, compose, h("div", { class: "cc-after" }, newChatButton));

  const section = h("section", { class: "cc", "aria-label": options.title ?? "Chat with us" }, form, chat);
  root.append(section);

  function showForm(status = ""): void {
    chat.hidden = true;
    form.hidden = false;
    formStatus.textContent = status;
    nameInput.value ||= load().name ?? "";
    agentInput.value ||= load().agent ?? "";
    startButton.disabled = false;
    nameInput.focus();
  }

  function showFieldError(input: HTMLInputElement, error: HTMLElement, problem: string | undefined): boolean {
    error.textContent = problem ?? "";
    error.hidden = !problem;
    input.setAttribute("aria-invalid", String(Boolean(problem)));
    return !problem;
  }

  async function submit(): Promise<void> {
    const name = nameInput.value.trim();
    const agent = agentInput.value.trim();
    const nameOk = showFieldError(nameInput, nameError, displayNameProblem(name) && `Your name ${displayNameProblem(name)}.`);
    const agentOk = showFieldError(agentInput, agentError, agent ? agentUsernameProblem(agent) && `The agent username ${agentUsernameProblem(agent)}.` : undefined);
    if (!nameOk || !agentOk) return (nameOk ? agentInput : nameInput).focus();
    formStatus.textContent = "Starting your chat…";
    startButton.disabled = true;
    save({ agent });
    try {
      await begin({ name, ...(agent && { agent }) });
    } catch (error) {
      startButton.disabled = false;
      if (error instanceof ChatApiError && (error.field === "name" || error.field === "agent")) {
        const [input, message] = error.field === "name" ? [nameInput, nameError] : [agentInput, agentError];
        formStatus.textContent = "";
        showFieldError(input, message, error.message);
        input.focus();
      } else {
        formStatus.textContent = messageOf(error);
      }
    }
  }

  function messageOf(error: unknown): string {
    return error instanceof ChatApiError ? error.message : "The chat could not be connected. Please try again.";
  }

  /** Starts or resumes the customer's chat through the API, then connects to it. */
  async function begin(request: { name: string; agent?: string }): Promise<void> {
    const token = options.authToken ? await options.authToken() : undefined;
    const data = await startChat(config!.apiUrl, { ...request, ...(load().resumeToken && !token && { resumeToken: load().resumeToken }) }, token);
    save({ name: request.name, resumeToken: data.resumeToken ?? load().resumeToken, active: true });
    await join(data);
  }

  async function join(data: StartChatData): Promise<void> {
    transcript = emptyTranscript;
    log.replaceChildren();
    chatStatus.textContent = "";
    form.hidden = true;
    chat.hidden = false;
    chat.classList.remove("cc-ended");
    attachButton.hidden = !data.featurePermissions.ATTACHMENTS;
    try {
      connection = await openChat(data, {
        scriptUrl: new URL(CHATJS_FILE, scriptUrl).href,
        region: config!.region,
        participantEndpoint: config!.participantEndpoint,
        self: { role: "CUSTOMER", displayName: load().name ?? "", contentType: "text/plain" },
      }, {
      item: (item) => show(item),
      typing: (item) => {
        if (item.ParticipantId === connection?.participantId) return;
        typing.textContent = `${item.DisplayName || "The agent"} is typing…`;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { typing.textContent = ""; }, 6000);
      },
      ended: () => ended(),
      state: (state) => setState(state),
      });
      for (const item of await connection.history()) show(item);
      message.focus();
    } catch {
      setState("lost");
      chatStatus.textContent = "We could not connect to your chat. Check your connection, then select Reconnect.";
      reconnectButton.focus();
    }
  }

  function setState(state: ConnectionState): void {
    // An ended chat stays ended, whatever its closing connection reports.
    if (chat.classList.contains("cc-ended")) return;
    const labels: Record<ConnectionState, string> = { connecting: "Connecting…", connected: "Connected", reconnecting: "Reconnecting…", lost: "Connection lost" };
    connectionStatus.textContent = navigator.onLine === false && state !== "connected" ? "You are offline" : labels[state];
    connectionStatus.dataset.state = state;
    reconnectButton.hidden = state !== "lost" || transcript.ended;
  }

  function show(item: ChatItem): void {
    const before = transcript;
    transcript = applyItem(transcript, item, { participantId: connection?.participantId, contactId: connection?.contactId });
    if (transcript === before) return;
    if (item.Type === "MESSAGE" && item.ParticipantId !== connection?.participantId) {
      typing.textContent = "";
      // Read once seen: now if the page is in view, else when it comes back (Delivered went out as it arrived).
      if (connection) unread.add(item.Id);
      markSeen();
    }
    log.replaceChildren(...transcript.entries.map((entry) => renderEntry(entry, {
      choose: (value) => void send(value),
      download: (attachmentId, fileName) => void fetchAttachment(attachmentId, fileName),
      receiptsFor: "customer",
    })));
    log.lastElementChild?.scrollIntoView?.({ block: "end" });
    if (transcript.ended && !before.ended) ended();
  }

  async function send(text = message.value.trim()): Promise<void> {
    if (!text || !connection || transcript.ended) return;
    try {
      show(await connection.send(text));
      if (text === message.value.trim()) message.value = "";
      chatStatus.textContent = "";
    } catch {
      chatStatus.textContent = "Your message was not sent. Check your connection and send it again.";
    }
  }

  async function attach(): Promise<void> {
    const file = fileInput.files?.[0];
    fileInput.value = "";
    if (!file || !connection) return;
    try {
      await connection.sendAttachment(file);
    } catch {
      chatStatus.textContent = `${file.name} could not be sent. Attachments are limited in size and type.`;
    }
  }

  async function fetchAttachment(attachmentId: string, fileName: string): Promise<void> {
    try {
      saveFile(await connection!.downloadAttachment(attachmentId), fileName);
    } catch {
      chatStatus.textContent = `${fileName} could not be downloaded.`;
    }
  }

  function saveFile(blob: Blob, fileName: string): void {
    const url = URL.createObjectURL(blob);
    h("a", { href: url, download: fileName }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function download(): void {
    saveFile(new Blob([transcriptText(transcript)], { type: "text/plain" }), `chat-${new Date().toISOString().slice(0, 10)}.txt`);
  }

  async function end(): Promise<void> {
    // The customer ended it: nothing left on this device may reopen or continue it, so the next
    // person at a shared computer starts with a blank form and a chat of their own.
    try {
      localStorage.removeItem(storageKey);
    } catch {
      // No storage: nothing was kept.
    }
    // The page says so at once; leaving Connect (which first sends the read receipts ChatJS still
    // holds, up to its 5 s throttle) finishes behind it.
    const leaving = connection;
    ended();
    try {
      await leaving?.end();
    } catch {
      // Already gone: ending it is what the customer wanted anyway.
    }
  }

  /** Messages to the customer not seen yet: the page was in a background tab when they arrived. */
  const unread = new Set<string>();
  function markSeen(): void {
    if (!connection || document.visibilityState !== "visible") return;
    for (const id of unread) connection.markRead(id);
    unread.clear();
  }

  function ended(): void {
    if (chat.classList.contains("cc-ended")) return;
    unread.clear();
    save({ active: false });
    chat.classList.add("cc-ended");
    typing.textContent = "";
    reconnectButton.hidden = true;
    connectionStatus.textContent = "Chat ended";
    connectionStatus.dataset.state = "ended";
    newChatButton.focus();
  }

  /** Comes back to the saved chat (after a reload or a lost connection). */
  async function resume(): Promise<void> {
    chatStatus.textContent = "";
    connectionStatus.textContent = "Reconnecting…";
    try {
      await begin({ name: load().name ?? "" });
    } catch (error) {
      showForm(messageOf(error));
    }
  }

  const onOnline = () => { if (connectionStatus.dataset.state !== "connected" && !chat.hidden) setState("reconnecting"); };
  const onOffline = () => { if (!chat.hidden) connectionStatus.textContent = "You are offline"; };
  window.addEventListener("online", onOnline);
  window.addEventListener("offline", onOffline);
  document.addEventListener("visibilitychange", markSeen);

  siteConfig(options).then((loaded) => {
    config = loaded;
    storageKey = `connect-chat:${loaded.apiUrl}`;
    if (load().active && load().name) void resume();
    else showForm();
  }, async () => {
    form.hidden = false;
    startButton.disabled = true;
    // config.json answers only the origins allowed to embed the chat. If it is there but not for
    // us (a no-cors request still gets through), this page's origin is not allowed: say so, and
    // tell the site's developer how to fix it.
    const reachable = await fetch(new URL("config.json", scriptUrl), { mode: "no-cors", cache: "no-cache" }).then(() => true, () => false);
    if (reachable) console.error(`connect-chat: ${location.origin} may not embed this chat. Add it to the deployment's allowedOrigins (locally: npm start -- --allow-origin ${location.origin}).`);
    formStatus.textContent = reachable ? "Chat is not available on this site." : "Chat is not available right now. Please try again later.";
  });
  form.hidden = true;

  return {
    unmount() {
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
      document.removeEventListener("visibilitychange", markSeen);
      void connection?.end().catch(() => undefined);
      section.remove();
    },
  };
}

// One script tag is enough: <script src=".../connect-chat.js" data-mount="#chat"></script>.
const selector = (document.currentScript as HTMLScriptElement | null)?.dataset.mount;
if (selector) {
  const start = () => document.querySelectorAll<HTMLElement>(selector).forEach((element) => mount(element));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}
