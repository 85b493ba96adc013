/**
 * The chats of the Connect emulator: contacts, their participants and their items, and who is
 * listening. The control plane, the participant service, the flow runner and the agent console all
 * work on this one state, so a message an agent sends is the message the customer's ChatJS gets.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { closeSync, existsSync, fchmodSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type { ChatItem } from "../www/src/transcript";

export type Role = "CUSTOMER" | "AGENT" | "SYSTEM";

export interface Participant {
  id: string;
  role: Role;
  displayName: string;
  /** Handed out by StartChatContact (customer) or on accept (agent); opens connections. */
  token: string;
  /** The agent's username, for agents. */
  username?: string;
  left?: boolean;
}

export interface Contact {
  id: string;
  contactFlowId: string;
  attributes: Record<string, string>;
  /** Epoch seconds. */
  initiationTimestamp: number;
  disconnectTimestamp?: number;
  continuedFromContactId?: string;
  /** The ClientToken StartChatContact was called with. */
  clientToken?: string;
  /** True once a later contact has continued this one (Connect allows that once). */
  continued?: boolean;
  participants: Participant[];
  items: ChatItem[];
  /** Where the flow sent the chat: waiting in a queue, or for a named agent. */
  routing?: { queueId?: string; agentId?: string; since: number };
  /** Flows to run on events (UpdateContactEventHooks), by hook name. */
  hooks: Record<string, string>;
  /** Set while a Wait action waits for the customer to write again. */
  onCustomerReturned?: () => void;
  /** Set while a flow waits; ending the chat stops the wait. */
  stopWaiting?: () => void;
}

export const contentTypes = {
  typing: "application/vnd.amazonaws.connect.event.typing",
  read: "application/vnd.amazonaws.connect.event.message.read",
  delivered: "application/vnd.amazonaws.connect.event.message.delivered",
  metadata: "application/vnd.amazonaws.connect.event.message.metadata",
  joined: "application/vnd.amazonaws.connect.event.participant.joined",
  left: "application/vnd.amazonaws.connect.event.participant.left",
  ended: "application/vnd.amazonaws.connect.event.chat.ended",
} as const;

/** Items Connect keeps in the transcript; typing and receipts are only passed on. */
const kept = (item: ChatItem) => item.Type === "MESSAGE" || item.Type === "ATTACHMENT"
  || (item.Type === "EVENT" && item.ContentType !== contentTypes.typing);

export const newToken = () => randomBytes(48).toString("base64url");

export function createChatState() {
  const contacts = new Map<string, Contact>();
  const listeners = new Map<string, Set<(item: ChatItem) => void>>();
  const endedHandlers: ((contact: Contact) => void)[] = [];
  /** Where the contacts are kept (`npm start -- --data DIR`); in memory only when unset. */
  let persistFile: string | undefined;

  /**
   * Writes the contacts through to the file, synchronously, on every change: nothing a client was
   * answered about is lost when the process is killed (kill -9 included), and a write cut short
   * never leaves half a file (a whole new file, then a rename over the old). They hold participant
   * tokens, so only the user may read them: mode 0600, in a 0700 directory (stack.ts).
   */
  function changed(): void {
    if (!persistFile) return;
    const temporary = `${persistFile}.tmp`;
    const fd = openSync(temporary, "w", 0o600);
    try {
      // The mode given to open applies only to a new file: a temporary one left by a crash keeps its own.
      fchmodSync(fd, 0o600);
      writeSync(fd, snapshot());
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, persistFile);
  }

  function contact(id: string): Contact | undefined {
    return contacts.get(id);
  }

  function add(created: Omit<Contact, "participants" | "items" | "hooks">, customer: { displayName: string }): { contact: Contact; customer: Participant } {
    const participant: Participant = { id: randomUUID(), role: "CUSTOMER", displayName: customer.displayName, token: newToken() };
    const record: Contact = { ...created, participants: [participant], items: [], hooks: {} };
    contacts.set(record.id, record);
    changed();
    return { contact: record, customer: participant };
  }

  function participantByToken(token: string): { contact: Contact; participant: Participant } | undefined {
    for (const record of contacts.values()) {
      const participant = record.participants.find((p) => p.token === token);
      if (participant) return { contact: record, participant };
    }
    return undefined;
  }

  /** Adds an item to a contact and hands it to everyone connected to it. */
  function post(record: Contact, from: Participant | "SYSTEM", fields: Partial<ChatItem> & Pick<ChatItem, "Type">): ChatItem {
    const item: ChatItem & { ContactId: string; InitialContactId: string } = {
      Id: randomUUID(),
      AbsoluteTime: new Date().toISOString(),
      ContactId: record.id,
      InitialContactId: record.id,
      ...(from === "SYSTEM"
        ? { ParticipantRole: "SYSTEM", DisplayName: "SYSTEM_MESSAGE" }
        : { ParticipantId: from.id, ParticipantRole: from.role, DisplayName: from.displayName }),
      ...fields,
    };
    if (kept(item)) {
      record.items.push(item);
      changed();
    }
    for (const listener of listeners.get(record.id) ?? []) listener(item);
    return item;
  }

  function listen(contactId: string, listener: (item: ChatItem) => void): () => void {
    const set = listeners.get(contactId) ?? new Set();
    set.add(listener);
    listeners.set(contactId, set);
    return () => set.delete(listener);
  }

  /** Ends the chat for everyone: Connect's chat.ended, then the transcript. */
  function end(record: Contact): void {
    if (record.disconnectTimestamp) return;
    record.disconnectTimestamp = Date.now() / 1000;
    record.routing = undefined;
    record.onCustomerReturned = undefined;
    record.stopWaiting?.();
    post(record, "SYSTEM", { Type: "EVENT", ContentType: contentTypes.ended });
    listeners.delete(record.id);
    for (const handler of endedHandlers) handler(record);
  }

  /** This contact's items after those of the chats it continues, oldest first. */
  function history(record: Contact): ChatItem[] {
    const earlier = record.continuedFromContactId ? contacts.get(record.continuedFromContactId) : undefined;
    return [...(earlier ? history(earlier) : []), ...record.items];
  }

  /** The contacts as plain data, to keep across a restart (`npm start --data DIR`). */
  function snapshot(): string {
    return JSON.stringify([...contacts.values()], (key, value) => (key === "onCustomerReturned" || key === "stopWaiting" ? undefined : value));
  }

  function restore(saved: string): void {
    for (const record of JSON.parse(saved) as Contact[]) contacts.set(record.id, record);
  }

  /** Keeps the contacts in `file` from now on: restores what it holds, then writes every change through. */
  function persistTo(file: string): void {
    if (existsSync(file)) restore(readFileSync(file, "utf8"));
    persistFile = file;
    changed();
  }

  return {
    add,
    contact,
    snapshot,
    restore,
    persistTo,
    /** Writes the contacts through after a change made outside this module (a participant added, routing set). */
    changed,
    all: () => [...contacts.values()],
    participantByToken,
    post,
    listen,
    end,
    history,
    onEnded: (handler: (contact: Contact) => void) => endedHandlers.push(handler),
  };
}

export type ChatState = ReturnType<typeof createChatState>;
