/** The start-chat API as the page calls it. */
export interface StartChatData {
  startChatResult: { ContactId: string; ParticipantId: string; ParticipantToken: string };
  featurePermissions: { ATTACHMENTS: boolean; MESSAGING_MARKDOWN: boolean };
  resumed: boolean;
  resumeToken?: string;
}

export interface StartChatRequest {
  name: string;
  agent?: string;
  resumeToken?: string;
}

/** A refusal or failure, with a message meant for the customer. */
export class ChatApiError extends Error {
  constructor(message: string, readonly code: string, readonly field?: string) {
    super(message);
  }
}

const friendly: Record<string, string> = {
  THROTTLED: "We are getting a lot of chat requests. Please try again in a moment.",
  CHAT_CAPACITY: "All our agents are busy. Please try again in a few minutes.",
  UNAUTHORIZED: "Please sign in to start a chat.",
};

export async function startChat(apiUrl: string, request: StartChatRequest, authToken?: string): Promise<StartChatData> {
  let response: Response;
  try {
    response = await fetch(apiUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authToken && { authorization: `Bearer ${authToken}` }) },
      body: JSON.stringify(request),
    });
  } catch {
    throw new ChatApiError("We could not reach the chat service. Check your connection and try again.", "NETWORK");
  }
  const body = await response.json().catch(() => undefined) as { data?: StartChatData; error?: { code: string; message: string; field?: string } } | undefined;
  if (response.ok && body?.data?.startChatResult) return body.data;
  const error = body?.error;
  const code = error?.code ?? `HTTP_${response.status}`;
  // Field errors speak about what the customer typed; other failures get a plain sentence.
  const message = error?.field ? error.message.replace(/^[^:]+: /, "") : friendly[code] ?? "The chat could not be started. Please try again.";
  throw new ChatApiError(message, code, error?.field);
}
