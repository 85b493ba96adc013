/**
 * Runs a Lambda handler behind a local route the way API Gateway's HTTP API does: the request
 * becomes a payload-2.0 event, the handler's result becomes the response.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpApiEvent, HttpApiResult } from "../handlers/http";

/** API Gateway's own payload limit; the handler applies the API's smaller one. */
const maxPayloadBytes = 10 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = maxPayloadBytes): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(Object.assign(new Error("payload too large"), { statusCode: 413 }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function toHttpApiEvent(req: IncomingMessage, body: Buffer): HttpApiEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return {
    headers,
    body: body.toString("utf8"),
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID() },
  };
}

export function sendResult(res: ServerResponse, result: HttpApiResult): void {
  res.writeHead(result.statusCode, result.headers).end(result.body);
}

export function lambdaRoute(handler: (event: HttpApiEvent) => Promise<HttpApiResult>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      sendResult(res, { statusCode: 413, headers: { "content-type": "application/json" }, body: JSON.stringify({ message: "Request Entity Too Large" }) });
      return;
    }
    sendResult(res, await handler(toHttpApiEvent(req, body)));
  };
}
