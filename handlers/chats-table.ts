/**
 * The chats table: one item per customer, holding that customer's current (or last) chat.
 * This is the single source of truth for the table's shape; `infra/chat-api.ts` declares the
 * DynamoDB table from it and `local/dynamodb.ts` creates the same table in dynalite.
 */
export const chatsTable = {
  /**
   * Partition key: `anon#<sha256 of the resume token>` or `sub#<verified JWT sub>` for a customer's
   * chat; `client#<sha256 of an address>#<minute>` for the per-client limit's counters
   * (start-chat/client-limit.ts), which carry no contact and expire with their minute.
   */
  partitionKey: "customerKey",
  /** Key prefix of the per-client counters. */
  clientKeyPrefix: "client#",
  /** Key prefix of signed-in customers, whose participant tokens KMS seals (the key's policy requires it). */
  signedInKeyPrefix: "sub#",
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
  /**
   * The participant token handed back on resume, sealed to this customer and contact
   * (start-chat/seal.ts): never stored in the clear, never logged, and never touched by the
   * transcript watcher, which sets only the ended fields. Absent from items written before tokens
   * were sealed (they held `participantToken` in the clear); those chats are not resumed.
   */
  sealedParticipantToken?: string;
  /** First contact of the persistent-chat chain this contact continues (itself when new). */
  rootContactId: string;
  chatStatus: ChatStatus;
  /** Epoch seconds. */
  startedAt: number;
  /** Epoch seconds when Connect last said the chat was live (start-chat's liveCheckSeconds); absent: not since it started. */
  checkedAt?: number;
  /** Epoch seconds; the table's TTL attribute. */
  expiresAt: number;
  /** Set by the transcript watcher when Connect writes the transcript. */
  endedAt?: number;
  transcriptLocation?: string;
}

/**
 * A signed-in customer's first chat being started (start-chat/handler.ts): holds the customer's
 * item while one start calls Connect, so that racing starts make exactly one contact. The winner's
 * chat record replaces it; one whose start died is taken over once `expiresAt` has passed.
 */
export interface ChatClaim {
  customerKey: string;
  chatStatus: "starting";
  claimId: string;
  /** Epoch seconds. */
  expiresAt: number;
}
