/**
 * Runs a Lambda handler behind a local route the way API Gateway's HTTP API does: the request
 * becomes a payload-2.0 event, the handler's result becomes the response, and, when configured
 * like the deployed API, CORS and the JWT authorizer are applied before the handler sees anything.
 */
import { randomUUID, verify, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpApiEvent, HttpApiResult } from "../handlers/http";
import type { CorsRules } from "../handlers/start-chat/cors";

/** API Gateway's own payload limit; the handler applies the API's smaller one. */
const maxPayloadBytes = 10 * 1024 * 1024;

export interface GatewayOptions {
  cors?: CorsRules;
  /** The JWT authorizer: tokens signed (RS256) by one of `keys`, from `issuer`, for one of `audience`. */
  jwt?: { issuer: string; audience: string[]; keys: KeyObject[] };
}

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

export function toHttpApiEvent(req: IncomingMessage, body: Buffer, claims?: Record<string, unknown>): HttpApiEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return {
    headers,
    body: body.toString("utf8"),
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID(), http: { sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, "") }, ...(claims && { authorizer: { jwt: { claims } } }) },
  };
}

export function sendResult(res: ServerResponse, result: HttpApiResult): void {
  res.writeHead(result.statusCode, result.headers).end(result.body);
}

/** The verified claims of a bearer token, or undefined when API Gateway would answer 401. */
export function verifiedClaims(authorization: string | undefined, jwt: NonNullable<GatewayOptions["jwt"]>): Record<string, unknown> | undefined {
  const match = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? "");
  if (!match) return undefined;
  const [, header, payload, signature] = match;
  try {
    if ((JSON.parse(Buffer.from(header, "base64url").toString()) as { alg?: string }).alg !== "RS256") return undefined;
    const signed = Buffer.from(`${header}.${payload}`);
    if (!jwt.keys.some((key) => verify("RSA-SHA256", signed, key, Buffer.from(signature, "base64url")))) return undefined;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const now = Date.now() / 1000;
    const audiences = [claims.aud, claims.client_id].flat().filter((value): value is string => typeof value === "string");
    if (claims.iss !== jwt.issuer || !audiences.some((aud) => jwt.audience.includes(aud))) return undefined;
    if (typeof claims.exp !== "number" || claims.exp <= now || (typeof claims.nbf === "number" && claims.nbf > now)) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}


export function lambdaRoute(handler: (event: HttpApiEvent) => Promise<HttpApiResult>, options: GatewayOptions = {}) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // CORS as API Gateway applies it: headers only for an allowed origin, preflights answered here.
    const origin = req.headers.origin;
    const cors: Record<string, string> = options.cors && origin && options.cors.allowOrigins.includes(origin) ? { "access-control-allow-origin": origin, vary: "origin" } : {};
    if (req.method === "OPTIONS" && options.cors) {
      const preflight = cors["access-control-allow-origin"] ? {
        ...cors,
        "access-control-allow-methods": options.cors.allowMethods.join(","),
        "access-control-allow-headers": options.cors.allowHeaders.join(","),
        "access-control-max-age": String(options.cors.maxAge),
      } : {};
      res.writeHead(204, preflight).end();
      return;
    }
    const claims = options.jwt ? verifiedClaims(req.headers.authorization, options.jwt) : undefined;
    if (options.jwt && !claims) {
      res.writeHead(401, { ...cors, "content-type": "application/json", "www-authenticate": "Bearer" }).end(JSON.stringify({ message: "Unauthorized" }));
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      res.writeHead(413, { ...cors, "content-type": "application/json" }).end(JSON.stringify({ message: "Request Entity Too Large" }));
      return;
    }
    const result = await handler(toHttpApiEvent(req, body, claims));
    sendResult(res, { ...result, headers: { ...result.headers, ...cors } });
  };
}
