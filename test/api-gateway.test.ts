/**
 * API Gateway's CORS and JWT authorizer, as the local adapter applies them from ChatApi's own
 * configuration, in front of the real start-chat handler in signed-in mode.
 */
import { createHmac, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { createLogger } from "../handlers/log";
import { createStartChatDeps, handleStartChat } from "../handlers/start-chat";
import { chatCors } from "../handlers/start-chat/cors";
import { lambdaRoute } from "../local/api-gateway";
import type { LocalStack } from "../local/stack";
import { localStack } from "./support/hooks";

const issuer = "https://idp.example.com/pool";
const site = "https://shop.example.com";
const keys = () => generateKeyPairSync("rsa", { modulusLength: 2048 });

/** A JWT as an identity provider would issue it: RS256 unless the header says otherwise, with the key id "test". */
function mint(claims: Record<string, unknown>, privateKey: KeyObject, header: Record<string, unknown> = {}): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const head = { alg: "RS256", typ: "JWT", kid: "test", ...header };
  const unsigned = `${part(head)}.${part(claims)}`;
  const digest = { RS256: "RSA-SHA256", RS384: "RSA-SHA384", RS512: "RSA-SHA512" }[String(head.alg)] ?? "RSA-SHA256";
  return `${unsigned}.${sign(digest, Buffer.from(unsigned), privateKey).toString("base64url")}`;
}

describe("API Gateway's CORS and JWT authorizer (local adapter)", () => {
  let stack: LocalStack;
  let server: Server;
  let url: string;
  let scoped: Server;
  let scopedUrl: string;
  const idp = keys();
  const now = () => Math.floor(Date.now() / 1000);
  const good = (extra: Record<string, unknown> = {}) => mint({ iss: issuer, aud: "app", sub: "user-kim", exp: now() + 300, ...extra }, idp.privateKey);

  before(async () => {
    stack = await localStack();
    const deps = createStartChatDeps({ ...stack.settings, authMode: "jwt" }, createLogger(() => undefined));
    // The issuer's JWKS: the key that signs, under the key id its tokens name.
    const jwt = { issuer, audience: ["app"], keys: [{ kid: "test", key: idp.publicKey }] };
    server = createServer(lambdaRoute((event) => handleStartChat(event, deps), { cors: chatCors([site], true), jwt }));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/chat`;
    // A route with authorizationScopes, as a deployment that configured them would have.
    scoped = createServer(lambdaRoute((event) => handleStartChat(event, deps), { jwt: { ...jwt, scopes: ["chat/start"] } }));
    scoped.listen(0, "127.0.0.1");
    await once(scoped, "listening");
    scopedUrl = `http://127.0.0.1:${(scoped.address() as AddressInfo).port}/chat`;
  });
  after(() => {
    server?.close();
    scoped?.close();
  });

  const post = (headers: Record<string, string>, to = url) => fetch(to, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ name: "Kim" }) });

  describe("the JWT authorizer", () => {
    const refused: [string, () => string | undefined][] = [
      ["no token", () => undefined],
      ["an expired token", () => good({ exp: now() - 10 })],
      ["a token not valid yet", () => good({ nbf: now() + 600 })],
      ["a token for another audience", () => good({ aud: "someone-else" })],
      ["a token from another issuer", () => good({ iss: "https://evil.example.com" })],
      ["a token signed by another key", () => mint({ iss: issuer, aud: "app", sub: "user-kim", exp: now() + 300 }, keys().privateKey)],
      ["a token that is not a JWT", () => "not-a-jwt"],
    ];
    for (const [what, token] of refused) {
      it(`answers 401 to ${what}, and starts nothing`, async () => {
        const before = stack.emulator.contacts().length;
        const value = token();
        const response = await post(value ? { authorization: `Bearer ${value}` } : {});
        expect(response.status).to.equal(401);
        expect(await response.json()).to.deep.equal({ message: "Unauthorized" });
        expect(stack.emulator.contacts().length).to.equal(before);
      });
    }

    // Each of API Gateway's rules, one token each: "Control access to HTTP APIs with JWT
    // authorizers in API Gateway" (API Gateway developer guide, "Authorizing API requests with a
    // JWT authorizer"), as verifiedClaims in local/api-gateway.ts applies them.
    const ruleRefusals: [string, () => string][] = [
      ["a token whose kid names no key of the issuer's JWKS", () => mint({ iss: issuer, aud: "app", sub: "user-kim", exp: now() + 300 }, idp.privateKey, { kid: "another-key" })],
      ["a token with no kid", () => mint({ iss: issuer, aud: "app", sub: "user-kim", exp: now() + 300 }, idp.privateKey, { kid: undefined })],
      ["a token signed with an algorithm that is not RSA (HS256)", () => {
        const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
        const unsigned = `${part({ alg: "HS256", typ: "JWT", kid: "test" })}.${part({ iss: issuer, aud: "app", sub: "user-kim", exp: now() + 300 })}`;
        return `${unsigned}.${createHmac("sha256", "secret").update(unsigned).digest("base64url")}`;
      }],
      ["a token whose aud is another audience, though its client_id is ours (aud is what counts when present)", () => good({ aud: "someone-else", client_id: "app" })],
      ["a token with neither aud nor client_id", () => good({ aud: undefined })],
      ["a token with no exp", () => good({ exp: undefined })],
      ["a token issued in the future (iat)", () => good({ iat: now() + 600 })],
    ];
    for (const [what, token] of ruleRefusals) {
      it(`answers 401 to ${what}`, async () => {
        const response = await post({ authorization: `Bearer ${token()}` });
        expect(response.status).to.equal(401);
        expect(await response.json()).to.deep.equal({ message: "Unauthorized" });
      });
    }

    it("lets through what the rules allow: client_id when there is no aud, aud as a list, iat and nbf in the past, RS384 and RS512, the token without Bearer", async () => {
      const allowed: [string, string][] = [
        ["client_id, no aud", good({ aud: undefined, client_id: "app" })],
        ["aud as a list", good({ aud: ["other", "app"] })],
        ["iat and nbf in the past", good({ iat: now() - 60, nbf: now() - 60 })],
        ["RS384", mint({ iss: issuer, aud: "app", sub: "user-kim", exp: now() + 300 }, idp.privateKey, { alg: "RS384" })],
        ["RS512", mint({ iss: issuer, aud: "app", sub: "user-kim", exp: now() + 300 }, idp.privateKey, { alg: "RS512" })],
      ];
      for (const [what, token] of allowed) expect((await post({ authorization: `Bearer ${token}` })).status, what).to.equal(200);
      // "The identitySource can include only the token, or the token prefixed with Bearer."
      expect((await post({ authorization: good() })).status, "no Bearer prefix").to.equal(200);
    });

    it("on a route with authorizationScopes, wants one of them in scope or scp (403 without), and checks the token first", async () => {
      expect((await post({ authorization: `Bearer ${good()}` }, scopedUrl)).status, "no scope").to.equal(403);
      expect((await post({ authorization: `Bearer ${good({ scope: "openid profile" })}` }, scopedUrl)).status, "other scopes").to.equal(403);
      expect((await post({ authorization: `Bearer ${good({ scope: "openid chat/start" })}` }, scopedUrl)).status, "scope").to.equal(200);
      expect((await post({ authorization: `Bearer ${good({ scp: ["chat/start"] })}` }, scopedUrl)).status, "scp").to.equal(200);
      expect((await post({ authorization: `Bearer ${good({ scope: "chat/start", exp: now() - 10 })}` }, scopedUrl)).status, "expired, with the scope").to.equal(401);
    });

    it("lets a valid token through, and the chat follows its sub", async () => {
      const first = await post({ authorization: `Bearer ${good()}` });
      expect(first.status).to.equal(200);
      const again = await (await post({ authorization: `Bearer ${good({ client_id: "app", aud: undefined })}` })).json();
      expect(again.data.resumed).to.equal(true);
      expect(again.data.startChatResult.ContactId).to.equal((await first.json()).data.startChatResult.ContactId);
    });
  });

  describe("CORS", () => {
    const preflight = (origin: string) => fetch(url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } });

    it("answers the site's preflight, and tags its responses", async () => {
      const answer = await preflight(site);
      expect(answer.status).to.equal(204);
      expect(answer.headers.get("access-control-allow-origin")).to.equal(site);
      expect(answer.headers.get("access-control-allow-headers")).to.equal("content-type,authorization");
      expect((await post({ origin: site, authorization: `Bearer ${good()}` })).headers.get("access-control-allow-origin")).to.equal(site);
    });

    it("gives a foreign origin no Access-Control-Allow-Origin, on the preflight or the request", async () => {
      const foreign = "https://evil.example.com";
      expect((await preflight(foreign)).headers.get("access-control-allow-origin")).to.equal(null);
      const response = await post({ origin: foreign, authorization: `Bearer ${good()}` });
      expect(response.headers.get("access-control-allow-origin")).to.equal(null);
    });

    it("on the local stack, as deployed with no extra origins: same-origin only, another site refused before anything is created", async () => {
      const before = stack.emulator.contacts().length;
      const response = await fetch(`${stack.url}/api/chat`, { method: "POST", headers: { origin: site }, body: JSON.stringify({ name: "Kim" }) });
      expect(response.status).to.equal(403);
      expect(response.headers.get("access-control-allow-origin")).to.equal(null);
      expect(stack.emulator.contacts().length).to.equal(before);
      const own = await fetch(`${stack.url}/api/chat`, { method: "POST", headers: { origin: stack.url, "sec-fetch-site": "same-origin" }, body: JSON.stringify({ name: "Kim" }) });
      expect(own.status).to.equal(200);
    });
  });
});
