/**
 * The local agent console: sign in as an agent from local/agents.json, see the chats routed to you
 * or waiting in the queue, accept one and chat. The chat itself runs on ChatJS against the
 * emulator's participant service, like the customer's, with the agent's participant token.
 */
import { openChat, type ChatConnection } from "../../www/src/chat-connection";
import { h } from "../../www/src/dom";
import { renderEntry } from "../../www/src/render-entry";
import { applyItem, emptyTranscript, type Transcript } from "../../www/src/transcript";

declare const CHATJS_FILE: string;
declare const STYLES_FILE: string;

interface Offer { contactId: string; customerName: string; forYou: boolean }
interface Active extends Offer { participantId: string; participantToken: string }

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

const status = h("p", { class: "cc-status", role: "alert" });
const queue = h("ul", { class: "ac-queue", "aria-label": "Waiting chats" });
const log = h("ol", { class: "cc-log", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" });
const typing = h("p", { class: "cc-typing", "aria-live": "polite" });
const title = h("h2", {}, "No chat open");
const message = h("textarea", { id: "ac-message", rows: "2", placeholder: "Reply to the customer", oninput: () => connection?.sendTyping() });
const compose = h("form", { class: "cc-compose", onsubmit: (event: Event) => { event.preventDefault(); void send(); } },
  h("label", { for: message.id, class: "cc-visually-hidden" }, "Reply"), message, h("button", { type: "submit" }, "Send"));
const endButton = h("button", { type: "button", onclick: () => void end() }, "End chat");
const chat = h("section", { class: "cc cc-chat agent-view", hidden: true, "aria-label": "Chat" }, h("div", { class: "cc-bar" }, title, endButton), log, typing, compose);

async function signIn(): Promise<void> {
  const agents = await json<{ username: string; displayName: string }[]>("/agent-api/agents");
  if (!agent) {
    const select = h("select", { id: "ac-agent" }, ...agents.map((a) => h("option", { value: a.username }, `${a.displayName} (${a.username})`)));
    root.replaceChildren(h("section", { class: "cc ac-signin" }, h("h1", {}, "Agent console (local)"),
      h("form", { onsubmit: (event: Event) => { event.preventDefault(); agent = select.value; sessionStorage.setItem("agent", agent); void signIn(); } },
        h("label", { for: select.id }, "Sign in as"), select, h("button", { type: "submit" }, "Sign in"))));
    return;
  }
  const me = agents.find((a) => a.username === agent);
  agentName = me?.displayName ?? agent;
  root.replaceChildren(h("h1", {}, `Agent console (local): ${me?.displayName ?? agent}`),
    h("div", { class: "ac-columns" }, h("section", { class: "cc", "aria-label": "Queue" }, h("h2", {}, "Waiting chats"), queue), chat), status);
  setInterval(() => void refresh(), 1000);
  await refresh();
}

async function refresh(): Promise<void> {
  try {
    const { offered, active } = await json<{ offered: Offer[]; active: Active[] }>(`/agent-api/contacts?agent=${encodeURIComponent(agent)}`);
    queue.replaceChildren(...(offered.length ? offered.map((offer) => h("li", {},
      h("button", { type: "button", onclick: () => void accept(offer.contactId) }, `Accept chat from ${offer.customerName}${offer.forYou ? " (asked for you)" : ""}`)))
      : [h("li", { class: "ac-empty" }, "No chats waiting.")]));
    // After a reload, carry on with the chat this agent already has.
    if (!current && active.length) await open(active[0]);
  } catch (error) {
    status.textContent = (error as Error).message;
  }
}

async function accept(contactId: string): Promise<void> {
  try {
    const accepted = await json<Active>(`/agent-api/contacts/${contactId}/accept?agent=${encodeURIComponent(agent)}`, { method: "POST" });
    await open(accepted);
  } catch (error) {
    status.textContent = (error as Error).message;
  }
}

async function open(active: Active): Promise<void> {
  current = active.contactId;
  transcript = emptyTranscript;
  chat.hidden = false;
  title.textContent = `Chat with ${active.customerName}`;
  compose.hidden = true;
  endButton.hidden = true;
  connection = await openChat({ startChatResult: { ContactId: active.contactId, ParticipantId: active.participantId, ParticipantToken: active.participantToken } },
    { scriptUrl: `/${CHATJS_FILE}`, region: "us-east-1", participantEndpoint: location.origin, self: { role: "AGENT", displayName: agentName, contentType: "text/markdown" } }, {
      item: (item) => show(item),
      typing: (item) => {
        if (item.ParticipantId === connection?.participantId) return;
        typing.textContent = `${item.DisplayName} is typing…`;
        setTimeout(() => { typing.textContent = ""; }, 6000);
      },
      ended: () => closed(),
      state: () => undefined,
    });
  for (const item of await connection.history()) show(item);
  // Replies only once the chat is connected: nothing typed before then can be lost.
  compose.hidden = false;
  endButton.hidden = false;
  message.focus();
}

function show(item: Parameters<typeof applyItem>[1]): void {
  const before = transcript;
  transcript = applyItem(transcript, item, { participantId: connection?.participantId, contactId: connection?.contactId });
  if (transcript === before) return;
  if (item.Type === "MESSAGE" && item.ParticipantRole === "CUSTOMER") {
    typing.textContent = "";
    connection?.markRead(item.Id);
  }
  log.replaceChildren(...transcript.entries.map((entry) => renderEntry(entry, { choose: () => undefined, download: () => undefined, receiptsFor: "agent" })));
  if (transcript.ended) closed();
}

async function send(): Promise<void> {
  const text = message.value.trim();
  if (!text || !connection) return;
  show(await connection.send(text));
  message.value = "";
}

async function end(): Promise<void> {
  await connection?.end().catch(() => undefined);
  closed();
}

function closed(): void {
  connection = undefined;
  current = undefined;
  compose.hidden = true;
  endButton.hidden = true;
  title.textContent = "Chat closed";
}

void signIn();
