/**
 * The customer's chat: a header with the branding, a form (name, optional agent), then the live
 * chat, which stays after it ends until the customer starts another. The same view is mounted in a
 * page or shown in the launcher's panel (launcher.ts).
 */
import { agentUsernameProblem, displayNameProblem } from "../../handlers/start-chat/rules";
import { ChatApiError, startChat, type StartChatData } from "./api";
import { createAttention } from "./attention";
import type { ChatConnection, ConnectionState } from "./chat-connection";
import type { Composer } from "./composer";
import { h } from "./dom";
import type { Emitter } from "./events";
import { loadGlobal } from "./load-script";
import type { ChatOptions } from "./options";
import type { pageContextAttributes } from "./page-context";
import { nextTry, retryable, startPatiently } from "./patience";
import { chatPartsGlobal } from "./script-globals";
import { format, type Strings } from "./strings";
import { emptyTranscript, type ChatItem } from "./transcript";

/** Filled in by the build (www/build.ts). */
declare const CHATJS_FILE: string;
declare const CHAT_PARTS_FILE: string;

type ChatParts = typeof import("./chat-parts");

/** Where the chat's API and Connect are: config.json beside the script, or the mount options. */
export interface SiteConfig {
  apiUrl: string;
  region: string;
  participantEndpoint?: string;
  /** Page-context attributes the deployment accepts, sent with each new chat. */
  pageContext?: string[];
}

export interface ViewContext {
  id: string;
  /** The site's config, or why there is none (the chat then says it is not available). */
  config: SiteConfig | { unavailable: string };
  strings: Strings;
  language: string;
  /** The locale dates and times are shown in. */
  locale: string;
  options: ChatOptions;
  /** The widget script's URL: ChatJS is served beside it. */
  scriptUrl: string;
  nonce?: string;
  emit: Emitter["emit"];
  /** Whether the customer can see the chat now: the page is visible, and the panel (if any) is open. */
  inView(): boolean;
  /** The chat wants to be seen (a notification was clicked). */
  reveal(): void;
}

export interface ChatView {
  /** The `.cc` root: header, form and chat. */
  root: HTMLElement;
  /** Where the launcher puts its buttons. */
  headerActions: HTMLElement;
  /** Moves focus to what the customer would use next. */
  focus(): void;
  /** The customer sees the chat now: read receipts go out, the page's title and icon come back. */
  seen(): void;
  end(): Promise<void>;
  /** After a chat ended: back to the form. */
  reset(): void;
  isEnded(): boolean;
  unmount(): void;
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

/** Where each page-context attribute (options.ts) comes from. */
const pageContextValues: Record<(typeof pageContextAttributes)[number], () => string> = {
  pageUrl: () => location.href,
  pageTitle: () => document.title,
};


export function createChatView(ctx: ViewContext): ChatView {
  const { id, strings, options } = ctx;
  const config = "apiUrl" in ctx.config ? ctx.config : undefined;
  const storageKey = config ? `connect-chat:${config.apiUrl}` : "";
  let connection: ChatConnection | undefined;
  let parts: ChatParts | undefined;
  /** The chat on screen, as the API handed it over: what reconnecting by itself goes back to. */
  let current: StartChatData | undefined;
  let composer: Composer | undefined;
  let transcript = emptyTranscript;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retries = 0;
  let state: ConnectionState | "ended" | undefined;
  /**
   * The waits of a start or a connect that meets a busy service (patience.ts). Each belongs to a
   * run; resetting the view or unmounting it starts a new run, and a wait of an old one never ends.
   */
  let run = 0;
  let waitTimer: ReturnType<typeof setTimeout> | undefined;
  let historyTimer: ReturnType<typeof setTimeout> | undefined;
  const cancelled = new Error("cancelled");
  const patience = { patienceSeconds: options.patienceSeconds };
  const attention = createAttention({ strings, sound: options.sound, desktop: options.notifications, activate: () => ctx.reveal() });

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

  // The header.
  const title = h("h2", { id: `${id}-title`, class: "cc-title" }, options.title ?? strings.title);
  const subtitleText = options.subtitle ?? strings.subtitle;
  const headerActions = h("div", { class: "cc-header-actions" });
  const header = h("header", { class: "cc-header" },
    options.logo && h("img", { class: "cc-logo", src: options.logo, alt: "" }),
    h("div", { class: "cc-heading" }, title, subtitleText && h("p", { class: "cc-subtitle" }, subtitleText)),
    headerActions);

  // The form.
  const fieldError = (field: string) => h("p", { id: `${id}-${field}-error`, class: "cc-field-error", hidden: true });
  const nameError = fieldError("name");
  const agentError = fieldError("agent");
  const nameInput = h("input", { id: `${id}-name`, name: "name", autocomplete: "name", maxlength: "256", required: true, "aria-describedby": nameError.id });
  const agentInput = h("input", { id: `${id}-agent`, name: "agent", autocomplete: "off", maxlength: "100", spellcheck: "false", dir: "ltr", "aria-describedby": agentError.id });
  const startButton = h("button", { type: "submit", class: "cc-primary" }, strings.start);
  const formStatus = h("p", { class: "cc-status", role: "alert" });
  // What is under way (starting, or waiting for a busy service): polite, never an alert.
  const formNote = h("p", { class: "cc-note", role: "status" });
  const form = h("form", { class: "cc-form", novalidate: true, "aria-labelledby": title.id, onsubmit: (event: Event) => { event.preventDefault(); void submit(); } },
    h("label", { for: nameInput.id }, strings.nameLabel), nameInput, nameError,
    h("label", { for: agentInput.id }, `${strings.agentLabel} `, h("span", { class: "cc-hint" }, strings.optional)), agentInput, agentError,
    startButton, formNote, formStatus);

  // The chat.
  // The log region holds a list: the entries stay list items to assistive technology.
  const entries = h("ol", { class: "cc-entries" });
  const log = h("div", { class: "cc-log", role: "log", "aria-live": "polite", "aria-label": strings.messages, tabindex: "0" }, entries);
  const typing = h("p", { class: "cc-typing", "aria-live": "polite" });
  const connectionStatus = h("span", { class: "cc-connection", role: "status" });
  const reconnectButton = h("button", { type: "button", hidden: true, onclick: () => void resume() }, strings.reconnect);
  const endButton = h("button", { type: "button", class: "cc-end", onclick: () => void end() }, strings.end);
  const newChatButton = h("button", { type: "button", class: "cc-primary", onclick: () => showForm() }, strings.newChat);
  const chatStatus = h("p", { class: "cc-status", role: "alert" });
  const after = h("div", { class: "cc-after" }, newChatButton);
  const chat = h("div", { class: "cc-chat", hidden: true },
    h("div", { class: "cc-bar" }, connectionStatus, reconnectButton,
      h("button", { type: "button", onclick: () => download() }, strings.downloadTranscript), endButton),
    log, typing, chatStatus, after);

  const root = h("section", { id, class: "cc", "aria-labelledby": title.id }, header, h("div", { class: "cc-main" }, form, chat));

  function showForm(status = ""): void {
    clearTimeout(retryTimer);
    stopWaiting();
    chat.hidden = true;
    form.hidden = false;
    formStatus.textContent = status;
    formNote.textContent = "";
    connectionStatus.dataset.state = "";
    nameInput.value ||= load().name ?? "";
    agentInput.value ||= load().agent ?? "";
    startButton.disabled = !config;
    if (ctx.inView()) nameInput.focus();
  }

  function showFieldError(input: HTMLInputElement, error: HTMLElement, problem: string | undefined): boolean {
    error.textContent = problem ?? "";
    error.hidden = !problem;
    input.setAttribute("aria-invalid", String(Boolean(problem)));
    return !problem;
  }

  async function submit(): Promise<void> {
    // A customer gesture: the one moment notification permission may be asked and sound unlocked.
    attention.prepare();
    const name = nameInput.value.trim();
    const agent = agentInput.value.trim();
    const nameProblem = displayNameProblem(name);
    const agentProblem = agent ? agentUsernameProblem(agent) : undefined;
    const nameOk = showFieldError(nameInput, nameError, nameProblem && format(strings.nameInvalid, { problem: nameProblem }));
    const agentOk = showFieldError(agentInput, agentError, agentProblem && format(strings.agentInvalid, { problem: agentProblem }));
    if (!nameOk || !agentOk) return (nameOk ? agentInput : nameInput).focus();
    formStatus.textContent = "";
    formNote.textContent = strings.starting;
    startButton.disabled = true;
    save({ agent });
    try {
      await begin({ name, ...(agent && { agent }), ...pageContext() });
    } catch (error) {
      if (error === cancelled) return;
      startButton.disabled = false;
      formNote.textContent = "";
      if (error instanceof ChatApiError && (error.field === "name" || error.field === "agent")) {
        const [input, message, template] = error.field === "name" ? [nameInput, nameError, strings.nameInvalid] : [agentInput, agentError, strings.agentInvalid];
        formStatus.textContent = "";
        showFieldError(input, message, format(template, { problem: error.message }));
        input.focus();
      } else {
        formStatus.textContent = failure(error);
      }
    }
  }

  /** The page-context attributes the deployment accepts, as this page has them. */
  function pageContext(): { attributes?: Record<string, string> } {
    const names = (config?.pageContext ?? []).filter((name): name is keyof typeof pageContextValues => name in pageContextValues);
    // eslint-disable-next-line no-control-regex -- the API refuses control characters in attributes
    const clean = (value: string) => value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ").slice(0, 1024);
    return names.length ? { attributes: Object.fromEntries(names.map((name) => [name, clean(pageContextValues[name]())])) } : {};
  }

  /** The customer's sentence for a failure, also told to the host page (once: not for each try). */
  function failure(error: unknown): string {
    const api = error instanceof ChatApiError ? error : undefined;
    const code = api?.code ?? "CONNECTION";
    const known: Record<string, string> = { CHAT_CAPACITY: strings.errorCapacity, UNAUTHORIZED: strings.errorUnauthorized, NETWORK: strings.errorNetwork };
    // Busy for the whole patience (or asked to wait longer than it): one calm sentence.
    const message = known[code] ?? (api && retryable(api.status, code) ? strings.errorThrottled : strings.errorStart);
    ctx.emit("error", { code, message });
    return message;
  }

  /** A wait of the current run (see `run`): it never ends once the view is reset or gone. */
  const pause = (mine: number, ms: number) => new Promise<void>((resolve, reject) => {
    if (mine !== run) return reject(cancelled);
    waitTimer = setTimeout(() => (mine === run ? resolve() : reject(cancelled)), ms);
  });

  function stopWaiting(): void {
    run++;
    clearTimeout(waitTimer);
  }

  /** The service is busy and the widget tries again by itself: calm words, where the customer looks. */
  function showWaiting(): void {
    if (!form.hidden) return void (formNote.textContent = strings.waiting);
    connectionStatus.textContent = strings.waiting;
    connectionStatus.dataset.state = "waiting";
  }

  /**
   * Starts or resumes the customer's chat through the API, patiently while it is busy (429/503:
   * patience.ts), then connects to it. `endedChat`: the chat it handed back before is over.
   */
  async function begin(request: { name: string; agent?: string; attributes?: Record<string, string> }, endedChat?: string): Promise<void> {
    const mine = run;
    const data = await startPatiently({
      startChat: async () => {
        if (mine !== run) throw cancelled;
        const token = options.authToken ? await options.authToken() : undefined;
        // Read at each try: a chat another tab of this customer started meanwhile is joined, not doubled.
        const resumeToken = load().resumeToken;
        return startChat(config!.apiUrl, { ...request, ...(resumeToken && !token && { resumeToken }), ...(endedChat && { endedChat }) }, token);
      },
      sleep: (ms) => pause(mine, ms),
      now: Date.now,
      onWait: showWaiting,
      ...patience,
    });
    if (mine !== run) throw cancelled;
    const contactId = data.startChatResult.ContactId;
    save({ name: request.name, resumeToken: data.resumeToken ?? load().resumeToken, active: contactId !== endedChat });
    // Handed the same chat again: it is over after all.
    if (contactId === endedChat) return ended();
    ctx.emit(data.resumed ? "resumed" : "started", { contactId });
    // A chat handed back as resumed may have ended meanwhile (the API need not ask Connect): if the
    // participant service says so, the API is asked once more, told so.
    await join(data, data.resumed && !endedChat ? () => begin(request, contactId).catch((error) => void (error !== cancelled && showForm(failure(error)))) : undefined);
  }

  /** The chat's code, loaded the first time a chat opens; the composer comes with it. */
  async function chatParts(): Promise<ChatParts> {
    parts ??= await loadGlobal<ChatParts>(new URL(CHAT_PARTS_FILE, ctx.scriptUrl).href, chatPartsGlobal, ctx.nonce);
    if (!composer) {
      composer = parts.createComposer({
        id,
        strings,
        send: (text) => void send(text),
        typing: () => connection?.sendTyping(),
        attach: (file) => void attach(file),
      });
      chat.insertBefore(composer.form, after);
    }
    return parts;
  }

  /** Shows the chat the API handed over, and connects to it; `reask` if it turns out over. */
  async function join(data: StartChatData, reask?: () => Promise<void>): Promise<void> {
    if (current?.startChatResult.ContactId !== data.startChatResult.ContactId) {
      transcript = emptyTranscript;
      entries.replaceChildren();
    }
    current = data;
    chatStatus.textContent = "";
    form.hidden = true;
    chat.hidden = false;
    chat.classList.remove("cc-ended");
    state = undefined;
    const mine = run;
    const began = Date.now();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await connectTo(data);
          break;
        } catch (error) {
          // The participant service's rate, met in a crowd: tried again, calmly, within the patience.
          const next = parts?.throttled(error) && nextTry({ status: 429, code: "THROTTLED", attempt, elapsedMs: Date.now() - began }, patience);
          if (!next || !next.retry) throw error;
          showWaiting();
          await pause(mine, next.waitMs);
        }
      }
      if (ctx.inView()) composer!.focus();
    } catch (error) {
      if (error === cancelled) return;
      if (parts?.chatOver(error)) return reask ? reask() : ended();
      setState("lost");
      chatStatus.textContent = parts?.throttled(error) ? strings.errorThrottled : strings.connectFailed;
      ctx.emit("error", { code: "CONNECTION", message: chatStatus.textContent });
      if (ctx.inView()) reconnectButton.focus();
    }
  }

  /** ChatJS on the chat, then its transcript so far (what is shown already stays, once). */
  async function connectTo(data: StartChatData): Promise<void> {
    clearTimeout(retryTimer);
    clearTimeout(historyTimer);
    connection?.close();
    connection = undefined;
    const { openChat } = await chatParts();
    const markdown = data.featurePermissions.MESSAGING_MARKDOWN;
    composer!.setFeatures({ markdown, attachments: data.featurePermissions.ATTACHMENTS });
    connection = await openChat(data, {
      scriptUrl: new URL(CHATJS_FILE, ctx.scriptUrl).href,
      nonce: ctx.nonce,
      region: config!.region,
      participantEndpoint: config!.participantEndpoint,
      self: { role: "CUSTOMER", displayName: load().name ?? "", contentType: markdown ? "text/markdown" : "text/plain" },
    }, {
      item: (item) => show(item, true),
      typing: (item) => {
        if (item.ParticipantId === connection?.participantId) return;
        typing.textContent = format(strings.typing, { name: item.DisplayName || strings.theAgent });
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { typing.textContent = ""; }, 6000);
      },
      ended: () => ended(),
      state: (next) => setState(next),
    });
    await catchUp(connection);
  }

  /**
   * The transcript so far onto the screen. A read the participant service throttles fails nothing:
   * the chat is connected, and the read is tried again a little later (jittered, patience.ts).
   */
  async function catchUp(reader: ChatConnection, attempt = 1, since = Date.now()): Promise<void> {
    try {
      for (const item of await reader.history()) show(item, false);
    } catch (error) {
      const next = parts!.throttled(error) && nextTry({ status: 429, code: "THROTTLED", attempt, elapsedMs: Date.now() - since }, patience);
      if (!next) throw error;
      if (next.retry) historyTimer = setTimeout(() => void (reader === connection && catchUp(reader, attempt + 1, since).catch(() => undefined)), next.waitMs);
    }
  }

  /**
   * Back into the chat on screen after ChatJS gave up: a new connection with the participant token
   * it has, never the start-chat API, which would start a new chat if this one ended meanwhile.
   */
  let reopening: Promise<void> | undefined;
  function reopen(): Promise<void> {
    clearTimeout(retryTimer);
    reopening ??= (async () => {
      try {
        if (current && state !== "ended") await connectTo(current);
      } catch (error) {
        if (parts?.chatOver(error)) ended();
        else setState("lost");
      }
    })().finally(() => { reopening = undefined; });
    return reopening;
  }

  function setState(next: ConnectionState): void {
    // An ended chat stays ended, whatever its closing connection reports.
    if (state === "ended") return;
    state = next;
    const labels: Record<ConnectionState, string> = { connecting: strings.connecting, connected: strings.connected, reconnecting: strings.reconnecting, lost: strings.lost };
    // The browser knows it is offline before any socket does: say so, whatever ChatJS reports.
    // While the service is busy, its calm words stay until the chat is connected.
    if (next !== "connecting" || connectionStatus.dataset.state !== "waiting") {
      connectionStatus.textContent = navigator.onLine === false ? strings.offline : labels[next];
      connectionStatus.dataset.state = next;
    }
    reconnectButton.hidden = next !== "lost";
    if (next === "connected") retries = 0;
    if (next === "lost") retryLater();
  }

  /** A lost chat is reopened by itself: soon, then less often (up to a minute); at once when back online or in view. */
  function retryLater(): void {
    clearTimeout(retryTimer);
    if (navigator.onLine === false) return;
    const delay = Math.min(2000 * 2 ** retries++, 60_000) * (0.5 + Math.random() / 2);
    retryTimer = setTimeout(() => void reopen(), delay);
  }

  function show(item: ChatItem, live: boolean): void {
    if (!parts) return;
    const { applyItem, nameOf, renderEntry } = parts;
    const before = transcript;
    transcript = applyItem(transcript, item, { participantId: connection?.participantId, contactId: connection?.contactId });
    if (transcript === before) return;
    const fromOther = item.ParticipantId !== connection?.participantId && item.ParticipantRole !== "CUSTOMER";
    if (item.Type === "MESSAGE" && fromOther) {
      typing.textContent = "";
      // Read once seen: now if the chat is in view, else when it comes back (Delivered went out as it arrived).
      if (connection) unread.add(item.Id);
      if (live) {
        const entry = transcript.entries.find((e) => e.id === item.Id);
        const from = entry ? nameOf(entry, strings) : strings.theAgent;
        const text = entry?.kind === "message" ? entry.text : entry?.kind === "picker" ? entry.picker.title : "";
        const away = !ctx.inView();
        ctx.emit("message", { id: item.Id, from, role: item.ParticipantRole === "SYSTEM" ? "system" : "agent", text, time: item.AbsoluteTime ?? "" });
        attention.arrived({ from, text, away });
      }
      markSeen();
    }
    if (live && item.Type === "EVENT" && item.ContentType?.endsWith("participant.joined") && item.ParticipantRole === "AGENT") {
      ctx.emit("agentJoined", { name: item.DisplayName ?? "" });
    }
    entries.replaceChildren(...transcript.entries.map((entry) => renderEntry(entry, {
      choose: (value) => void send(value),
      download: (attachmentId, fileName) => void fetchAttachment(attachmentId, fileName),
      receiptsFor: "customer",
      strings,
      locale: ctx.locale,
    })));
    entries.lastElementChild?.scrollIntoView?.({ block: "end" });
    if (transcript.ended && !before.ended) ended();
  }

  async function send(text: string): Promise<void> {
    if (!text || !connection || transcript.ended) return;
    try {
      show(await connection.send(text), false);
      if (text === composer?.textarea.value.trim()) composer.clear();
      chatStatus.textContent = "";
    } catch {
      chatStatus.textContent = strings.sendFailed;
    }
  }

  async function attach(file: File): Promise<void> {
    if (!connection) return;
    try {
      await connection.sendAttachment(file);
    } catch {
      chatStatus.textContent = format(strings.attachFailed, { file: file.name });
    }
  }

  async function fetchAttachment(attachmentId: string, fileName: string): Promise<void> {
    try {
      saveFile(await connection!.downloadAttachment(attachmentId), fileName);
    } catch {
      chatStatus.textContent = format(strings.downloadFailed, { file: fileName });
    }
  }

  function saveFile(blob: Blob, fileName: string): void {
    const url = URL.createObjectURL(blob);
    h("a", { href: url, download: fileName }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function download(): void {
    if (!parts) return;
    saveFile(new Blob([parts.transcriptText(transcript, strings, ctx.locale)], { type: "text/plain" }), `chat-${new Date().toISOString().slice(0, 10)}.txt`);
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

  /** Messages to the customer not seen yet: the chat was out of view when they arrived. */
  const unread = new Set<string>();
  function markSeen(): void {
    if (!connection || !ctx.inView()) return;
    for (const messageId of unread) connection.markRead(messageId);
    unread.clear();
    attention.seen();
  }

  function ended(): void {
    if (state === "ended") return;
    clearTimeout(retryTimer);
    stopWaiting();
    state = "ended";
    unread.clear();
    save({ active: false });
    chat.classList.add("cc-ended");
    typing.textContent = "";
    reconnectButton.hidden = true;
    connectionStatus.textContent = strings.ended;
    connectionStatus.dataset.state = "ended";
    ctx.emit("ended", { contactId: current?.startChatResult.ContactId ?? "" });
    // The chat stays: the disconnect flow's last words (a goodbye, a survey) still arrive and show.
    if (ctx.inView()) newChatButton.focus();
  }

  /** Comes back to the saved chat (after a reload, a lost connection, or another tab starting it). */
  async function resume(): Promise<void> {
    if (state === "ended" || !load().active) return;
    chatStatus.textContent = "";
    connectionStatus.textContent = strings.reconnecting;
    try {
      await begin({ name: load().name ?? "" });
    } catch (error) {
      if (error !== cancelled) showForm(failure(error));
    }
  }

  const onOnline = () => {
    if (state === "lost") void reopen();
    else if (state && state !== "ended") setState(state);
  };
  const onOffline = () => { if (!chat.hidden && state !== "ended") connectionStatus.textContent = strings.offline; };
  const onVisible = () => {
    if (document.visibilityState !== "visible") return;
    // Back from sleep: a connection that broke meanwhile is retried now, not at the next backoff step.
    if (state === "lost" && navigator.onLine !== false) void reopen();
    markSeen();
  };
  // Another tab of this customer started (or came back to) a chat: show the same one here.
  const onStorage = (event: StorageEvent) => {
    // (Not while this tab is starting one itself: its next try, if any, joins that chat.)
    if (event.key === storageKey && !form.hidden && !startButton.disabled && load().active && load().resumeToken) void resume();
  };
  window.addEventListener("online", onOnline);
  window.addEventListener("offline", onOffline);
  window.addEventListener("storage", onStorage);
  document.addEventListener("visibilitychange", onVisible);

  if (!config) {
    showForm(ctx.config && "unavailable" in ctx.config ? ctx.config.unavailable : strings.notAvailable);
  } else if (load().active && load().name) {
    chat.hidden = false;
    form.hidden = true;
    void resume();
  } else {
    showForm();
  }

  return {
    root,
    headerActions,
    focus() {
      if (!form.hidden) (formStatus.textContent && !config ? formStatus : nameInput).focus();
      else if (state === "ended") newChatButton.focus();
      else if (!reconnectButton.hidden) reconnectButton.focus();
      else composer?.focus();
    },
    seen: markSeen,
    end,
    reset: () => showForm(),
    isEnded: () => state === "ended",
    unmount() {
      clearTimeout(retryTimer);
      clearTimeout(historyTimer);
      stopWaiting();
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
      window.removeEventListener("storage", onStorage);
      document.removeEventListener("visibilitychange", onVisible);
      attention.dispose();
      connection?.close();
      root.remove();
    },
  };
}
