/**
 * POST /api/chat on the local stack: the real handler, real SDK v3 clients, dynalite and the
 * Connect emulator speaking Connect's wire protocol.
 */
import { expect } from "chai";
import { localUserId } from "../local/connect-emulator";
import { localContactFlowId, localInstanceId, type LocalStack } from "../local/stack";
import { footprint, postChat } from "./support/chat-client";
import { localStack } from "./support/hooks";
import { captureLogs } from "./support/logs";

describe("POST /api/chat (local stack)", () => {
  let stack: LocalStack;
  before(async () => {
    stack = await localStack();
  });
  afterEach(() => stack.emulator.setFaults({}));

  const contactOf = (id: string) => {
    const contact = stack.emulator.contact(id);
    if (!contact) throw new Error(`no contact ${id}`);
    return contact;
  };

  describe("request shapes", () => {
    it("starts a chat from our shape, routing to the named agent by user id", async () => {
      const response = await postChat(stack, { name: "  Ana  ", agent: "jdoe" });
      expect(response.status).to.equal(200);
      const data = response.body.data!;
      expect(data.resumed).to.equal(false);
      expect(data.resumeToken).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(data.featurePermissions).to.deep.equal({ ATTACHMENTS: false, MESSAGING_MARKDOWN: true });
      const contact = contactOf(data.startChatResult.ContactId);
      const [customer] = contact.participants;
      expect(data.startChatResult).to.deep.equal({ ContactId: contact.id, ParticipantId: customer.id, ParticipantToken: customer.token });
      expect(customer.displayName).to.equal("Ana");
      expect(contact.contactFlowId).to.equal(localContactFlowId);
      expect(contact.attributes).to.deep.equal({ customerName: "Ana", agentUsername: "jdoe", agentId: localUserId("jdoe") });
    });

    it("accepts the AWS sample widget's request, posted as text/plain", async () => {
      const response = await postChat(stack, {
        InstanceId: localInstanceId,
        ContactFlowId: localContactFlowId,
        ParticipantDetails: { DisplayName: "Bo" },
        Username: "",
        Attributes: { customerName: "Bo" },
        SupportedMessagingContentTypes: ["text/plain", " text/markdown"],
        ChatDurationInMinutes: 120,
        InitialMessage: { ContentType: "text/plain", Content: "Hello" },
      }, "text/plain;charset=UTF-8");
      expect(response.status).to.equal(200);
      const contact = contactOf(response.body.data!.startChatResult.ContactId);
      expect(contact.attributes).to.deep.equal({ customerName: "Bo" });
    });

    it("accepts the AWS sample page's empty InstanceId and ContactFlowId as the deployed ones, as its Lambda did", async () => {
      const response = await postChat(stack, {
        InstanceId: "",
        ContactFlowId: "",
        ParticipantDetails: { DisplayName: "Cai" },
        Username: "jdoe",
        Attributes: { customerName: "Cai" },
      }, "text/plain;charset=UTF-8");
      expect(response.status).to.equal(200);
      expect(contactOf(response.body.data!.startChatResult.ContactId).contactFlowId).to.equal(localContactFlowId);
    });

    it("routes an unknown agent username to the queue: no agentId attribute", async () => {
      const response = await postChat(stack, { name: "Cy", agent: "nobody.here" });
      expect(response.status).to.equal(200);
      expect(contactOf(response.body.data!.startChatResult.ContactId).attributes).to.deep.equal({ customerName: "Cy", agentUsername: "nobody.here" });
    });

    it("remembers agent lookups: one SearchUsers call for repeated names", async () => {
      stack.emulator.resetCallCounts();
      for (const name of ["Di", "Ed", "Flo"]) expect((await postChat(stack, { name, agent: "asmith" })).status).to.equal(200);
      expect(stack.emulator.callCounts().SearchUsers ?? 0).to.be.at.most(1);
      expect(stack.emulator.callCounts().StartChatContact).to.equal(3);
    });

    it("keeps the server's customerName, the checked display name, over the client's", async () => {
      const response = await postChat(stack, { name: "Ana", attributes: { customerName: "Mallory" } });
      expect(response.status).to.equal(200);
      expect(contactOf(response.body.data!.startChatResult.ContactId).attributes).to.deep.equal({ customerName: "Ana" });
    });

    it("accepts a 256-emoji name (512 UTF-16 units) as Connect counts it, in code points, and passes it on unchanged", async () => {
      const name = "\u{1F600}".repeat(256);
      const response = await postChat(stack, { name });
      expect(response.status).to.equal(200);
      const contact = contactOf(response.body.data!.startChatResult.ContactId);
      expect(contact.participants[0].displayName).to.equal(name);
      expect(contact.attributes.customerName).to.equal(name);
    });

    it("still starts the chat when the agent lookup fails, without routing to the agent", async () => {
      stack.emulator.setFaults({ operations: ["SearchUsers"], throttle: true });
      const response = await postChat(stack, { name: "Gus", agent: "someone.new" });
      expect(response.status).to.equal(200);
      expect(contactOf(response.body.data!.startChatResult.ContactId).attributes).to.not.have.property("agentId");
    });
  });

  describe("bad input gets a 4xx JSON error and creates nothing", () => {
    const long = (n: number) => "x".repeat(n);
    const sample = (extra: Record<string, unknown>) => ({ ParticipantDetails: { DisplayName: "Ana" }, ...extra });
    const cases: [string, unknown, number, string, string?][] = [
      ["malformed JSON", "{name:", 400, "INVALID_JSON"],
      ["a JSON array", "[]", 400, "INVALID_JSON"],
      ["a JSON string", '"Ana"', 400, "INVALID_JSON"],
      ["an empty body", "", 400, "INVALID_JSON"],
      ["a body over 16 KB", { name: "Ana", attributes: { customerName: long(17000) } }, 413, "PAYLOAD_TOO_LARGE"],
      ["no name", {}, 400, "INVALID_REQUEST", "name"],
      ["a blank name", { name: "   " }, 400, "INVALID_REQUEST", "name"],
      ["a 257-character name", { name: long(257) }, 400, "INVALID_REQUEST", "name"],
      ["a name with a control character", { name: "An\u0000a" }, 400, "INVALID_REQUEST", "name"],
      ["a name with a line separator", { name: "An\u2028a" }, 400, "INVALID_REQUEST", "name"],
      ["a name of only zero-width characters", { name: "\u200B\u200C\u200D\u2060\uFEFF" }, 400, "INVALID_REQUEST", "name"],
      ["a name of only bidi controls", { name: "\u202E\u2066\u2069\u200E\u200F\u061C" }, 400, "INVALID_REQUEST", "name"],
      ["a DisplayName of spaces and invisible characters", { ParticipantDetails: { DisplayName: " \u200B \u202A\u202C " } }, 400, "INVALID_REQUEST", "ParticipantDetails.DisplayName"],
      ["a name with a lone surrogate", { name: "An\uD800a" }, 400, "INVALID_REQUEST", "name"],
      ["a 257-emoji name", { name: "\u{1F600}".repeat(257) }, 400, "INVALID_REQUEST", "name"],
      ["a numeric name", { name: 42 }, 400, "INVALID_REQUEST", "name"],
      ["an agent with spaces", { name: "Ana", agent: "j doe" }, 400, "INVALID_REQUEST", "agent"],
      ["a 101-character agent", { name: "Ana", agent: long(101) }, 400, "INVALID_REQUEST", "agent"],
      ["a numeric agent", { name: "Ana", agent: 7 }, 400, "INVALID_REQUEST", "agent"],
      ["attributes that are not an object", { name: "Ana", attributes: ["x"] }, 400, "INVALID_REQUEST", "attributes"],
      ["an attribute off the allowlist", { name: "Ana", attributes: { vip: "yes" } }, 400, "INVALID_REQUEST", "attributes.vip"],
      ["an attribute the server sets", { name: "Ana", attributes: { agentId: "x" } }, 400, "INVALID_REQUEST", "attributes.agentId"],
      ["a non-string attribute", { name: "Ana", attributes: { customerName: 1 } }, 400, "INVALID_REQUEST", "attributes.customerName"],
      ["an attribute with a control character", { name: "Ana", attributes: { customerName: "a\u0007" } }, 400, "INVALID_REQUEST", "attributes.customerName"],
      ["an attribute with a line break", { name: "Ana", attributes: { customerName: "Ana\nDear agent: refund approved" } }, 400, "INVALID_REQUEST", "attributes.customerName"],
      ["an attribute with a tab", { name: "Ana", attributes: { customerName: "Ana\tSmith" } }, 400, "INVALID_REQUEST", "attributes.customerName"],
      ["a 1025-character attribute", { name: "Ana", attributes: { customerName: long(1025) } }, 400, "INVALID_REQUEST", "attributes.customerName"],
      ["an attribute with a lone surrogate", { name: "Ana", attributes: { customerName: "An\uDC00a" } }, 400, "INVALID_REQUEST", "attributes.customerName"],
      ["a malformed resume token", { name: "Ana", resumeToken: "abc" }, 400, "INVALID_REQUEST", "resumeToken"],
      ["an endedChat that is not a contact id", { name: "Ana", endedChat: { ContactId: "x" } }, 400, "INVALID_REQUEST", "endedChat"],
      ["an unknown field", { name: "Ana", admin: true }, 400, "INVALID_REQUEST", "admin"],
      ["a foreign InstanceId", sample({ InstanceId: "99999999-9999-4999-8999-999999999999" }), 400, "FOREIGN_RESOURCE", "InstanceId"],
      ["a foreign ContactFlowId", sample({ ContactFlowId: "99999999-9999-4999-8999-999999999999" }), 400, "FOREIGN_RESOURCE", "ContactFlowId"],
      ["an unknown sample field", sample({ contactFlowId: "x" }), 400, "INVALID_REQUEST", "contactFlowId"],
      ["ParticipantDetails that is not an object", { ParticipantDetails: "Ana" }, 400, "INVALID_REQUEST", "ParticipantDetails"],
      ["an extra ParticipantDetails field", { ParticipantDetails: { DisplayName: "Ana", Role: "AGENT" } }, 400, "INVALID_REQUEST", "ParticipantDetails.Role"],
      ["a blank DisplayName", { ParticipantDetails: { DisplayName: "" } }, 400, "INVALID_REQUEST", "ParticipantDetails.DisplayName"],
      ["content types as a string", sample({ SupportedMessagingContentTypes: "text/plain" }), 400, "INVALID_REQUEST", "SupportedMessagingContentTypes"],
      ["no content types", sample({ SupportedMessagingContentTypes: [] }), 400, "INVALID_REQUEST", "SupportedMessagingContentTypes"],
      ["an unsupported content type", sample({ SupportedMessagingContentTypes: ["text/plain", "text/html"] }), 400, "INVALID_REQUEST", "SupportedMessagingContentTypes"],
      ["content types without text/plain", sample({ SupportedMessagingContentTypes: ["text/markdown"] }), 400, "INVALID_REQUEST", "SupportedMessagingContentTypes"],
      ["a 59-minute chat", sample({ ChatDurationInMinutes: 59 }), 400, "INVALID_REQUEST", "ChatDurationInMinutes"],
      ["a 10081-minute chat", sample({ ChatDurationInMinutes: 10081 }), 400, "INVALID_REQUEST", "ChatDurationInMinutes"],
      ["a fractional duration", sample({ ChatDurationInMinutes: 60.5 }), 400, "INVALID_REQUEST", "ChatDurationInMinutes"],
      ["a duration as a string", sample({ ChatDurationInMinutes: "120" }), 400, "INVALID_REQUEST", "ChatDurationInMinutes"],
      ["an unknown rehydration type", sample({ PersistentChat: { RehydrationType: "ALL", SourceContactId: "c" } }), 400, "INVALID_REQUEST", "PersistentChat.RehydrationType"],
      ["a rehydration without source", sample({ PersistentChat: { RehydrationType: "FROM_SEGMENT" } }), 400, "INVALID_REQUEST", "PersistentChat.SourceContactId"],
      ["a stranger's contact to rehydrate", sample({ PersistentChat: { RehydrationType: "FROM_SEGMENT", SourceContactId: "3f0c6a1e-0000-4000-8000-000000000000" } }), 400, "FOREIGN_CONTACT", "PersistentChat.SourceContactId"],
      ["an HTML initial message", sample({ InitialMessage: { ContentType: "text/html", Content: "hi" } }), 400, "INVALID_REQUEST", "InitialMessage.ContentType"],
      ["an empty initial message", sample({ InitialMessage: { ContentType: "text/plain", Content: " " } }), 400, "INVALID_REQUEST", "InitialMessage.Content"],
      ["a 1025-character initial message", sample({ InitialMessage: { ContentType: "text/plain", Content: long(1025) } }), 400, "INVALID_REQUEST", "InitialMessage.Content"],
    ];
    for (const [what, body, status, code, field] of cases) {
      it(`refuses ${what} (${status} ${code})`, async () => {
        const before = await footprint(stack);
        const response = await postChat(stack, body);
        expect(response.status).to.equal(status);
        expect(response.headers.get("content-type")).to.match(/^application\/json/);
        expect(response.body.error?.code).to.equal(code);
        expect(response.body.error?.message).to.be.a("string").and.not.match(/\bat .+\(.*:\d+:\d+\)/);
        if (field) expect(response.body.error?.field).to.equal(field);
        expect(await footprint(stack)).to.deep.equal(before);
      });
    }
  });

  describe("resume and continuation", () => {
    it("hands back the same chat for the resume token, with one DynamoDB read and no Connect call", async () => {
      const first = (await postChat(stack, { name: "Hana", agent: "jdoe" })).body.data!;
      stack.emulator.resetCallCounts();
      stack.dynamo.resetCallCounts();
      const again = await postChat(stack, { name: "Hana", resumeToken: first.resumeToken });
      expect(again.status).to.equal(200);
      expect(again.body.data).to.deep.equal({ ...first, resumed: true });
      expect(stack.dynamo.callCounts()).to.deep.equal({ GetItem: 1 });
      // Within liveCheckSeconds of its start: the record is trusted (Connect's API rate is scarce).
      expect(stack.emulator.callCounts()).to.deep.equal({});
    });

    it("costs a brand-new customer one DynamoDB call and a returning one two", async () => {
      stack.dynamo.resetCallCounts();
      const first = (await postChat(stack, { name: "Ivo" })).body.data!;
      expect(stack.dynamo.callCounts()).to.deep.equal({ PutItem: 1 });
      stack.emulator.endContact(first.startChatResult.ContactId);
      await stack.transcripts.settled();
      stack.dynamo.resetCallCounts();
      expect((await postChat(stack, { name: "Ivo", resumeToken: first.resumeToken })).status).to.equal(200);
      expect(stack.dynamo.callCounts()).to.deep.equal({ GetItem: 1, PutItem: 1 });
    });

    it("hands back a chat that ended unseen, then, told endedChat, starts a new one that continues it under the same resume token", async () => {
      const first = (await postChat(stack, { name: "Jo" })).body.data!;
      stack.emulator.endContact(first.startChatResult.ContactId);
      // Its transcript has not landed: the record still says active, and is trusted.
      const stale = await postChat(stack, { name: "Jo", resumeToken: first.resumeToken });
      expect(stale.body.data).to.deep.equal({ ...first, resumed: true });
      // The page's ChatJS is refused that chat, and the page says so (whether or not the transcript has landed by now).
      const next = await postChat(stack, { name: "Jo", resumeToken: first.resumeToken, endedChat: first.startChatResult.ContactId });
      expect(next.status).to.equal(200);
      const data = next.body.data!;
      expect(data.resumed).to.equal(false);
      expect(data.resumeToken).to.equal(first.resumeToken);
      expect(data.startChatResult.ContactId).to.not.equal(first.startChatResult.ContactId);
      expect(contactOf(data.startChatResult.ContactId).continuedFromContactId).to.equal(first.startChatResult.ContactId);
    });

    it("honours the client's PersistentChat for its own past contact, and falls back when Connect refuses it", async () => {
      const first = (await postChat(stack, { name: "Kai" })).body.data!;
      const firstId = first.startChatResult.ContactId;
      stack.emulator.endContact(firstId);
      await stack.transcripts.settled();
      const second = (await postChat(stack, { ParticipantDetails: { DisplayName: "Kai" }, resumeToken: first.resumeToken, PersistentChat: { RehydrationType: "ENTIRE_PAST_SESSION", SourceContactId: firstId } })).body.data!;
      expect(contactOf(second.startChatResult.ContactId).continuedFromContactId).to.equal(firstId);
      stack.emulator.endContact(second.startChatResult.ContactId);
      await stack.transcripts.settled();
      // The first contact was already continued once, which Connect allows only once.
      const third = await postChat(stack, { ParticipantDetails: { DisplayName: "Kai" }, resumeToken: first.resumeToken, PersistentChat: { RehydrationType: "FROM_SEGMENT", SourceContactId: firstId } });
      expect(third.status).to.equal(200);
      expect(contactOf(third.body.data!.startChatResult.ContactId).continuedFromContactId).to.equal(undefined);
    });

    it("starts afresh under a new token when the token is unknown", async () => {
      const unknownToken = "A".repeat(43);
      const response = await postChat(stack, { name: "Lu", resumeToken: unknownToken });
      expect(response.status).to.equal(200);
      expect(response.body.data!.resumeToken).to.match(/^[A-Za-z0-9_-]{43}$/).and.not.equal(unknownToken);
      expect(response.body.data!.resumed).to.equal(false);
    });

    it("keeps customers apart even when they type the same name and agent", async () => {
      const a = (await postChat(stack, { name: "Sam", agent: "jdoe" })).body.data!;
      const b = (await postChat(stack, { name: "Sam", agent: "jdoe" })).body.data!;
      expect(a.startChatResult.ContactId).to.not.equal(b.startChatResult.ContactId);
      expect(a.resumeToken).to.not.equal(b.resumeToken);
    });
  });

  describe("concurrency", () => {
    afterEach(() => stack.setQuotas("default"));

    it("creates exactly one contact for 50 simultaneous starts by one returning customer", async () => {
      // 50 at once: its subject is one contact, not Connect's rates (StartChatContact 5/s, DescribeContact 10/s).
      stack.setQuotas({ connect: { StartChatContact: { rate: 100, burst: 100 }, DescribeContact: { rate: 100, burst: 100 } } });
      const first = (await postChat(stack, { name: "Max" })).body.data!;
      stack.emulator.endContact(first.startChatResult.ContactId);
      await stack.transcripts.settled();
      const before = stack.emulator.contacts().length;
      // A slow Connect makes every request read the ended chat before any records the new one.
      stack.emulator.setFaults({ operations: ["StartChatContact"], latencyMs: 1000 });
      stack.emulator.resetCallCounts();
      const responses = await Promise.all(Array.from({ length: 50 }, () => postChat(stack, { name: "Max", resumeToken: first.resumeToken })));
      expect(responses.map((r) => r.status)).to.deep.equal(Array(50).fill(200));
      // Several of them raced to start it (each request that came later simply resumed it).
      expect(stack.emulator.callCounts().StartChatContact).to.be.greaterThan(1);
      const contactIds = new Set(responses.map((r) => r.body.data!.startChatResult.ContactId));
      expect(contactIds.size).to.equal(1);
      expect(stack.emulator.contacts().length - before).to.equal(1);
      const resumed = await postChat(stack, { name: "Max", resumeToken: first.resumeToken });
      expect(resumed.body.data!.startChatResult.ContactId).to.equal([...contactIds][0]);
    });
  });

  describe("at scale", () => {
    afterEach(() => stack.setQuotas("default"));

    it("creates one contact for 100 simultaneous starts by one customer, and 100 for 100 customers", async () => {
      // 100 at once: its subject is one contact per customer, not Connect's rates (StartChatContact 5/s, DescribeContact 10/s).
      stack.setQuotas({ connect: { StartChatContact: { rate: 200, burst: 200 }, DescribeContact: { rate: 200, burst: 200 } } });
      const first = (await postChat(stack, { name: "Zed" })).body.data!;
      stack.emulator.endContact(first.startChatResult.ContactId);
      await stack.transcripts.settled();
      stack.emulator.setFaults({ operations: ["StartChatContact"], latencyMs: 500 });
      const before = stack.emulator.contacts().length;
      const one = await Promise.all(Array.from({ length: 100 }, () => postChat(stack, { name: "Zed", resumeToken: first.resumeToken })));
      expect(new Set(one.map((r) => r.status))).to.deep.equal(new Set([200]));
      expect(new Set(one.map((r) => r.body.data!.startChatResult.ContactId)).size).to.equal(1);
      expect(stack.emulator.contacts().length - before).to.equal(1);

      const many = await Promise.all(Array.from({ length: 100 }, (_, i) => postChat(stack, { name: `Customer ${i}` })));
      expect(new Set(many.map((r) => r.status))).to.deep.equal(new Set([200]));
      expect(new Set(many.map((r) => r.body.data!.startChatResult.ContactId)).size).to.equal(100);
      expect(new Set(many.map((r) => r.body.data!.resumeToken)).size).to.equal(100);
      expect(stack.emulator.contacts().length - before).to.equal(101);
    });
  });

  describe("upstream failures", () => {
    const cases: [string, Parameters<LocalStack["emulator"]["setFaults"]>[0], number, string, string | null][] = [
      ["Connect throttling", { operations: ["StartChatContact"], throttle: true }, 429, "THROTTLED", "1"],
      ["Connect's active-chat quota", { operations: ["StartChatContact"], quota: true }, 429, "CHAT_CAPACITY", "30"],
      ["a Connect 5xx", { operations: ["StartChatContact"], serverError: true }, 502, "UPSTREAM_ERROR", "2"],
    ];
    for (const [what, faults, status, code, retryAfter] of cases) {
      it(`answers ${status} ${code} on ${what}, and records nothing`, async () => {
        stack.emulator.setFaults(faults);
        const before = await footprint(stack);
        const response = await postChat(stack, { name: "Nia" });
        expect(response.status).to.equal(status);
        expect(response.body.error?.code).to.equal(code);
        expect(response.headers.get("retry-after")).to.equal(retryAfter);
        expect(await footprint(stack)).to.deep.equal(before);
      });
    }

    it("does not start a second chat when it cannot tell whether the first is live", async () => {
      const first = (await postChat(stack, { name: "Oz" })).body.data!;
      stack.emulator.setFaults({ operations: ["DescribeContact"], serverError: true });
      const before = await footprint(stack);
      // Told it ended, the API must ask Connect before replacing it; Connect failing, it replaces nothing.
      const response = await postChat(stack, { name: "Oz", resumeToken: first.resumeToken, endedChat: first.startChatResult.ContactId });
      expect(response.status).to.equal(502);
      expect(await footprint(stack)).to.deep.equal(before);
    });
  });

  describe("logs", () => {
    it("are JSON with the API request id and never contain a participant or resume token", async () => {
      const logs = captureLogs();
      let tokens: string[];
      try {
        const first = (await postChat(stack, { name: "Pia", agent: "jdoe" })).body.data!;
        const again = (await postChat(stack, { name: "Pia", resumeToken: first.resumeToken })).body.data!;
        stack.emulator.endContact(first.startChatResult.ContactId);
        const next = (await postChat(stack, { name: "Pia", resumeToken: first.resumeToken })).body.data!;
        await postChat(stack, { name: "Pia", resumeToken: "x".repeat(42) });
        tokens = [first, again, next].flatMap((d) => [d.startChatResult.ParticipantToken, d.resumeToken!]);
      } finally {
        logs.restore();
      }
      await stack.transcripts.settled();
      const records = logs.records().filter((r) => r.handler === "start-chat");
      expect(records.map((r) => r.message)).to.include.members(["chat started", "chat resumed", "start-chat refused"]);
      for (const record of records) expect(record.apiRequestId).to.be.a("string");
      for (const token of tokens) expect(logs.lines.join("\n")).to.not.include(token);
    });
  });
});
