/** Talks to the local stack's start-chat route the way a page does, and counts what it created. */
import { DynamoDBClient, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import type { LocalStack } from "../../local/stack";

export interface ChatResponse {
  status: number;
  headers: Headers;
  body: {
    data?: {
      startChatResult: { ContactId: string; ParticipantId: string; ParticipantToken: string };
      featurePermissions: { ATTACHMENTS: boolean; MESSAGING_MARKDOWN: boolean };
      resumed: boolean;
      resumeToken?: string;
    };
    error?: { code: string; message: string; field?: string };
  };
}

export async function postChat(stack: LocalStack, body: unknown, contentType = "application/json"): Promise<ChatResponse> {
  const response = await fetch(`${stack.url}/api/chat`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Every item of the chats table (a scan answers at most 1 MB at a time, so every page). */
export async function scanChats(stack: LocalStack, filter?: { expression: string; values: Record<string, AttributeValue> }): Promise<Record<string, AttributeValue>[]> {
  const client = new DynamoDBClient({});
  try {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({
        TableName: stack.settings.chatsTableName,
        ExclusiveStartKey: start,
        ...(filter && { FilterExpression: filter.expression, ExpressionAttributeValues: filter.values }),
      }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  } finally {
    client.destroy();
  }
}

/** Contacts the emulator holds and items the chats table holds: what a request left behind. */
export async function footprint(stack: LocalStack): Promise<{ contacts: number; items: number }> {
  return { contacts: stack.emulator.contacts().length, items: (await scanChats(stack)).length };
}
