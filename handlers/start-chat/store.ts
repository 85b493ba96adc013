/** The chats table as the start-chat function uses it: read a customer's chat, record a new one. */
import type * as DynamoDB from "@aws-sdk/client-dynamodb";
import { chatsTable, type ChatRecord } from "../chats-table";
import { lazy } from "../lazy";

export interface ChatStore {
  get(customerKey: string): Promise<ChatRecord | undefined>;
  /**
   * Records `chat` as the customer's current chat if their item still holds `replacesContactId`
   * (or is absent when that is undefined). False when a concurrent start got there first.
   */
  putIfCurrent(chat: ChatRecord, replacesContactId: string | undefined): Promise<boolean>;
}

type DynamoSdk = Pick<typeof DynamoDB, "DynamoDBClient" | "GetItemCommand" | "PutItemCommand">;

const stringFields = ["customerKey", "contactId", "participantId", "participantToken", "rootContactId", "chatStatus", "transcriptLocation"] as const;
const numberFields = ["startedAt", "expiresAt", "endedAt"] as const;

export function toItem(chat: ChatRecord): Record<string, DynamoDB.AttributeValue> {
  const item: Record<string, DynamoDB.AttributeValue> = {};
  for (const field of stringFields) if (chat[field] !== undefined) item[field] = { S: chat[field] };
  for (const field of numberFields) if (chat[field] !== undefined) item[field] = { N: String(chat[field]) };
  return item;
}

export function fromItem(item: Record<string, DynamoDB.AttributeValue>): ChatRecord {
  const chat: Record<string, string | number> = {};
  for (const field of stringFields) if (item[field]?.S !== undefined) chat[field] = item[field].S;
  for (const field of numberFields) if (item[field]?.N !== undefined) chat[field] = Number(item[field].N);
  return chat as unknown as ChatRecord;
}

/** `loadSdk` is called on first use, so a cold start pays for the SDK only when it needs it. */
export function dynamoChatStore(loadSdk: () => DynamoSdk, tableName: string, clientConfig: DynamoDB.DynamoDBClientConfig = {}): ChatStore {
  const connection = lazy(() => {
    const sdk = loadSdk();
    return { sdk, client: new sdk.DynamoDBClient(clientConfig) };
  });
  const key = chatsTable.partitionKey;
  return {
    async get(customerKey) {
      const { sdk, client } = connection();
      const { Item } = await client.send(new sdk.GetItemCommand({ TableName: tableName, Key: { [key]: { S: customerKey } }, ConsistentRead: true }));
      return Item ? fromItem(Item) : undefined;
    },
    async putIfCurrent(chat, replacesContactId) {
      const { sdk, client } = connection();
      try {
        await client.send(new sdk.PutItemCommand({
          TableName: tableName,
          Item: toItem(chat),
          ...(replacesContactId === undefined
            ? { ConditionExpression: "attribute_not_exists(#key)", ExpressionAttributeNames: { "#key": key } }
            : { ConditionExpression: "#contact = :replaces", ExpressionAttributeNames: { "#contact": "contactId" }, ExpressionAttributeValues: { ":replaces": { S: replacesContactId } } }),
        }));
        return true;
      } catch (error) {
        if ((error as Error).name === "ConditionalCheckFailedException") return false;
        throw error;
      }
    },
  };
}
