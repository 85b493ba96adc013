/** The chats table as the transcript watcher uses it: mark a contact's chat ended. */
import type * as DynamoDB from "@aws-sdk/client-dynamodb";
import { chatsTable } from "../chats-table";
import { lazy } from "../lazy";

export type EndOutcome =
  /** The customer's current chat was this contact and is now marked ended. */
  | "ended"
  /** Nothing to do: already marked ended (a redelivery), or the customer has moved on to a newer chat. */
  | "unchanged"
  /** No chat of ours has this contact: never started here, or long replaced. Nothing is created. */
  | "unknown";

export interface EndedChats {
  markEnded(contactId: string, details: { endedAt: number; transcriptLocation: string }): Promise<EndOutcome>;
}

type DynamoSdk = Pick<typeof DynamoDB, "DynamoDBClient" | "QueryCommand" | "UpdateItemCommand">;

export function dynamoEndedChats(loadSdk: () => DynamoSdk, tableName: string, clientConfig: DynamoDB.DynamoDBClientConfig = {}): EndedChats {
  const connection = lazy(() => {
    const sdk = loadSdk();
    return { sdk, client: new sdk.DynamoDBClient(clientConfig) };
  });
  return {
    async markEnded(contactId, { endedAt, transcriptLocation }) {
      const { sdk, client } = connection();
      const { Items = [] } = await client.send(new sdk.QueryCommand({
        TableName: tableName,
        IndexName: chatsTable.contactIndex.name,
        KeyConditionExpression: "#contact = :contact",
        ExpressionAttributeNames: { "#contact": chatsTable.contactIndex.partitionKey },
        ExpressionAttributeValues: { ":contact": { S: contactId } },
      }));
      for (const item of Items) {
        try {
          // Only while this contact is still the customer's current, live chat: a transcript of an
          // older contact never closes a newer chat, and a redelivery changes nothing.
          await client.send(new sdk.UpdateItemCommand({
            TableName: tableName,
            Key: { [chatsTable.partitionKey]: item[chatsTable.partitionKey] },
            ConditionExpression: "#contact = :contact AND chatStatus = :active",
            UpdateExpression: "SET chatStatus = :ended, endedAt = :endedAt, transcriptLocation = :location",
            ExpressionAttributeNames: { "#contact": "contactId" },
            ExpressionAttributeValues: {
              ":contact": { S: contactId },
              ":active": { S: "active" },
              ":ended": { S: "ended" },
              ":endedAt": { N: String(endedAt) },
              ":location": { S: transcriptLocation },
            },
          }));
          return "ended";
        } catch (error) {
          if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
        }
      }
      return Items.length ? "unchanged" : "unknown";
    },
  };
}
