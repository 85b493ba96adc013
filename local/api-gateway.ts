/**
 * Runs a Lambda handler behind a local route the way API Gateway's HTTP API does: the request
 * becomes a payload-2.0 event, the handler's result becomes the response, and, when configured
 * like the deployed API, CORS and the JWT authorizer are applied before the handler sees anything.
 */
import { randomUUID, verify, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpApiEvent, HttpApiResult } from "../handlers/http";
import type { CorsRules } from "../handlers/start-chat/cors";
import { bodyLimits, readBody as readLimitedBody, RequestError } from "./request-body";

export interface GatewayOptions {
  cors?: CorsRules;
  /**
   * The JWT authorizer, as ChatApi configures it (jwtConfiguration: issuer, audiences): `keys` are
   * the issuer's JWKS (each public key under its `kid`), `scopes` the route's authorizationScopes.
   * ChatApi's route sets no authorizationScopes (infra/chat-api.ts), so the stack passes none.
   */
  jwt?: { issuer: string; audience: string[]; keys: { kid: string; key: KeyObject }[]; scopes?: string[] };
}

/** A request's body within `limit`, API Gateway's own payload limit unless given (request-body.ts); beyond it a RequestError 413. */
export function readBody(req: IncomingMessage, limit: number = bodyLimits.apiGateway): Promise<Buffer> {
  return readLimitedBody(req, limit);
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

/** JWS algorithms API Gateway accepts: "Currently, only RSA-based algorithms are supported" (the RSASSA-PKCS1-v1_5 ones, RFC 7518 section 3.3). */
const rsaAlgorithms: Record<string, string> = { RS256: "RSA-SHA256", RS384: "RSA-SHA384", RS512: "RSA-SHA512" };

/**
 * The authorizer's decision on an Authorization header: the token's verified claims, "unauthorized"
 * (401) or "forbidden" (403, a valid token without the route's scopes). API Gateway's rules, from
 * the API Gateway developer guide, "Control access to HTTP APIs with JWT authorizers in API
 * Gateway", section "Authorizing API requests with a JWT authorizer":
 * 1. the identity source ($request.header.Authorization) holds the token, alone or after "Bearer ";
 * 2. the token decodes;
 * 3. its algorithm and signature check out with the issuer's public key: "only RSA-based
 *    algorithms are supported";
 * 4. the claims: `kid` "must have a header claim that matches the key in the jwks_uri that signed
 *    the token"; `iss` "must match the issuer that is configured for the authorizer"; `aud` or
 *    `client_id` "must match one of the audience entries ... API Gateway validates client_id only
 *    if aud is not present. When both aud and client_id are present, API Gateway evaluates aud";
 *    `exp` "must be after the current time"; `nbf` and `iat` "must be before the current time"
 *    (when present); `scope` or `scp` "must include at least one of the scopes in the route's
 *    authorizationScopes" (when the route has any).
 * "If any of these steps fail, API Gateway denies the API request."
 */
export function authorize(authorization: string | undefined, jwt: NonNullable<GatewayOptions["jwt"]>): { claims: Record<string, unknown> } | "unauthorized" | "forbidden" {
  const match = /^(?:Bearer )?([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? "");
  if (!match) return "unauthorized";
  const [, header, payload, signature] = match;
  try {
    const head = JSON.parse(Buffer.from(header, "base64url").toString()) as { alg?: unknown; kid?: unknown };
    const digest = typeof head.alg === "string" && Object.hasOwn(rsaAlgorithms, head.alg) ? rsaAlgorithms[head.alg] : undefined;
    const key = jwt.keys.find((candidate) => candidate.kid === head.kid);
    if (!digest || !key) return "unauthorized";
    if (!verify(digest, Buffer.from(`${header}.${payload}`), key.key, Buffer.from(signature, "base64url"))) return "unauthorized";
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    if (typeof claims !== "object" || claims === null || claims.iss !== jwt.issuer) return "unauthorized";
    const audiences = [claims.aud !== undefined ? claims.aud : claims.client_id].flat().filter((value): value is string => typeof value === "string");
    if (!audiences.some((aud) => jwt.audience.includes(aud))) return "unauthorized";
    const now = Date.now() / 1000;
    if (typeof claims.exp !== "number" || claims.exp <= now) return "unauthorized";
    for (const claim of ["nbf", "iat"] as const) {
      if (claims[claim] !== undefined && (typeof claims[claim] !== "number" || claims[claim] > now)) return "unauthorized";
    }
    if (jwt.scopes?.length) {
      const granted = [typeof claims.scope === "string" ? claims.scope.split(" ") : [], typeof claims.scp === "string" ? claims.scp.split(" ") : Array.isArray(claims.scp) ? claims.scp : []].flat();
      if (!granted.some((scope) => jwt.scopes!.includes(scope))) return "forbidden";
    }
    return { claims };
  } catch {
    return "unauthorized";
  }
}

/** The verified claims of a token, or undefined when API Gateway would refuse it (see authorize). */
export function verifiedClaims(authorization: string | undefined, jwt: NonNullable<GatewayOptions["jwt"]>): Record<string, unknown> | undefined {
  const decision = authorize(authorization, jwt);
  return typeof decision === "object" ? decision.claims : undefined;
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
    const decision = options.jwt ? authorize(req.headers.authorization, options.jwt) : undefined;
    if (decision === "unauthorized") {
      res.writeHead(401, { ...cors, "content-type": "application/json", "www-authenticate": "Bearer" }).end(JSON.stringify({ message: "Unauthorized" }));
      return;
    }
    if (decision === "forbidden") {
      res.writeHead(403, { ...cors, "content-type": "application/json" }).end(JSON.stringify({ message: "Forbidden" }));
      return;
    }
    const claims = decision?.claims;
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      // A client that left mid-body: nothing to answer (the stack's error boundary sees it).
      if (!(error instanceof RequestError)) throw error;
      res.writeHead(413, { ...cors, "content-type": "application/json" }).end(JSON.stringify({ message: "Request Entity Too Large" }));
      return;
    }
    const result = await handler(toHttpApiEvent(req, body, claims));
    // API Gateway adds the exposed headers to an allowed origin's actual responses, not to preflights
    // (API Gateway developer guide, "Configuring CORS for an HTTP API": exposeHeaders is
    // Access-Control-Expose-Headers; "API Gateway automatically responds to preflight OPTIONS requests").
    const exposed: Record<string, string> = cors["access-control-allow-origin"] && options.cors?.exposeHeaders.length ? { "access-control-expose-headers": options.cors.exposeHeaders.join(",") } : {};
    sendResult(res, { ...result, headers: { ...result.headers, ...cors, ...exposed } });
  };
}
