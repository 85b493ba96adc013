/**
 * The per-client limit on new chats: one client may start only so many chats a minute, so a loop
 * from one address cannot fill the contact centre's chat quota while other customers keep starting
 * theirs. Resumes never count. The counters are items of the chats table (`client#…` keys, see
 * handlers/chats-table.ts) that expire with their minute: one conditional UpdateItem per new chat.
 */
import { chatsTable } from "../chats-table";
import { sha256 } from "./customer";
import type { DynamoConnection } from "./store";

export interface NewChatLimiter {
  /** Counts one new chat for `client`; the seconds to wait when the client is over its limit. */
  take(client: string, nowMs: number): Promise<{ retryAfter?: number }>;
}

const windowSeconds = 60;

/** A limiter that allows every start: the limit is off (0). */
export const noNewChatLimit: NewChatLimiter = { take: async () => ({}) };

export function dynamoNewChatLimiter(connection: DynamoConnection, tableName: string, perMinute: number): NewChatLimiter {
  if (perMinute === 0) return noNewChatLimit;
  return {
    async take(client, nowMs) {
      const { sdk, client: dynamo } = connection();
      const windowStart = Math.floor(nowMs / 1000 / windowSeconds) * windowSeconds;
      const windowEnd = windowStart + windowSeconds;
      try {
        await dynamo.send(new sdk.UpdateItemCommand({
          TableName: tableName,
          // The address is hashed: the table keeps no IP addresses.
          Key: { [chatsTable.partitionKey]: { S: `${chatsTable.clientKeyPrefix}${sha256(client)}#${windowStart}` } },
          UpdateExpression: "ADD #starts :one SET #expires = :expires",
          ConditionExpression: "attribute_not_exists(#starts) OR #starts < :limit",
          ExpressionAttributeNames: { "#starts": "starts", "#expires": chatsTable.ttlAttribute },
          ExpressionAttributeValues: { ":one": { N: "1" }, ":limit": { N: String(perMinute) }, ":expires": { N: String(windowEnd) } },
        }));
        return {};
      } catch (error) {
        if ((error as Error).name === "ConditionalCheckFailedException") return { retryAfter: Math.max(1, Math.ceil(windowEnd - nowMs / 1000)) };
        throw error;
      }
    },
  };
}
