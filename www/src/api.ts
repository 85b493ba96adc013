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
  /** The chat the API last handed back, which the participant service then refused as over. */
  endedChat?: string;
}

/**
 * A refusal or failure: its code (the API's, or NETWORK), and for a field the API refused, the
 * rule it broke ("must be …"), which the page words in the customer's language. `status` and
 * `retryAfter` (seconds) are the answer's, when there was one: what patience.ts decides on.
 */
export class ChatApiError extends Error {
  constructor(message: string, readonly code: string, readonly field?: string, readonly status?: number, readonly retryAfter?: number) {
    super(message);
  }
}

/** Retry-After in seconds: a number of them, or an HTTP date. Readable from another origin only as CORS exposes it. */
function retryAfterOf(response: Response): number | undefined {
  const value = response.headers.get("retry-after")?.trim();
  if (!value) return undefined;
  const seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isNaN(seconds) ? undefined : Math.max(0, seconds);
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
  const body = await response.json().catch(() => undefined) as { data?: StartChatData; error?: { code: string; message: string; field?: string }; message?: string } | undefined;
  if (response.ok && body?.data?.startChatResult) return body.data;
  const error = body?.error;
  const code = error?.code ?? `HTTP_${response.status}`;
  // "name: must be …" → "must be …"; API Gateway's own answers are { "message": … }.
  const message = error?.field ? error.message.replace(/^[^:]+: /, "") : error?.message ?? body?.message ?? `HTTP ${response.status}`;
  throw new ChatApiError(message, code, error?.field, response.status, retryAfterOf(response));
}
