/**
 * Amazon S3, emulated for the local stack as far as our handlers use it: PutObject and GetObject,
 * path-style, in S3's REST-XML protocol, so the unmodified SDK v3 client talks to it through
 * AWS_ENDPOINT_URL_S3 (an IP-address endpoint makes the SDK address buckets by path). Objects are
 * kept in memory, so one PUT takes at most `bodyLimits.s3Object` (request-body.ts), not S3's 5 GB.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { bodyLimits, readBody, RequestError } from "./request-body";

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
    let key: string;
    try {
      key = decodeURIComponent(rest.join("/"));
    } catch {
      // S3's answer to a key that is not valid percent-encoding.
      return sendError(res, 400, "InvalidURI", "Couldn't parse the specified URI.");
    }
    if (!bucket || !key) return sendError(res, 400, "InvalidRequest", "Only object operations are emulated");
    if (req.method === "PUT") {
      let body: Buffer;
      try {
        body = await readBody(req, bodyLimits.s3Object);
      } catch (error) {
        if (!(error instanceof RequestError)) throw error;
        // S3's name for it, in S3's XML, so an SDK client reads it (S3 itself sends it with 400; 413 is HTTP's word).
        return sendError(res, 413, "EntityTooLarge", `Your proposed upload exceeds the maximum allowed size: ${bodyLimits.s3Object} bytes in this emulator.`);
      }
      put(bucket, key, body, req.headers["content-type"] ?? "application/octet-stream");
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
