/**
 * Request bodies in the local stack: every route reads them here, within a limit, and what a
 * request itself gets wrong is a RequestError, which the stack's one error boundary
 * (http-guard.ts) answers with its status and `{ error: { code, message } }`. Routes that speak an
 * AWS protocol catch it first and answer in that protocol.
 */
import type { IncomingMessage } from "node:http";

/** A request the stack will not serve as sent: a 4xx, never a failure of the stack. */
export class RequestError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const MiB = 1024 * 1024;

/**
 * How large a body each route takes: the real service's documented limit where there is one and it
 * fits an emulator that keeps everything in memory, otherwise a local cap well above any request our
 * code or its SDK clients make.
 */
export const bodyLimits = {
  /**
   * API Gateway HTTP APIs: "Payload size: 10 MB", a hard quota (API Gateway developer guide,
   * "Amazon API Gateway quotas for configuring and running an HTTP API"). The start-chat handler
   * then applies the API's own 16 KB rule.
   */
  apiGateway: 10 * MiB,
  /**
   * S3 takes up to 5 GB in one PutObject ("Uploading objects", S3 user guide). The emulator holds
   * objects in memory, and a page on any site can send it a PUT, so it caps one at 64 MiB: far
   * above the transcripts our code stores (kilobytes), far below what would exhaust the process.
   */
  s3Object: 64 * MiB,
  /**
   * JSON APIs that document no request size: the Connect control plane (REST-JSON), the
   * participant service's operations, KMS (JSON 1.1) and the local agent API. Their largest valid
   * requests are tens of kilobytes (StartChatContact: 32 KB of attributes; SendMessage: 16384
   * characters; Decrypt: a 6144-byte blob in base64), so 1 MiB refuses nothing real.
   */
  jsonApi: 1 * MiB,
  // Participant attachments: Connect's 20 MB per file ("Amazon Connect feature specifications"),
  // maxAttachmentBytes in participant-service.ts. DynamoDB: dynalite's own 16 MB, DynamoDB's.
} as const;

/**
 * The body of `req`, at most `limit` bytes; beyond that, a RequestError 413 as soon as the
 * Content-Length or the bytes so far say so. The rest of the body is then read and dropped, not
 * kept: a client still uploading reads the 413 on a connection that stays open, as fetch and
 * browsers expect (closing it under them can reset the connection before they read the answer).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new RequestError(413, "PAYLOAD_TOO_LARGE", `The request body is over this route's limit of ${limit} bytes.`);
    let refused = Number(req.headers["content-length"]) > limit;
    if (refused) reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      refused = true;
      chunks.length = 0;
      reject(tooLarge());
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    // The client went away mid-body: nothing left to answer.
    req.on("error", reject);
  });
}
