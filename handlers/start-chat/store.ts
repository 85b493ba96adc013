/** The chats table as the start-chat function uses it: read a customer's chat, record a new one. */
import type * as DynamoDB from "@aws-sdk/client-dynamodb";
import { chatsTable, type ChatClaim, type ChatRecord } from "../chats-table";
import { lazy } from "../lazy";

/** What a new record replaces: the customer's previous chat, a claim of ours, or nothing. */
export type Replaces = { contactId: string } | { claimId: string } | undefined;

export interface ChatStore {
  get(customerKey: string): Promise<ChatRecord | ChatClaim | undefined>;
  /**
   * Records `chat` as the customer's current chat if their item still holds what it `replaces`
   * (or is absent when that is undefined). False when a concurrent start got there first.
   */
  putIfCurrent(chat: ChatRecord, replaces: Replaces): Promise<boolean>;
  /** Claims an absent item, or a claim that expired before `nowSeconds`. False when another start holds it. */
  claim(claim: ChatClaim, nowSeconds: number): Promise<boolean>;
  /** Removes a claim of ours whose start failed: nothing is left behind, and the customer's next start need not wait. */
  release(claim: ChatClaim): Promise<void>;
  /** Notes that Connect said `chat` was live at `atSeconds`, while the item still holds it, active. */
  markChecked(chat: ChatRecord, atSeconds: number): Promise<void>;
}

type DynamoSdk = Pick<typeof DynamoDB, "DynamoDBClient" | "GetItemCommand" | "PutItemCommand" | "DeleteItemCommand" | "UpdateItemCommand">;

/** The function's one DynamoDB client, made on first use: the chat store and the per-client limit share it. */
export type DynamoConnection = () => { sdk: DynamoSdk; client: DynamoDB.DynamoDBClient };

/** `loadSdk` is called on first use, so a cold start pays for the SDK only when it needs it. */
export function dynamoConnection(loadSdk: () => DynamoSdk, clientConfig: DynamoDB.DynamoDBClientConfig = {}): DynamoConnection {
  return lazy(() => {
    const sdk = loadSdk();
    return { sdk, client: new sdk.DynamoDBClient(clientConfig) };
  });
}

// Only the sealed participant token: an item written before sealing keeps its clear `participantToken`
// until replaced or expired, and it is never read back (such a chat is not resumed, see seal.ts).
const stringFields = ["customerKey", "contactId", "participantId", "sealedParticipantToken", "rootContactId", "chatStatus", "transcriptLocation", "claimId"] as const;
const numberFields = ["startedAt", "checkedAt", "expiresAt", "endedAt"] as const;

export function toItem(chat: ChatRecord | ChatClaim): Record<string, DynamoDB.AttributeValue> {
  const fields = chat as Partial<Record<(typeof stringFields)[number], string> & Record<(typeof numberFields)[number], number>>;
  const item: Record<string, DynamoDB.AttributeValue> = {};
  for (const field of stringFields) if (fields[field] !== undefined) item[field] = { S: fields[field] };
  for (const field of numberFields) if (fields[field] !== undefined) item[field] = { N: String(fields[field]) };
  return item;
}

export function fromItem(item: Record<string, DynamoDB.AttributeValue>): ChatRecord | ChatClaim {
  const chat: Record<string, string | number> = {};
  for (const field of stringFields) if (item[field]?.S !== undefined) chat[field] = item[field].S;
  for (const field of numberFields) if (item[field]?.N !== undefined) chat[field] = Number(item[field].N);
  return chat as unknown as ChatRecord | ChatClaim;
}

export function dynamoChatStore(connection: DynamoConnection, tableName: string): ChatStore {
  const key = chatsTable.partitionKey;
  return {
    async get(customerKey) {
      const { sdk, client } = connection();
      const { Item } = await client.send(new sdk.GetItemCommand({ TableName: tableName, Key: { [key]: { S: customerKey } }, ConsistentRead: true }));
      return Item ? fromItem(Item) : undefined;
    },
    putIfCurrent(chat, replaces) {
      if (replaces === undefined) return put(toItem(chat), { ConditionExpression: "attribute_not_exists(#key)", ExpressionAttributeNames: { "#key": key } });
      const [field, value] = "contactId" in replaces ? ["contactId", replaces.contactId] : ["claimId", replaces.claimId];
      return put(toItem(chat), { ConditionExpression: "#field = :replaces", ExpressionAttributeNames: { "#field": field }, ExpressionAttributeValues: { ":replaces": { S: value } } });
    },
    claim(claim, nowSeconds) {
      return put(toItem(claim), {
        ConditionExpression: "attribute_not_exists(#key) OR (#status = :starting AND #expires < :now)",
        ExpressionAttributeNames: { "#key": key, "#status": "chatStatus", "#expires": chatsTable.ttlAttribute },
        ExpressionAttributeValues: { ":starting": { S: "starting" }, ":now": { N: String(nowSeconds) } },
      });
    },
    async release(claim) {
      const { sdk, client } = connection();
      try {
        await client.send(new sdk.DeleteItemCommand({
          TableName: tableName,
          Key: { [key]: { S: claim.customerKey } },
          ConditionExpression: "#claim = :claim",
          ExpressionAttributeNames: { "#claim": "claimId" },
          ExpressionAttributeValues: { ":claim": { S: claim.claimId } },
        }));
      } catch (error) {
        // Already taken over by another start, after it expired: theirs now, not ours to remove.
        if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
      }
    },
    async markChecked(chat, atSeconds) {
      const { sdk, client } = connection();
      try {
        await client.send(new sdk.UpdateItemCommand({
          TableName: tableName,
          Key: { [key]: { S: chat.customerKey } },
          ConditionExpression: "contactId = :contact AND chatStatus = :active",
          UpdateExpression: "SET checkedAt = :at",
          ExpressionAttributeValues: { ":contact": { S: chat.contactId }, ":active": { S: "active" }, ":at": { N: String(atSeconds) } },
        }));
      } catch (error) {
        // Replaced or ended meanwhile: the note no longer applies.
        if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
      }
    },
  };

  /** A conditional put: false when its condition does not hold. */
  async function put(item: Record<string, DynamoDB.AttributeValue>, condition: Pick<DynamoDB.PutItemCommandInput, "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues">): Promise<boolean> {
    const { sdk, client } = connection();
    try {
      await client.send(new sdk.PutItemCommand({ TableName: tableName, Item: item, ...condition }));
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }
}
