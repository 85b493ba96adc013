/**
 * The chat as the page shows it, built from the items Connect delivers (live over the websocket,
 * or from GetTranscript after a reload or a reconnect). Pure: the same items in any order and any
 * number of times give the same transcript.
 */
import { parsePicker, type Picker } from "./interactive";
import { format, type Strings } from "./strings";

/** An item as Connect's participant service delivers it. */
export interface ChatItem {
  Id: string;
  Type: string;
  /** The contact the item belongs to; a continued chat's history holds earlier contacts' items. */
  ContactId?: string;
  ContentType?: string;
  Content?: string;
  AbsoluteTime?: string;
  ParticipantId?: string;
  ParticipantRole?: string;
  DisplayName?: string;
  Attachments?: { AttachmentId: string; AttachmentName: string; ContentType?: string; Status?: string }[];
  MessageMetadata?: { MessageId: string; Receipts?: { DeliveredTimestamp?: string; ReadTimestamp?: string; RecipientParticipantId?: string }[] };
}

export type Role = "customer" | "agent" | "system";

interface EntryBase {
  id: string;
  time: number;
  role: Role;
  name: string;
}

export type Entry =
  | (EntryBase & { kind: "message"; markdown: boolean; text: string; receipt?: "delivered" | "read" })
  | (EntryBase & { kind: "attachment"; attachmentId: string; fileName: string })
  | (EntryBase & { kind: "picker"; picker: Picker })
  | (EntryBase & { kind: "notice"; notice: Notice });

/** What a notice says happened; the words are the reader's language's (`noticeText`). */
export type Notice = "joined" | "left" | "chatEnded" | "earlierChatEnded";

export const contentTypes = {
  plain: "text/plain",
  markdown: "text/markdown",
  interactive: "application/vnd.amazonaws.connect.message.interactive",
  typing: "application/vnd.amazonaws.connect.event.typing",
  delivered: "application/vnd.amazonaws.connect.event.message.delivered",
  read: "application/vnd.amazonaws.connect.event.message.read",
  joined: "application/vnd.amazonaws.connect.event.participant.joined",
  left: "application/vnd.amazonaws.connect.event.participant.left",
  ended: "application/vnd.amazonaws.connect.event.chat.ended",
} as const;

export interface Transcript {
  entries: Entry[];
  ended: boolean;
}

export const emptyTranscript: Transcript = { entries: [], ended: false };

function roleOf(item: ChatItem): Role {
  if (item.ParticipantRole === "CUSTOMER") return "customer";
  return item.ParticipantRole === "AGENT" || item.ParticipantRole === "CUSTOM_BOT" ? "agent" : "system";
}

/** Whose view the transcript is: which participant is "me", and which contact is this chat. */
export interface Viewpoint {
  participantId?: string;
  contactId?: string;
}

/** True for items of earlier chats that this one continues. */
const earlier = (item: ChatItem, view: Viewpoint) => Boolean(item.ContactId && view.contactId && item.ContactId !== view.contactId);

/** The entry an item shows as, or undefined for items that are not shown (typing, receipts, …). */
export function entryOf(item: ChatItem, view: Viewpoint = {}): Entry | undefined {
  const base: EntryBase = {
    id: item.Id,
    time: Date.parse(item.AbsoluteTime ?? "") || 0,
    role: roleOf(item),
    // Connect names the flow's messages "SYSTEM_MESSAGE"; the page names them in its language.
    name: item.ParticipantRole === "SYSTEM" ? "" : item.DisplayName ?? "",
  };
  if (item.Type === "ATTACHMENT" && item.Attachments?.length) {
    const [file] = item.Attachments;
    return { ...base, kind: "attachment", attachmentId: file.AttachmentId, fileName: file.AttachmentName };
  }
  if (item.Type === "MESSAGE") {
    if (item.ContentType === contentTypes.interactive) {
      const picker = parsePicker(item.Content);
      return picker ? { ...base, kind: "picker", picker } : undefined;
    }
    if (item.ContentType !== contentTypes.plain && item.ContentType !== contentTypes.markdown) return undefined;
    return { ...base, kind: "message", markdown: item.ContentType === contentTypes.markdown, text: item.Content ?? "" };
  }
  if (item.Type === "EVENT") {
    const isSelf = view.participantId !== undefined && item.ParticipantId === view.participantId;
    if (item.ContentType === contentTypes.joined && !isSelf && base.role !== "system") return { ...base, kind: "notice", notice: "joined" };
    if (item.ContentType === contentTypes.left && !isSelf && base.role !== "system") return { ...base, kind: "notice", notice: "left" };
    if (item.ContentType === contentTypes.ended) return { ...base, kind: "notice", notice: earlier(item, view) ? "earlierChatEnded" : "chatEnded" };
  }
  return undefined;
}

/** Read or delivered, as Connect reports it: message metadata whose receipt has that timestamp. */
function receiptOf(item: ChatItem): "read" | "delivered" | undefined {
  const receipts = item.MessageMetadata?.Receipts ?? [];
  if (item.ContentType === contentTypes.read || receipts.some((r) => r.ReadTimestamp)) return "read";
  if (item.ContentType === contentTypes.delivered || receipts.some((r) => r.DeliveredTimestamp)) return "delivered";
  return undefined;
}

/** The transcript with `item` applied; unchanged for duplicates and for items that show nothing. */
export function applyItem(transcript: Transcript, item: ChatItem, view: Viewpoint = {}): Transcript {
  const ended = transcript.ended || (item.Type === "EVENT" && item.ContentType === contentTypes.ended && !earlier(item, view));
  const receipt = receiptOf(item);
  if (receipt && item.MessageMetadata) {
    const entries = transcript.entries.map((entry) =>
      entry.id === item.MessageMetadata!.MessageId && entry.kind === "message" && entry.receipt !== "read" ? { ...entry, receipt } : entry);
    return { entries, ended };
  }
  const entry = entryOf(item, view);
  if (!entry || transcript.entries.some((existing) => existing.id === entry.id)) return ended === transcript.ended ? transcript : { ...transcript, ended };
  const entries = [...transcript.entries];
  let at = entries.length;
  while (at > 0 && entries[at - 1].time > entry.time) at--;
  entries.splice(at, 0, entry);
  return { entries, ended };
}

/** Who an entry is from, as the reader's language names them. */
export function nameOf(entry: Entry, strings: Strings): string {
  return entry.name || (entry.role === "system" ? strings.system : entry.role === "agent" ? strings.theAgent : strings.someone);
}

/** A notice in the reader's language. */
export function noticeText(entry: Entry & { kind: "notice" }, strings: Strings): string {
  return format(strings[entry.notice], { name: nameOf(entry, strings) });
}

/** A plain-text transcript for the customer to keep, in their language and locale. */
export function transcriptText(transcript: Transcript, strings: Strings, locale?: string): string {
  return transcript.entries.map((entry) => {
    const time = entry.time ? new Date(entry.time).toLocaleString(locale) : "";
    if (entry.kind === "notice") return `${time} — ${noticeText(entry, strings)}`;
    const what = entry.kind === "message" ? entry.text
      : entry.kind === "attachment" ? `[${format(strings.attachment, { file: entry.fileName })}]`
        : `${entry.picker.title}: ${entry.picker.choices.map((c) => c.label).join(" | ")}`;
    return `${time} ${nameOf(entry, strings)}: ${what}`;
  }).join("\n") + "\n";
}
