/**
 * The chats table: one item per customer, holding that customer's current (or last) chat.
 * This is the single source of truth for the table's shape; `infra/chat-api.ts` declares the
 * DynamoDB table from it and `local/dynamodb.ts` creates the same table in dynalite.
 */
export const chatsTable = {
  /** Partition key: `anon#<sha256 of the resume token>` or `sub#<verified JWT sub>`. */
  partitionKey: "customerKey",
  /** Index from a Connect contact id back to its customer, for the transcript watcher. */
  contactIndex: { name: "byContactId", partitionKey: "contactId" },
  /** Epoch seconds after which the chat can no longer be live (start + chat duration). */
  ttlAttribute: "expiresAt",
  /** Key attributes and their DynamoDB types; other attributes need no declaration. */
  keyAttributes: [
    { name: "customerKey", type: "S" },
    { name: "contactId", type: "S" },
  ],
} as const;

export type ChatStatus = "active" | "ended";

/** One chats-table item, as the handlers read and write it. */
export interface ChatRecord {
  customerKey: string;
  contactId: string;
  participantId: string;
  /** Handed back on resume. Stored encrypted at rest; never logged. */
  participantToken: string;
  /** First contact of the persistent-chat chain this contact continues (itself when new). */
  rootContactId: string;
  chatStatus: ChatStatus;
  /** Epoch seconds. */
  startedAt: number;
  /** Epoch seconds; the table's TTL attribute. */
  expiresAt: number;
  /** Set by the transcript watcher when Connect writes the transcript. */
  endedAt?: number;
  transcriptLocation?: string;
}
