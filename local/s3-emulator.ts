/**
 * Amazon S3, emulated for the local stack as far as our handlers use it: PutObject and GetObject,
 * path-style, in S3's REST-XML protocol, so the unmodified SDK v3 client talks to it through
 * AWS_ENDPOINT_URL_S3 (an IP-address endpoint makes the SDK address buckets by path).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "./api-gateway";

export function createS3Emulator() {
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const id = (bucket: string, key: string) => `${bucket}/${key}`;

  function put(bucket: string, key: string, body: Buffer | string, contentType = "application/json"): void {
    objects.set(id(bucket, key), { body: Buffer.from(body), contentType });
  }

  function sendError(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { "content-type": "application/xml" })
      .end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
  }

  /** `path` is `/bucket/key…`, URL-encoded as on the wire. */
  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const [, bucket = "", ...rest] = path.split("/");
    const key = decodeURIComponent(rest.join("/"));
    if (!bucket || !key) return sendError(res, 400, "InvalidRequest", "Only object operations are emulated");
    if (req.method === "PUT") {
      put(bucket, key, await readBody(req), req.headers["content-type"] ?? "application/octet-stream");
      res.writeHead(200, { etag: '"local"' }).end();
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") return sendError(res, 405, "MethodNotAllowed", `${req.method} is not emulated`);
    const object = objects.get(id(bucket, key));
    if (!object) return sendError(res, 404, "NoSuchKey", "The specified key does not exist.");
    res.writeHead(200, { "content-type": object.contentType, "content-length": object.body.length, etag: '"local"' });
    res.end(req.method === "HEAD" ? undefined : object.body);
  }

  return { handle, put, has: (bucket: string, key: string) => objects.has(id(bucket, key)) };
}

export type S3Emulator = ReturnType<typeof createS3Emulator>;
