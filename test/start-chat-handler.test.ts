/**
 * The start-chat handler called directly, with its real dependencies pointed at the local stack,
 * for what the HTTP route cannot reach: signed-in mode, the clock, timeouts, a DynamoDB outage,
 * other deployments' settings; and the agent lookup against a Connect whose answers the test sets.
 */
import * as DynamoDB from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { createLogger, type LogFields } from "../handlers/log";
import { createStartChatDeps, handleStartChat, type StartChatDeps } from "../handlers/start-chat";
import { connectGateway, type ConnectGatewayOptions } from "../handlers/start-chat/connect";
import { sha256 } from "../handlers/start-chat/customer";
import { dynamoChatStore, dynamoConnection } from "../handlers/start-chat/store";
import type { StartChatSettings } from "../handlers/start-chat/settings";
import type { HttpApiEvent } from "../handlers/http";
import type { LocalStack } from "../local/stack";
import { footprint } from "./support/chat-client";
import { localStack } from "./support/hooks";

interface Body {
  data?: { startChatResult: { ContactId: string }; resumed: boolean; resumeToken?: string; featurePermissions: { MESSAGING_MARKDOWN: boolean } };
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
      // The claim lets one start call Connect; the others wait for its chat.
      expect(stack.emulator.callCounts().StartChatContact).to.equal(1);
    });

    it("creates exactly one contact when simultaneous first starts straddle an hour (SECURITY.md: one contact per customer)", async () => {
      stack.emulator.setFaults({ operations: ["StartChatContact"], latencyMs: 500 });
      const before = stack.emulator.contacts().length;
      const hour = Date.parse("2026-11-22T11:00:00Z");
      let calls = 0;
      // Each start reads its own clock: half of them before the hour, half after.
      const d = () => deps(jwt, { now: () => hour + (calls++ % 2 === 0 ? -100 : 100) });
      const responses = await Promise.all(Array.from({ length: 10 }, () => call(d(), { name: "Tess" }, signedIn("user-tess"))));
      expect(new Set(responses.map((r) => r.status))).to.deep.equal(new Set([200]));
      expect(new Set(responses.map((r) => r.body.data!.startChatResult.ContactId)).size).to.equal(1);
      expect(stack.emulator.contacts().length - before).to.equal(1);
    });

    it("lets go of its claim when Connect refuses the start, so the customer's retry is not kept waiting", async () => {
      stack.emulator.setFaults({ operations: ["StartChatContact"], throttle: true });
      expect((await call(deps(jwt), { name: "Uma" }, signedIn("user-uma"))).status).to.equal(429);
      stack.emulator.setFaults({});
      const retry = await call(deps(jwt), { name: "Uma" }, signedIn("user-uma"));
      expect(retry.status).to.equal(200);
      expect(retry.body.data!.resumed).to.equal(false);
    });

    it("takes over a claim left by a start that died, once it has expired", async () => {
      const now = Date.now();
      await dynamoChatStore(dynamoConnection(() => DynamoDB), stack.settings.chatsTableName).claim({ customerKey: "sub#user-vic", chatStatus: "starting", claimId: "died", expiresAt: Math.floor(now / 1000) + 30 }, 0);
      const waiting = await call(deps(jwt, {}), { name: "Vic" }, signedIn("user-vic"));
      expect(waiting.status, "while the claim holds").to.equal(503);
      expect(waiting.body.error!.code).to.equal("CHAT_STARTING");
      const later = await call(deps(jwt, { now: () => now + 31_000 }), { name: "Vic" }, signedIn("user-vic"));
      expect(later.status, "after it expired").to.equal(200);
    });
  });

  it("reads a base64-encoded body, as API Gateway sends binary content types", async () => {
    const response = await handleStartChat({ body: Buffer.from(JSON.stringify({ name: "Sol" })).toString("base64"), isBase64Encoded: true }, deps());
    expect(response.statusCode).to.equal(200);
  });

  it("refuses attributes over 16 KB of UTF-8, which a 16 KB body of invalid bytes becomes, before Connect refuses them", async () => {
    const keys = Array.from({ length: 16 }, (_, i) => `note${i}`);
    // Each 0xFF byte is read as U+FFFD, three bytes of UTF-8: 1,000 of them make 3,000 bytes.
    const values = keys.map((key, i) => Buffer.concat([Buffer.from(`${i ? "," : ""}"${key}":"`), Buffer.alloc(1000, 0xff), Buffer.from('"')]));
    const body = Buffer.concat([Buffer.from('{"name":"Zoe","attributes":{'), ...values, Buffer.from("}}")]);
    expect(body.length).to.be.below(16 * 1024);
    const before = await footprint(stack);
    const response = await handleStartChat({ body: body.toString("base64"), isBase64Encoded: true }, deps({ allowedAttributes: keys }));
    expect(response.statusCode).to.equal(400);
    expect(JSON.parse(response.body).error).to.include({ code: "INVALID_REQUEST", field: "attributes" });
    expect(await footprint(stack)).to.deep.equal(before);
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

  describe("messaging content types", () => {
    const widget = (types: string[]) => ({ ParticipantDetails: { DisplayName: "Yara" }, SupportedMessagingContentTypes: types });
    /** The handler's dependencies, recording the content types each StartChatContact asks for. */
    function recording(settings: Partial<StartChatSettings>) {
      const d = deps(settings);
      const sent: string[][] = [];
      return { sent, d: { ...d, connect: { ...d.connect, startChat: (input) => (sent.push(input.contentTypes), d.connect.startChat(input)) } } satisfies StartChatDeps };
    }

    it("narrows the sample widget's text/markdown away on a plain-text-only deployment", async () => {
      const { d, sent } = recording({ contentTypes: ["text/plain"] });
      const response = await call(d, widget(["text/plain", "text/markdown"]));
      expect(response.status).to.equal(200);
      expect(sent).to.deep.equal([["text/plain"]]);
      expect(response.body.data!.featurePermissions.MESSAGING_MARKDOWN).to.equal(false);
    });

    it("never widens what the client asked for", async () => {
      const { d, sent } = recording({ contentTypes: ["text/plain", "text/markdown"] });
      expect((await call(d, widget(["text/plain"]))).status).to.equal(200);
      expect(sent).to.deep.equal([["text/plain"]]);
    });
  });

  describe("rehydration modes", () => {
    async function chain(mode: StartChatSettings["rehydration"]) {
      const d = deps({ rehydration: mode });
      const ids: string[] = [];
      let token: string | undefined;
      for (let i = 0; i < 3; i++) {
        // Each return says the chat before ended, as the page does when ChatJS is refused it.
        const response = await call(d, { name: "Uma", ...(token && { resumeToken: token, endedChat: ids[i - 1] }) });
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

    it("logs a hash of the ClientToken, never the token itself, when Connect's answer is lost", async () => {
      const d = deps();
      let clientToken = "";
      const lost = deps({}, {
        connect: { ...d.connect, startChat: async (input) => {
          clientToken = input.clientToken;
          // What the SDK throws when the request timed out: no HTTP status, so no answer.
          throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
        } },
      });
      expect((await call(lost, { name: "Vic" })).status).to.equal(503);
      expect(clientToken).to.not.equal("");
      const report = records.find((r) => r.message === "chat start outcome unknown");
      expect(report).to.include({ level: "error", idempotencyKeyHash: sha256(clientToken) });
      expect(JSON.stringify(records)).to.not.include(clientToken);
    });

    describe("DynamoDB down", () => {
      // Nothing listens on the discard port: every DynamoDB call fails to connect.
      const deadStore = () => dynamoChatStore(dynamoConnection(() => DynamoDB, { endpoint: "http://127.0.0.1:9", maxAttempts: 1 }), stack.settings.chatsTableName);

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

  describe("agent lookups", () => {
    /**
     * A Connect whose SearchUsers matches usernames exactly as given (the API model documents no case
     * folding), answering after a short delay so that simultaneous lookups overlap.
     */
    function fakeConnect(users: Record<string, string>, options: { failing?: boolean } = {}) {
      const searched: string[] = [];
      class SearchUsersCommand {
        constructor(readonly input: { SearchCriteria: { StringCondition: { Value: string } } }) {}
      }
      class ConnectClient {
        async send({ input }: SearchUsersCommand) {
          const value = input.SearchCriteria.StringCondition.Value;
          searched.push(value);
          await new Promise((resolve) => setTimeout(resolve, 20));
          if (options.failing) throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
          return { Users: Object.hasOwn(users, value) ? [{ Id: users[value] }] : [] };
        }
      }
      return { searched, loadSdk: () => ({ ConnectClient, SearchUsersCommand }) as unknown as ReturnType<ConnectGatewayOptions["loadSdk"]> };
    }
    const gateway = (fake: ReturnType<typeof fakeConnect>, extra: Partial<ConnectGatewayOptions> = {}) =>
      connectGateway({ loadSdk: fake.loadSdk, settings: { instanceId: "i", contactFlowId: "f", agentCacheSeconds: 300 }, ...extra });

    it("looks up and remembers each username as sent: a miss for JDOE is not a miss for jdoe", async () => {
      const fake = fakeConnect({ jdoe: "id-jdoe" });
      const connect = gateway(fake);
      expect(await connect.agentIdFor("JDOE")).to.equal(undefined);
      expect(await connect.agentIdFor("jdoe")).to.equal("id-jdoe");
      expect(await connect.agentIdFor("JDOE")).to.equal(undefined);
      expect(await connect.agentIdFor("jdoe")).to.equal("id-jdoe");
      expect(fake.searched).to.deep.equal(["JDOE", "jdoe"]);
    });

    it("makes one SearchUsers call for simultaneous lookups of one name", async () => {
      const fake = fakeConnect({ asmith: "id-asmith" });
      const connect = gateway(fake);
      const ids = await Promise.all(Array.from({ length: 20 }, () => connect.agentIdFor("asmith")));
      expect(ids).to.deep.equal(Array(20).fill("id-asmith"));
      expect(fake.searched).to.deep.equal(["asmith"]);
    });

    it("remembers a miss for agentCacheSeconds, then asks again", async () => {
      const fake = fakeConnect({});
      let clock = 0;
      const connect = gateway(fake, { now: () => clock });
      expect(await connect.agentIdFor("ghost")).to.equal(undefined);
      clock = 299_999;
      expect(await connect.agentIdFor("ghost")).to.equal(undefined);
      expect(fake.searched).to.have.length(1);
      clock = 300_000;
      await connect.agentIdFor("ghost");
      expect(fake.searched).to.have.length(2);
    });

    it("remembers at most 1000 names, forgetting the oldest, so cycling names cannot grow memory", async () => {
      const fake = fakeConnect({});
      const connect = gateway(fake);
      await Promise.all(Array.from({ length: 1001 }, (_, i) => connect.agentIdFor(`agent${i}`)));
      expect(fake.searched).to.have.length(1001);
      await connect.agentIdFor("agent1000");
      expect(fake.searched).to.have.length(1001);
      await connect.agentIdFor("agent0");
      expect(fake.searched.slice(1001)).to.deep.equal(["agent0"]);
    });

    it("reports a failed lookup once to all who waited on it, and does not remember it", async () => {
      const fake = fakeConnect({}, { failing: true });
      const errors: unknown[] = [];
      const connect = gateway(fake, { onLookupError: (error) => errors.push(error) });
      const ids = await Promise.all(Array.from({ length: 5 }, () => connect.agentIdFor("jdoe")));
      expect(ids).to.deep.equal(Array(5).fill(undefined));
      expect(errors).to.have.length(1);
      await connect.agentIdFor("jdoe");
      expect(fake.searched).to.deep.equal(["jdoe", "jdoe"]);
    });
  });

  describe("Connect's API budget (a crowd of returning customers)", () => {
    const throttled = () => Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException", $metadata: { httpStatusCode: 429 } });
    /** A clock the test moves: ms since the epoch. */
    function clock(start = Date.now()) {
      let at = start;
      return { now: () => at, advance: (seconds: number) => { at += seconds * 1000; } };
    }

    it("hands a returning customer their recorded chat when DescribeContact is throttled (README: Scale)", async () => {
      const d = deps({ liveCheckSeconds: 0 });
      const first = await call(d, { name: "Ada" });
      stack.emulator.setFaults({ operations: ["DescribeContact"], throttle: true });
      stack.emulator.resetCallCounts();
      const before = stack.emulator.contacts().length;
      const again = await call(d, { name: "Ada", resumeToken: first.body.data!.resumeToken });
      expect(again.status).to.equal(200);
      expect(again.body.data!.resumed).to.equal(true);
      expect(again.body.data!.startChatResult.ContactId).to.equal(first.body.data!.startChatResult.ContactId);
      // Asked once and not retried: the customer's page finds out at once if the chat has ended.
      expect(stack.emulator.callCounts()).to.deep.equal({ DescribeContact: 1 });
      expect(stack.emulator.contacts().length).to.equal(before);
      expect(records.some((r) => r.message === "Connect did not say whether the chat is live; handing back the recorded one")).to.equal(true);
    });

    it("asks Connect whether a chat is live at most once per liveCheckSeconds, from its start or Connect's last answer", async () => {
      const time = clock();
      const d = deps({ liveCheckSeconds: 60 }, { now: time.now });
      const token = (await call(d, { name: "Bo" })).body.data!.resumeToken;
      const describes = async (afterSeconds: number) => {
        time.advance(afterSeconds);
        stack.emulator.resetCallCounts();
        const response = await call(d, { name: "Bo", resumeToken: token });
        expect(response.body.data!.resumed).to.equal(true);
        return stack.emulator.callCounts().DescribeContact ?? 0;
      };
      expect(await describes(30)).to.equal(0);
      expect(await describes(31)).to.equal(1);
      expect(await describes(59)).to.equal(0);
      expect(await describes(2)).to.equal(1);
    });

    it("hands back the same chat when the page says it ended but Connect says it is live", async () => {
      const d = deps();
      const first = (await call(d, { name: "Cy" })).body.data!;
      const again = await call(d, { name: "Cy", resumeToken: first.resumeToken, endedChat: first.startChatResult.ContactId });
      expect(again.body.data).to.deep.include({ resumed: true });
      expect(again.body.data!.startChatResult.ContactId).to.equal(first.startChatResult.ContactId);
    });

    it("answers 429 with Retry-After, replacing nothing, when the page says its chat ended and Connect is too busy to confirm it", async () => {
      const d = deps({}, { retry: { budgetMs: 300, baseDelayMs: 50, maxDelayMs: 100, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), random: () => 0.5 } });
      const first = (await call(d, { name: "Di" })).body.data!;
      stack.emulator.setFaults({ operations: ["DescribeContact"], throttle: true });
      const before = await footprint(stack);
      const response = await call(d, { name: "Di", resumeToken: first.resumeToken, endedChat: first.startChatResult.ContactId });
      expect(response.status).to.equal(429);
      expect(response.body.error!.code).to.equal("THROTTLED");
      expect(Number(response.headers["retry-after"])).to.be.greaterThan(0);
      expect(await footprint(stack)).to.deep.equal(before);
    });

    it("retries a throttled StartChatContact with jittered waits, and the customer gets their chat", async () => {
      const waits: number[] = [];
      const base = deps();
      let refusals = 2;
      const connect = { ...base.connect, startChat: async (input: Parameters<typeof base.connect.startChat>[0]) => {
        if (refusals-- > 0) throw throttled();
        return base.connect.startChat(input);
      } };
      const d = { ...base, connect, retry: { budgetMs: 8000, baseDelayMs: 200, maxDelayMs: 2000, sleep: async (ms: number) => void waits.push(ms), random: () => 0.75 } };
      const response = await call(d, { name: "Eli" });
      expect(response.status).to.equal(200);
      // Full jitter: a random share of 200 ms, then of 400 ms.
      expect(waits).to.deep.equal([150, 300]);
    });

    it("stops retrying when the request's budget is spent, and answers 429 THROTTLED with Retry-After", async () => {
      const time = clock();
      const base = deps({}, { now: time.now });
      let attempts = 0;
      const connect = { ...base.connect, startChat: async () => {
        attempts++;
        throw throttled();
      } };
      const d = { ...base, connect, retry: { budgetMs: 8000, baseDelayMs: 200, maxDelayMs: 2000, sleep: async (ms: number) => time.advance(ms / 1000), random: () => 0.99 } };
      const before = await footprint(stack);
      const response = await call(d, { name: "Fay" });
      expect(response.status).to.equal(429);
      expect(response.body.error!.code).to.equal("THROTTLED");
      expect(Number(response.headers["retry-after"])).to.be.greaterThan(0);
      // 198 + 396 + 792 + 1584 + 1980 + 1980 ms of waits fit in 8 s; the next would not.
      expect(attempts).to.equal(7);
      expect(await footprint(stack)).to.deep.equal(before);
    });

    it("does not retry Connect's active-chat quota (it frees up in minutes, not seconds)", async () => {
      stack.emulator.setFaults({ operations: ["StartChatContact"], quota: true });
      stack.emulator.resetCallCounts();
      const response = await call(deps(), { name: "Gus" });
      expect(response.status).to.equal(429);
      expect(response.body.error!.code).to.equal("CHAT_CAPACITY");
      expect(stack.emulator.callCounts()).to.deep.equal({ StartChatContact: 1 });
    });
  });
});
