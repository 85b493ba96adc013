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

/** Contacts the emulator holds and items the chats table holds: what a request left behind. */
export async function footprint(stack: LocalStack): Promise<{ contacts: number; items: number }> {
  const client = new DynamoDBClient({});
  try {
    // A scan answers at most 1 MB at a time: count every page.
    let items = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: stack.settings.chatsTableName, Select: "COUNT", ExclusiveStartKey: start }));
      items += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return { contacts: stack.emulator.contacts().length, items };
  } finally {
    client.destroy();
  }
}
