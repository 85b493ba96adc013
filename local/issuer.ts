/**
 * A local token issuer for signed-in mode (`npm start -- --signed-in`): an RSA key pair made at
 * start, RS256 JWTs for any customer id, and the discovery document and JWKS at
 * `<issuer>/.well-known/…` that API Gateway's JWT authorizer reads from a real issuer. The local API
 * Gateway adapter is given the public key directly.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** The audience the local API accepts, as ChatApi's `jwtAudience`. */
export const localAudience = "connect-chat-local";
/** The customer the banner prints a token for. */
export const demoCustomer = "demo-customer";

export interface LocalIssuer {
  /** The `iss` of its tokens: `<stack url>/issuer`. */
  issuer: string;
  audience: string;
  /** Its JWKS as API Gateway's JWT authorizer uses it: each public key under the `kid` its tokens name. */
  keys: { kid: string; key: KeyObject }[];
  /** A token for customer `sub`, valid for `hours`. */
  token(sub: string, hours?: number): { token: string; expires: Date };
  /** Answers `<issuer>/.well-known/openid-configuration` and `<issuer>/.well-known/jwks.json`. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): void;
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function createLocalIssuer(stackUrl: string): LocalIssuer {
  const issuer = `${stackUrl}/issuer`;
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    issuer,
    audience: localAudience,
    keys: [{ kid, key: publicKey }],
    token(sub, hours = 4) {
      const now = Math.floor(Date.now() / 1000);
      const expires = now + Math.round(hours * 3600);
      const unsigned = `${part({ alg: "RS256", typ: "JWT", kid })}.${part({ iss: issuer, aud: localAudience, sub, iat: now, nbf: now, exp: expires, jti: randomUUID() })}`;
      const signature = sign("RSA-SHA256", Buffer.from(unsigned), privateKey).toString("base64url");
      return { token: `${unsigned}.${signature}`, expires: new Date(expires * 1000) };
    },
    handle(req, res, path) {
      const send = (status: number, body: unknown) => void res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
      if (req.method !== "GET") return send(405, { message: "Use GET." });
      if (path === "/issuer/.well-known/openid-configuration") {
        return send(200, { issuer, jwks_uri: `${issuer}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ["RS256"] });
      }
      if (path === "/issuer/.well-known/jwks.json") return send(200, { keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }] });
      send(404, { message: "Not found" });
    },
  };
}
