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

/**
 * A refusal or failure: its code (the API's, or NETWORK), and for a field the API refused, the
 * rule it broke ("must be …"), which the page words in the customer's language.
 */
export class ChatApiError extends Error {
  constructor(message: string, readonly code: string, readonly field?: string) {
    super(message);
  }
}

export async function startChat(apiUrl: string, request: StartChatRequest, authToken?: string): Promise<StartChatData> {
  let response: Response;
  try {
    response = await fetch(apiUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authToken && { authorization: `Bearer ${authToken}` }) },
      body: JSON.stringify(request),
    });
  } catch {
    throw new ChatApiError("the chat service could not be reached", "NETWORK");
  }
  const body = await response.json().catch(() => undefined) as { data?: StartChatData; error?: { code: string; message: string; field?: string } } | undefined;
  if (response.ok && body?.data?.startChatResult) return body.data;
  const error = body?.error;
  const code = error?.code ?? `HTTP_${response.status}`;
  // "name: must be …" → "must be …"
  throw new ChatApiError(error?.field ? error.message.replace(/^[^:]+: /, "") : error?.message ?? `HTTP ${response.status}`, code, error?.field);
}
