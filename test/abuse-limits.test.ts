/**
 * SECURITY.md's limits on one client, attacked through the start-chat handler with its real
 * dependencies (dynalite, the Connect emulator): the deployer's chat duration is a ceiling, one
 * client cannot take every new chat, only CloudFront (with the origin secret) may call when the
 * API sits behind the site, other sites' pages cannot start chats, and an anonymous token stops
 * continuing a chat once the continuation window is over.
 */
import { DeleteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { chatsTable } from "../handlers/chats-table";
import type { HttpApiEvent } from "../handlers/http";
import { createLogger, type LogFields } from "../handlers/log";
import { createStartChatDeps, handleStartChat, type StartChatDeps } from "../handlers/start-chat";
import { networkOf, originSecretHeader } from "../handlers/start-chat/client";
import type { StartChatSettings } from "../handlers/start-chat/settings";
import type { LocalStack } from "../local/stack";
import { footprint, scanChats } from "./support/chat-client";
import { localStack } from "./support/hooks";

interface Body {
  data?: { startChatResult: { ContactId: string }; resumed: boolean; resumeToken?: string };
  error?: { code: string; field?: string };
}

describe("limits on one client (start-chat handler)", () => {
  let stack: LocalStack;
  // Near real time: the transcript watcher stamps a chat's end with the real clock.
  let clock = Date.now();
  before(async () => {
    stack = await localStack();
  });
  after(async () => {
    // The per-client counters are ours alone: leave the shared table as the other suites expect it.
    const dynamo = new DynamoDBClient({});
    for (const item of await scanChats(stack)) {
      const key = item[chatsTable.partitionKey].S!;
      if (key.startsWith(chatsTable.clientKeyPrefix)) await dynamo.send(new DeleteItemCommand({ TableName: stack.settings.chatsTableName, Key: { [chatsTable.partitionKey]: { S: key } } }));
    }
    dynamo.destroy();
  });

  function deps(settings: Partial<StartChatSettings> = {}): StartChatDeps {
    return { ...createStartChatDeps({ ...stack.settings, ...settings }, createLogger(() => undefined)), now: () => clock };
  }
  async function call(d: StartChatDeps, body: unknown, event: HttpApiEvent = {}) {
    const result = await handleStartChat({ body: JSON.stringify(body), ...event, requestContext: { requestId: "test", ...event.requestContext } }, d);
    return { status: result.statusCode, headers: result.headers, body: JSON.parse(result.body) as Body };
  }
  const from = (sourceIp: string, headers: Record<string, string> = {}): HttpApiEvent => ({ headers, requestContext: { http: { sourceIp } } });
  const record = async (contactId: string) => (await scanChats(stack)).find((item) => item.contactId?.S === contactId)!;

  describe("chat duration", () => {
    it("never gives a request a longer chat than the deployer's maximum", async () => {
      const response = await call(deps({ chatDurationMinutes: 120, maxChatDurationMinutes: 180 }), { ParticipantDetails: { DisplayName: "Ana" }, ChatDurationInMinutes: 10080 }, from("192.0.2.1"));
      expect(response.status).to.equal(200);
      const item = await record(response.body.data!.startChatResult.ContactId);
      expect(Number(item.expiresAt.N) - Number(item.startedAt.N)).to.equal(180 * 60);
    });
  });

  describe("new chats per client", () => {
    it("refuses one client's next new chat with 429 and Retry-After, while other clients and resumes go on", async () => {
      const d = deps({ newChatsPerClientPerMinute: 2 });
      const first = await call(d, { name: "Ana" }, from("198.51.100.7"));
      expect((await call(d, { name: "Ben" }, from("198.51.100.7"))).status).to.equal(200);
      const before = await footprint(stack);
      const third = await call(d, { name: "Cy" }, from("198.51.100.7"));
      expect(third.status).to.equal(429);
      expect(third.body.error!.code).to.equal("TOO_MANY_CHATS");
      expect(Number(third.headers["retry-after"])).to.be.within(1, 60);
      expect(await footprint(stack)).to.deep.equal(before);
      expect((await call(d, { name: "Dee" }, from("203.0.113.9"))).status, "another client").to.equal(200);
      const resumed = await call(d, { name: "Ana", resumeToken: first.body.data!.resumeToken }, from("198.51.100.7"));
      expect(resumed.body.data!.resumed, "a resume is free").to.equal(true);
      clock += 60_000;
      expect((await call(d, { name: "Cy" }, from("198.51.100.7"))).status, "the next minute").to.equal(200);
    });

    it("counts an IPv6 client by its /64, and keeps no address in the table", async () => {
      expect(networkOf("2001:db8:0:12:a::1")).to.equal("2001:db8:0:12::/64");
      expect(networkOf("2001:db8::1")).to.equal("2001:db8:0:0::/64");
      const d = deps({ newChatsPerClientPerMinute: 1 });
      expect((await call(d, { name: "Ana" }, from("2001:db8:0:12::1"))).status).to.equal(200);
      expect((await call(d, { name: "Ben" }, from("2001:db8:0:12:ffff::2"))).status).to.equal(429);
      expect(JSON.stringify(await scanChats(stack))).to.not.include("2001:db8");
    });
  });

  describe("behind the site's CloudFront", () => {
    const secrets = ["A".repeat(48), "B".repeat(48)];

    it("refuses a request that skips CloudFront (no or a wrong origin secret) with 403, creating nothing", async () => {
      const d = deps({ originSecrets: secrets });
      const before = await footprint(stack);
      for (const headers of [{}, { [originSecretHeader]: "C".repeat(48) }, { [originSecretHeader]: "A".repeat(47) }] as Record<string, string>[]) {
        const response = await call(d, { name: "Ana" }, from("192.0.2.10", headers));
        expect(response.status).to.equal(403);
        expect(response.body.error!.code).to.equal("NOT_THROUGH_SITE");
      }
      expect(await footprint(stack)).to.deep.equal(before);
      for (const secret of secrets) expect((await call(d, { name: "Ana" }, from("192.0.2.10", { [originSecretHeader]: secret }))).status, "either secret").to.equal(200);
    });

    it("limits the viewer CloudFront reports, not the edge every viewer shares, and logs the viewer", async () => {
      const logged: LogFields[] = [];
      const d = { ...deps({ originSecrets: secrets, newChatsPerClientPerMinute: 1 }), log: createLogger((_level, record) => logged.push(record)) };
      const viaEdge = (viewer: string) => from("130.176.0.1", { [originSecretHeader]: secrets[0], "cloudfront-viewer-address": viewer });
      expect((await call(d, { name: "Ana" }, viaEdge("198.51.100.20:51000"))).status).to.equal(200);
      expect((await call(d, { name: "Ben" }, viaEdge("198.51.100.21:51000"))).status, "another viewer, same edge").to.equal(200);
      expect((await call(d, { name: "Ana" }, viaEdge("198.51.100.20:52000"))).status, "the same viewer again").to.equal(429);
      expect(logged.map((record) => record.clientAddress)).to.include.members(["198.51.100.20", "198.51.100.21"]).and.not.include("130.176.0.1");
    });
  });

  describe("pages on other sites", () => {
    const d = () => deps({ allowedOrigins: ["https://shop.example.com"] });

    it("refuses a browser request from a site that is neither ours nor allowed, even a no-cors simple request, creating nothing", async () => {
      const before = await footprint(stack);
      for (const headers of [
        { origin: "https://evil.example", "sec-fetch-site": "cross-site", "content-type": "text/plain;charset=UTF-8" },
        { origin: "https://evil.example" },
        { origin: "null", "sec-fetch-site": "cross-site" },
        { "sec-fetch-site": "same-site", origin: "https://other.shop.example.com" },
      ] as Record<string, string>[]) {
        const response = await call(d(), { name: "Ana", agent: "jdoe" }, from("192.0.2.30", headers));
        expect(response.status, JSON.stringify(headers)).to.equal(403);
        expect(response.body.error!.code).to.equal("FOREIGN_ORIGIN");
      }
      expect(await footprint(stack)).to.deep.equal(before);
    });

    it("serves the site's own page, allowed origins (the AWS sample widget posts text/plain) and callers that are not browsers", async () => {
      for (const headers of [
        { origin: "https://d111111abcdef8.cloudfront.net", "sec-fetch-site": "same-origin" },
        { origin: "https://shop.example.com", "sec-fetch-site": "cross-site", "content-type": "text/plain;charset=UTF-8" },
        {},
      ] as Record<string, string>[]) {
        expect((await call(d(), { ParticipantDetails: { DisplayName: "Ana" } }, from("192.0.2.31", headers))).status, JSON.stringify(headers)).to.equal(200);
      }
    });
  });

  describe("continuing an ended chat (anonymous mode)", () => {
    async function endedChat(d: StartChatDeps) {
      const first = await call(d, { name: "Ana" }, from("192.0.2.40"));
      stack.emulator.endContact(first.body.data!.startChatResult.ContactId);
      return first.body.data!;
    }

    it("continues it within the window, carrying the conversation along", async () => {
      const d = deps({ continuationMinutes: 60 });
      const first = await endedChat(d);
      clock += 30 * 60_000;
      const again = await call(d, { name: "Ana", resumeToken: first.resumeToken }, from("192.0.2.40"));
      expect(again.body.data!.resumeToken).to.equal(first.resumeToken);
      const contact = stack.emulator.contacts().find((c) => c.id === again.body.data!.startChatResult.ContactId)!;
      expect(contact.continuedFromContactId).to.equal(first.startChatResult.ContactId);
    });

    it("after the window the token is worthless: a fresh chat, no history, a new token, and a client-sent continuation refused", async () => {
      const d = deps({ continuationMinutes: 60 });
      const first = await endedChat(d);
      clock += 61 * 60_000;
      const refused = await call(d, { ParticipantDetails: { DisplayName: "Ana" }, resumeToken: first.resumeToken, PersistentChat: { RehydrationType: "FROM_SEGMENT", SourceContactId: first.startChatResult.ContactId } }, from("192.0.2.40"));
      expect(refused.status).to.equal(400);
      expect(refused.body.error!.code).to.equal("CONTINUATION_EXPIRED");
      const again = await call(d, { name: "Ana", resumeToken: first.resumeToken }, from("192.0.2.40"));
      expect(again.status).to.equal(200);
      expect(again.body.data!.resumeToken).to.not.equal(first.resumeToken);
      const contact = stack.emulator.contacts().find((c) => c.id === again.body.data!.startChatResult.ContactId)!;
      expect(contact.continuedFromContactId).to.equal(undefined);
    });
  });
});
