/**
 * The local agent console: sign in as an agent from local/agents.json, see the chats routed to you
 * or waiting in the queue (who, what they wrote first, how long they have waited), accept one and
 * chat; accepting another keeps the first open, to go back to. Each chat runs on ChatJS against the
 * emulator's participant service, like the customer's, with the agent's participant token. With
 * `npm start -- --attachments` the agent can send files, with `--interactive` pickers.
 */
import { openChat, type ChatConnection, type ConnectionState } from "../../www/src/chat-connection";
import { h } from "../../www/src/dom";
import { renderEntry } from "../../www/src/render-entry";
import { english } from "../../www/src/strings";
import { applyItem, emptyTranscript, type Transcript } from "../../www/src/transcript";

declare const CHATJS_FILE: string;
declare const STYLES_FILE: string;

interface Offer { contactId: string; customerName: string; forYou: boolean; waitingSince?: number; firstMessage?: string }
interface Active extends Offer { participantId: string; participantToken: string }
/** The console's config.json: the site's, plus the tools `npm start` turned on. */
interface ConsoleConfig { attachments?: boolean; interactive?: boolean }
/** What the chat pane shows: nothing yet, a chat connecting or open, or one that ended. */
type View = "none" | "connecting" | "open" | "ended";

const interactiveContentType = "application/vnd.amazonaws.connect.message.interactive";

const root = document.getElementById("console")!;
document.head.append(h("link", { rel: "stylesheet", href: `/${STYLES_FILE}` }));
const json = async <T>(url: string, init?: RequestInit): Promise<T> => {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(((await response.json()) as { message: string }).message);
  return response.json() as Promise<T>;
};

let agent = sessionStorage.getItem("agent") ?? "";
let agentName = agent;
let connection: ChatConnection | undefined;
let current: string | undefined;
let transcript: Transcript = emptyTranscript;

let features: ConsoleConfig = {};
let typingTimer: ReturnType<typeof setTimeout> | undefined;
/** The agent's chats, each on its own ChatJS connection, kept while the pane shows another. */
const connections = new Map<string, { connection: ChatConnection; state: ConnectionState }>();
/** After a reload, the console carries on with a chat the agent has; after that, the agent picks. */
let resumeOnSignIn = true;
/** The chat in the pane (or last in it). */
let shown: Active | undefined;
/** The agent's open chats, as the last refresh saw them. */
let mine: Active[] = [];

const status = h("p", { class: "cc-status", role: "alert" });
// The queue: one card per waiting chat, kept across refreshes so focus stays where it is.
const queue = h("ul", { class: "ac-queue", "aria-labelledby": "ac-queue-title" });
const queueCount = h("span", { class: "ac-count" });
const queueEmpty = h("li", { class: "ac-empty" }, "No chats waiting.");
// The agent's other open chats, to go back to.
const yours = h("ul", { class: "ac-yours", "aria-labelledby": "ac-yours-title" });
const yoursSection = h("div", { class: "ac-yours-section", hidden: true }, h("h2", { id: "ac-yours-title" }, "Your other chats"), yours);
const offers = new Map<string, { item: HTMLLIElement; update(offer: Offer): void }>();

// The chat pane.
const log = h("ol", { class: "cc-log", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" });
const typing = h("p", { class: "cc-typing", "aria-live": "polite" });
const title = h("h2", { id: "ac-chat-title" }, "No chat open");
const subtitle = h("p", { class: "ac-chat-sub" });
const connectionStatus = h("span", { class: "cc-connection", role: "status" });
const placeholder = h("p", { class: "ac-placeholder" }, "Accept a waiting chat to start. Chats routed to you say “asked for you”.");
const message = h("textarea", { id: "ac-message", rows: "2", maxlength: "1024", placeholder: "Reply to the customer", oninput: () => connection?.sendTyping(), onkeydown: (event: Event) => {
  const key = event as KeyboardEvent;
  if (key.key === "Enter" && !key.shiftKey) { key.preventDefault(); compose.requestSubmit(); }
} });
const fileInput = h("input", { type: "file", hidden: true, onchange: () => void attach() });
const attachButton = h("button", { type: "button", hidden: true, onclick: () => fileInput.click() }, "Attach a file");
const compose = h("form", { class: "cc-compose", onsubmit: (event: Event) => { event.preventDefault(); void send(); } },
  h("label", { for: message.id, class: "cc-visually-hidden" }, "Reply"), message, fileInput, attachButton, h("button", { type: "submit" }, "Send"));
const endButton = h("button", { type: "button", onclick: () => void end() }, "End chat");

// Interactive messages (--interactive): a list picker, quick replies or a time picker, as a Lex bot or a flow would send them.
const pickerKind = h("select", { id: "ac-picker-kind", onchange: () => pickerHint.replaceChildren(choicesHint()) },
  h("option", { value: "ListPicker" }, "List picker"), h("option", { value: "QuickReply" }, "Quick replies"), h("option", { value: "TimePicker" }, "Time picker"));
const pickerTitle = h("input", { id: "ac-picker-title", maxlength: "200", required: true, placeholder: "Which order is it about?" });
const pickerChoices = h("textarea", { id: "ac-picker-choices", rows: "3", required: true });
const choicesHint = () => (pickerKind.value === "TimePicker" ? "(one time a line, like 2025-06-02 14:30)" : "(one a line; up to 6 in a list)");
const pickerHint = h("span", { class: "cc-hint" }, choicesHint());
const picker = h("details", { class: "ac-picker", hidden: true },
  h("summary", {}, "Send a picker"),
  h("form", { class: "ac-picker-form", onsubmit: (event: Event) => { event.preventDefault(); void sendPicker(); } },
    h("div", {}, h("label", { for: pickerKind.id }, "Picker"), pickerKind),
    h("div", {}, h("label", { for: pickerTitle.id }, "Question"), pickerTitle),
    h("div", { class: "ac-picker-choices" }, h("label", { for: pickerChoices.id }, "Choices ", pickerHint), pickerChoices),
    h("button", { type: "submit" }, "Send picker")));

const chat = h("section", { class: "cc-chat agent-view ac-chat", "aria-labelledby": title.id },
  h("div", { class: "cc-bar" }, h("div", { class: "ac-chat-heading" }, title, subtitle), connectionStatus, endButton),
  placeholder, log, typing, picker, compose);

const shortId = (contactId: string) => contactId.slice(0, 8);
function waited(since: number | undefined): string {
  if (!since) return "Waiting";
  const seconds = Math.max(0, Math.round((Date.now() - since) / 1000));
  if (seconds < 60) return `Waiting ${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `Waiting ${minutes} min` : `Waiting ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Shows what the pane is for now: no dead controls, nothing to type into before a chat is there. */
function view(state: View): void {
  const changed = chat.dataset.view !== state;
  chat.dataset.view = state;
  const live = state === "open";
  placeholder.hidden = state !== "none";
  log.hidden = state === "none";
  compose.hidden = !live;
  endButton.hidden = !live;
  picker.hidden = !live || !features.interactive;
  attachButton.hidden = !live || !features.attachments;
  connectionStatus.hidden = state === "none";
  if (state === "none") {
    title.textContent = "No chat open";
    subtitle.textContent = "";
  }
  if (state === "ended") setConnection("ended");
  // The reply box coming or going changes the log's height: keep its newest message in sight.
  if (changed && state !== "none") log.scrollTo({ top: log.scrollHeight, behavior: "instant" });
}

function setConnection(state: ConnectionState | "ended"): void {
  if (chat.dataset.view === "ended" && state !== "ended") return;
  const labels = { connecting: "Connecting…", connected: "Connected", reconnecting: "Reconnecting…", lost: "Connection lost", ended: "Chat ended" };
  connectionStatus.textContent = labels[state];
  connectionStatus.dataset.state = state;
}

async function signIn(): Promise<void> {
  const agents = await json<{ username: string; displayName: string }[]>("/agent-api/agents");
  if (!agent) {
    const select = h("select", { id: "ac-agent" }, ...agents.map((a) => h("option", { value: a.username }, `${a.displayName} (${a.username})`)));
    root.replaceChildren(h("section", { class: "ac-signin" }, h("h1", {}, "Agent console (local)"),
      h("p", { class: "cc-hint" }, "The agents of local/agents.json. No password: this console is for your machine only."),
      h("form", { onsubmit: (event: Event) => { event.preventDefault(); agent = select.value; sessionStorage.setItem("agent", agent); void signIn(); } },
        h("label", { for: select.id }, "Sign in as"), select, h("button", { type: "submit" }, "Sign in"))));
    select.focus();
    return;
  }
  const me = agents.find((a) => a.username === agent);
  agentName = me?.displayName ?? agent;
  features = await json<ConsoleConfig>("/agent/config.json").catch(() => ({}));
  const signOut = h("button", { type: "button", onclick: () => { sessionStorage.removeItem("agent"); location.reload(); } }, "Sign out");
  root.replaceChildren(
    h("header", { class: "ac-header" }, h("h1", {}, "Agent console (local)"), h("p", { class: "ac-me" }, `${agentName} (${agent})`), signOut),
    status,
    h("div", { class: "ac-columns" },
      h("section", { class: "ac-queue-pane", "aria-labelledby": "ac-queue-title" },
        yoursSection, h("div", { class: "ac-queue-head" }, h("h2", { id: "ac-queue-title" }, "Waiting chats"), queueCount), queue),
      chat));
  view("none");
  setInterval(() => void refresh(), 1000);
  await refresh();
}

/** One waiting chat: who, what they wrote first, how long they have waited, which contact; and Accept. */
function offerCard(offer: Offer) {
  const id = `ac-offer-${offer.contactId}`;
  const first = h("p", { id: `${id}-message`, class: "ac-offer-message" });
  const meta = h("p", { id: `${id}-meta`, class: "ac-offer-meta" });
  // The accessible name is the one the tests and screen readers know; the rest describes it.
  const button = h("button", {
    type: "button",
    "aria-label": `Accept chat from ${offer.customerName}${offer.forYou ? " (asked for you)" : ""}`,
    "aria-describedby": `${first.id} ${meta.id}`,
    onclick: () => void accept(offer.contactId),
  }, "Accept");
  const item = h("li", { class: "ac-offer" },
    h("p", { class: "ac-offer-head" }, h("span", { class: "ac-offer-name" }, offer.customerName), offer.forYou && h("span", { class: "ac-tag" }, "asked for you")),
    first, h("div", { class: "ac-offer-foot" }, meta, button));
  const update = (latest: Offer) => {
    first.textContent = latest.firstMessage ? `“${latest.firstMessage}”` : "No message yet";
    first.classList.toggle("ac-none", !latest.firstMessage);
    meta.textContent = `${waited(latest.waitingSince)} · #${shortId(latest.contactId)}`;
  };
  update(offer);
  return { item, update };
}

function showQueue(offered: Offer[]): void {
  const ids = new Set(offered.map((offer) => offer.contactId));
  for (const id of [...offers.keys()]) if (!ids.has(id)) offers.delete(id);
  for (const offer of offered) {
    const card = offers.get(offer.contactId) ?? offerCard(offer);
    offers.set(offer.contactId, card);
    card.update(offer);
  }
  const items = offered.length ? offered.map((offer) => offers.get(offer.contactId)!.item) : [queueEmpty];
  // Only when the list changed: moving an element would take the keyboard focus off it.
  if (items.length !== queue.children.length || items.some((item, index) => queue.children[index] !== item)) queue.replaceChildren(...items);
  queueCount.textContent = offered.length ? String(offered.length) : "";
}

/** The agent's chats other than the one in the pane, each a button back to it. */
function showYours(active: Active[] = mine): void {
  mine = active;
  const others = active.filter((chat) => chat.contactId !== current);
  const wanted = others.map((chat) => chat.contactId).join();
  if (yours.dataset.ids === wanted) return;
  yours.dataset.ids = wanted;
  yours.replaceChildren(...others.map((chat) => h("li", {},
    h("button", { type: "button", onclick: () => void open(chat).catch((error: Error) => { status.textContent = error.message; }) },
      `Back to ${chat.customerName}`, h("span", { class: "ac-offer-meta" }, ` #${shortId(chat.contactId)}`)))));
  yoursSection.hidden = others.length === 0;
}

async function refresh(): Promise<void> {
  try {
    const { offered, active } = await json<{ offered: Offer[]; active: Active[] }>(`/agent-api/contacts?agent=${encodeURIComponent(agent)}`);
    showQueue(offered);
    showYours(active);
    // After a reload, carry on with the chat this agent already has.
    const resume = resumeOnSignIn;
    resumeOnSignIn = false;
    if (resume && !current && active.length) await open(active[0]);
  } catch (error) {
    status.textContent = (error as Error).message;
  }
}

async function accept(contactId: string): Promise<void> {
  // At once, nothing typed can go to the chat the pane showed before.
  const before = shown;
  current = undefined;
  connection = undefined;
  title.textContent = "Accepting the chat…";
  subtitle.textContent = "";
  view("connecting");
  setConnection("connecting");
  try {
    const accepted = await json<Active>(`/agent-api/contacts/${contactId}/accept?agent=${encodeURIComponent(agent)}`, { method: "POST" });
    const opening = open(accepted);
    // The accepted chat leaves the queue now, not at the next poll.
    void refresh();
    await opening;
  } catch (error) {
    status.textContent = (error as Error).message;
    if (current === undefined) {
      if (before) void open(before).catch(() => view("none"));
      else view("none");
    }
  }
}

async function open(active: Active): Promise<void> {
  const id = active.contactId;
  current = id;
  shown = active;
  showYours();
  connection = undefined;
  transcript = emptyTranscript;
  unread.clear();
  typing.textContent = "";
  log.replaceChildren();
  title.textContent = `Chat with ${active.customerName}`;
  subtitle.textContent = `Contact #${shortId(active.contactId)}`;
  view("connecting");
  // A phone shows the queue first: bring the chat into view.
  if (matchMedia("(max-width: 48rem)").matches) chat.scrollIntoView({ block: "start" });
  setConnection(connections.get(id)?.state ?? "connecting");
  try {
    // Each chat's connection reports only while its chat is in the pane; the others wait in the map.
    let kept = connections.get(id);
    if (!kept) {
      const opened = await openChat({ startChatResult: { ContactId: id, ParticipantId: active.participantId, ParticipantToken: active.participantToken } },
        { scriptUrl: `/${CHATJS_FILE}`, region: "us-east-1", participantEndpoint: location.origin, self: { role: "AGENT", displayName: agentName, contentType: "text/markdown" } }, {
          item: (item) => { if (current === id) show(item); },
          typing: (item) => {
            if (current !== id || item.ParticipantId === active.participantId) return;
            typing.textContent = `${item.DisplayName} is typing…`;
            clearTimeout(typingTimer);
            typingTimer = setTimeout(() => { typing.textContent = ""; }, 6000);
          },
          ended: () => {
            connections.delete(id);
            if (current === id) closed();
          },
          state: (state) => {
            const entry = connections.get(id);
            if (entry) entry.state = state;
            if (current === id) setConnection(state);
          },
        });
      kept = { connection: opened, state: "connected" };
      connections.set(id, kept);
    }
    // Another chat was picked meanwhile: this one stays connected, out of sight.
    if (current !== id) return;
    connection = kept.connection;
    setConnection(kept.state);
    for (const item of await kept.connection.history()) if (current === id) show(item);
  } catch (error) {
    // Nothing half-open stays on screen.
    if (current === id) {
      connection = undefined;
      current = undefined;
      view("none");
    }
    throw error;
  }
  // Replies only once the chat is connected: nothing typed before then can be lost.
  if (current !== id || !connection) return;
  view("open");
  message.focus();
}

/**
 * The customer's messages the agent has not seen yet. Read goes out only once the console is in
 * view: in a background tab a message is Delivered (chat-connection.ts sends that as it arrives),
 * and becomes Read when the agent comes back, as in Connect's own agent workspace.
 */
const unread = new Set<string>();
function markSeen(): void {
  if (!connection || document.visibilityState !== "visible") return;
  for (const id of unread) connection.markRead(id);
  unread.clear();
}
document.addEventListener("visibilitychange", markSeen);

function show(item: Parameters<typeof applyItem>[1]): void {
  const before = transcript;
  transcript = applyItem(transcript, item, { participantId: connection?.participantId, contactId: connection?.contactId });
  if (transcript === before) return;
  if (item.Type === "MESSAGE" && item.ParticipantRole === "CUSTOMER") {
    typing.textContent = "";
    if (connection) unread.add(item.Id);
    markSeen();
  }
  log.replaceChildren(...transcript.entries.map((entry) => {
    const rendered = renderEntry(entry, { choose: () => undefined, download: (attachmentId, fileName) => void download(attachmentId, fileName), receiptsFor: "agent", strings: english });
    // A picker is the customer's to answer: here it only shows what they were offered.
    for (const choice of rendered.querySelectorAll<HTMLButtonElement>(".cc-choices button")) choice.disabled = true;
    return rendered;
  }));
  log.scrollTo({ top: log.scrollHeight, behavior: "instant" });
  if (transcript.ended) closed();
}

async function send(): Promise<void> {
  const text = message.value.trim();
  if (!text || !connection) return;
  try {
    show(await connection.send(text));
    message.value = "";
    status.textContent = "";
  } catch {
    status.textContent = "Your reply was not sent. Send it again.";
  }
}

/** The picker form as Connect's interactive-message template (admin guide: "interactive messages"). */
function pickerMessage(): string | undefined {
  const question = pickerTitle.value.trim();
  const lines = pickerChoices.value.split("\n").map((line) => line.trim()).filter(Boolean);
  if (!question || !lines.length) return void (status.textContent = "A picker needs a question and at least one choice.");
  if (pickerKind.value === "TimePicker") {
    const times = lines.map((line) => new Date(line.replace(" ", "T")));
    if (times.some((time) => Number.isNaN(time.getTime()))) return void (status.textContent = "Write each time like 2025-06-02 14:30.");
    const timeslots = times.map((time) => ({ date: time.toISOString(), duration: 30 }));
    return JSON.stringify({ templateType: "TimePicker", version: "1.0", data: { content: { title: question, timeZoneOffset: -new Date().getTimezoneOffset(), timeslots } } });
  }
  if (pickerKind.value === "ListPicker" && lines.length > 6) return void (status.textContent = "A list picker takes up to 6 choices.");
  return JSON.stringify({ templateType: pickerKind.value, version: "1.0", data: { content: { title: question, elements: lines.map((line) => ({ title: line })) } } });
}

async function sendPicker(): Promise<void> {
  const content = pickerMessage();
  if (!content || !connection) return;
  try {
    show(await connection.send(content, interactiveContentType));
    pickerTitle.value = "";
    pickerChoices.value = "";
    picker.open = false;
    status.textContent = "";
    message.focus();
  } catch {
    status.textContent = "The picker was not sent. Check it and send it again.";
  }
}

async function attach(): Promise<void> {
  const file = fileInput.files?.[0];
  fileInput.value = "";
  if (!file || !connection) return;
  try {
    await connection.sendAttachment(file);
    status.textContent = "";
  } catch {
    status.textContent = `${file.name} could not be sent. Attachments are limited in size and type.`;
  }
}

async function download(attachmentId: string, fileName: string): Promise<void> {
  try {
    const url = URL.createObjectURL(await connection!.downloadAttachment(attachmentId));
    h("a", { href: url, download: fileName }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch {
    status.textContent = `${fileName} could not be downloaded.`;
  }
}

async function end(): Promise<void> {
  // Receipts the agent owes go out first (end() waits for them); after it, none: the connection
  // token is dead once the agent has left.
  await connection?.end().catch(() => undefined);
  closed();
}

function closed(): void {
  if (current) connections.delete(current);
  shown = undefined;
  unread.clear();
  connection = undefined;
  current = undefined;
  view("ended");
}

void signIn();
