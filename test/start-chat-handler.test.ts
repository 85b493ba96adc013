/**
 * The start-chat handler called directly, with its real dependencies pointed at the local stack,
 * for what the HTTP route cannot reach: signed-in mode, the clock, timeouts, a DynamoDB outage.
 */
import * as DynamoDB from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { createLogger, type LogFields } from "../handlers/log";
import { createStartChatDeps, handleStartChat, type StartChatDeps } from "../handlers/start-chat";
import { dynamoChatStore } from "../handlers/start-chat/store";
import type { StartChatSettings } from "../handlers/start-chat/settings";
import type { HttpApiEvent } from "../handlers/http";
import type { LocalStack } from "../local/stack";
import { footprint } from "./support/chat-client";
import { localStack } from "./support/hooks";

interface Body {
  data?: { startChatResult: { ContactId: string }; resumed: boolean; resumeToken?: string };
  error?: { code: string };
}

describe("start-chat handler", () => {
  let stack: LocalStack;
  const records: LogFields[] = [];
  before(async () => {
    stack = await localStack();
  });
  afterEach(() => {
    stack.emulator.setFaults({});
    records.length = 0;
  });

  function deps(settings: Partial<StartChatSettings> = {}, overrides: Partial<StartChatDeps> = {}): StartChatDeps {
    const log = createLogger((level, record) => records.push({ level, ...record }));
    return { ...createStartChatDeps({ ...stack.settings, ...settings }, log), ...overrides };
  }
  async function call(d: StartChatDeps, body: unknown, event: HttpApiEvent = {}) {
    const result = await handleStartChat({ body: JSON.stringify(body), requestContext: { requestId: "test" }, ...event }, d);
    return { status: result.statusCode, headers: result.headers, body: JSON.parse(result.body) as Body };
  }
  const signedIn = (sub: string): HttpApiEvent => ({ requestContext: { requestId: "test", authorizer: { jwt: { claims: { sub } } } } });

  describe("signed-in mode", () => {
    const jwt = { authMode: "jwt" } as const;

    it("follows the verified sub to another device, with no resume token", async () => {
      const d = deps(jwt);
      const laptop = await call(d, { name: "Quinn" }, signedIn("user-quinn"));
      expect(laptop.status).to.equal(200);
      expect(laptop.body.data).to.not.have.property("resumeToken");
      const phone = await call(d, { name: "Quinn" }, signedIn("user-quinn"));
      expect(phone.body.data!.resumed).to.equal(true);
      expect(phone.body.data!.startChatResult.ContactId).to.equal(laptop.body.data!.startChatResult.ContactId);
    });

    it("refuses a request without a verified sub (401)", async () => {
      const before = await footprint(stack);
      const response = await call(deps(jwt), { name: "Quinn" });
      expect(response.status).to.equal(401);
      expect(response.body.error!.code).to.equal("UNAUTHORIZED");
      expect(await footprint(stack)).to.deep.equal(before);
    });

    it("creates exactly one contact for 50 simultaneous first starts of one customer", async () => {
      stack.emulator.setFaults({ operations: ["StartChatContact"], latencyMs: 1000 });
      stack.emulator.resetCallCounts();
      const before = stack.emulator.contacts().length;
      const d = deps(jwt);
      const responses = await Promise.all(Array.from({ length: 50 }, () => call(d, { name: "Rae" }, signedIn("user-rae"))));
      expect(new Set(responses.map((r) => r.status))).to.deep.equal(new Set([200]));
      expect(new Set(responses.map((r) => r.body.data!.startChatResult.ContactId)).size).to.equal(1);
      expect(stack.emulator.contacts().length - before).to.equal(1);
      expect(stack.emulator.callCounts().StartChatContact).to.be.greaterThan(1);
    });
  });

  it("reads a base64-encoded body, as API Gateway sends binary content types", async () => {
    const response = await handleStartChat({ body: Buffer.from(JSON.stringify({ name: "Sol" })).toString("base64"), isBase64Encoded: true }, deps());
    expect(response.statusCode).to.equal(200);
  });

  it("treats a chat past its lifetime as ended without asking Connect", async () => {
    const d = deps();
    const first = await call(d, { name: "Tao" });
    const later = deps({}, { now: () => Date.now() + (stack.settings.chatDurationMinutes * 60 + 1) * 1000 });
    stack.emulator.resetCallCounts();
    const next = await call(later, { name: "Tao", resumeToken: first.body.data!.resumeToken });
    expect(next.status).to.equal(200);
    expect(next.body.data!.startChatResult.ContactId).to.not.equal(first.body.data!.startChatResult.ContactId);
    expect(stack.emulator.callCounts()).to.not.have.property("DescribeContact");
  });

  describe("rehydration modes", () => {
    async function chain(mode: StartChatSettings["rehydration"]) {
      const d = deps({ rehydration: mode });
      const ids: string[] = [];
      let token: string | undefined;
      for (let i = 0; i < 3; i++) {
        const response = await call(d, { name: "Uma", ...(token && { resumeToken: token }) });
        token = response.body.data!.resumeToken;
        ids.push(response.body.data!.startChatResult.ContactId);
        stack.emulator.endContact(ids[i]);
      }
      return ids.map((id) => stack.emulator.contact(id)!.continuedFromContactId);
    }
    it("FROM_SEGMENT continues the last contact", async () => {
      const continued = await chain("FROM_SEGMENT");
      expect(continued[0]).to.equal(undefined);
      expect(continued[2]).to.be.a("string").and.not.equal(continued[1]);
    });
    it("ENTIRE_PAST_SESSION names the first contact of the chain", async () => {
      const [, second] = await chain("ENTIRE_PAST_SESSION");
      expect(second).to.be.a("string");
    });
    it("NONE starts every chat fresh", async () => {
      expect(await chain("NONE")).to.deep.equal([undefined, undefined, undefined]);
    });
  });

  describe("outages", () => {
    it("answers 503 when Connect does not answer within the shipped timeouts, and records nothing", async () => {
      stack.emulator.setFaults({ operations: ["StartChatContact"], latencyMs: 3500 });
      const before = await footprint(stack);
      const response = await call(deps(), { name: "Vic" });
      expect(response.status).to.equal(503);
      expect(response.body.error!.code).to.equal("UPSTREAM_UNAVAILABLE");
      expect(response.headers["retry-after"]).to.equal("2");
      expect((await footprint(stack)).items).to.equal(before.items);
    });

    describe("DynamoDB down", () => {
      // Nothing listens on the discard port: every DynamoDB call fails to connect.
      const deadStore = () => dynamoChatStore(() => DynamoDB, stack.settings.chatsTableName, { endpoint: "http://127.0.0.1:9", maxAttempts: 1 });

      it("answers 503 to a returning customer and starts no contact", async () => {
        const first = await call(deps(), { name: "Wes" });
        const before = await footprint(stack);
        const response = await call(deps({}, { store: deadStore() }), { name: "Wes", resumeToken: first.body.data!.resumeToken });
        expect(response.status).to.equal(503);
        expect(response.body.error!.code).to.equal("UPSTREAM_UNAVAILABLE");
        expect(await footprint(stack)).to.deep.equal(before);
      });

      it("reports a contact it started but could not record", async () => {
        const response = await call(deps({}, { store: deadStore() }), { name: "Xia" });
        expect(response.status).to.equal(503);
        const report = records.find((r) => r.message === "chat started but not recorded");
        expect(report).to.include({ level: "error" });
        expect(stack.emulator.contact(report!.contactId as string)).to.not.equal(undefined);
      });
    });
  });
});
