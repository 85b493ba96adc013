/**
 * Property-based fuzzing of POST /chat bodies through the real handler against the local stack:
 * whatever arrives, the answer is a 4xx JSON error or a valid 200 (never a 5xx), and only the 200s
 * that started a chat created a contact.
 */
import { expect } from "chai";
import fc from "fast-check";
import { createLogger } from "../handlers/log";
import { createStartChatDeps, handleStartChat } from "../handlers/start-chat";
import { localContactFlowId, localInstanceId, type LocalStack } from "../local/stack";
import { localStack } from "./support/hooks";

/** Values that look like what a field wants, and values that do not. */
const anything = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));
const name = fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constantFrom("Ana", " Bo ", "", "   ", "a\u0000b", "x".repeat(257)), anything);
const agent = fc.oneof(fc.constantFrom("jdoe", "asmith", "nobody.here", "j doe", "", "a@b.c"), fc.string({ maxLength: 110 }), anything);
const attributes = fc.oneof(fc.constant({ customerName: "Ana" }), fc.dictionary(fc.constantFrom("customerName", "agentId", "vip", "__proto__", "orderId"), fc.oneof(fc.string({ maxLength: 20 }), anything), { maxKeys: 3 }), anything);
const resumeToken = fc.oneof(fc.constant(undefined), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), fc.string({ maxLength: 50 }), anything);
const ours = fc.record({ name, agent, attributes, resumeToken }, { requiredKeys: [] });
const sample = fc.record({
  ParticipantDetails: fc.oneof(fc.record({ DisplayName: name }, { requiredKeys: [] }), anything),
  Username: agent,
  InstanceId: fc.oneof(fc.constant(localInstanceId), fc.uuid(), anything),
  ContactFlowId: fc.oneof(fc.constant(localContactFlowId), fc.uuid(), anything),
  Attributes: attributes,
  SupportedMessagingContentTypes: fc.oneof(fc.constant(["text/plain", "text/markdown"]), fc.array(fc.constantFrom("text/plain", "text/markdown", "text/html", " text/plain"), { maxLength: 3 }), anything),
  ChatDurationInMinutes: fc.oneof(fc.integer({ min: 0, max: 20000 }), fc.double(), anything),
  PersistentChat: fc.oneof(fc.record({ RehydrationType: fc.constantFrom("FROM_SEGMENT", "ENTIRE_PAST_SESSION", "NONE"), SourceContactId: fc.oneof(fc.uuid(), anything) }), anything),
  InitialMessage: fc.oneof(fc.record({ ContentType: fc.constantFrom("text/plain", "text/markdown", "text/html"), Content: fc.string({ maxLength: 1100 }) }), anything),
}, { requiredKeys: ["ParticipantDetails"] });
const valid = fc.record({
  name: fc.stringMatching(/^[A-Za-z][A-Za-z .'-]{0,39}$/),
  agent: fc.constantFrom("jdoe", "asmith", "nobody.here", undefined),
  attributes: fc.constant({ customerName: "Ana" }),
}, { requiredKeys: ["name"] }).map((value) => JSON.stringify(value));
const body = fc.oneof(
  { weight: 3, arbitrary: valid },
  { weight: 4, arbitrary: ours.map((value) => JSON.stringify(value)) },
  { weight: 4, arbitrary: sample.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 16_000, maxLength: 17_000 }).map((filler) => JSON.stringify({ name: "Ana", attributes: { customerName: filler } })) },
);

describe("start-chat under fuzzing", function () {
  this.timeout(180000);
  let stack: LocalStack;
  const started = new Set<string>();
  before(async () => {
    stack = await localStack();
    // Over 1,000 chats in seconds: its subject is each answer, not Connect's rates or chat quota.
    stack.setQuotas("off");
  });
  after(async () => {
    // Its chats end, so that the stack's other tests find the active chat quota as it was (their
    // transcripts are not delivered: the table stays as the fuzzing left it).
    stack.transcripts.setDelivery(false);
    for (const contactId of started) stack.emulator.endContact(contactId);
    await stack.transcripts.settled();
    stack.transcripts.setDelivery(true);
    stack.setQuotas("default");
  });

  it("answers 10,000 random bodies with a 4xx JSON error or a valid 200, and starts contacts only for the 200s", async () => {
    const deps = createStartChatDeps(stack.settings, createLogger(() => undefined));
    const contactsBefore = stack.emulator.contacts().length;
    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(body, async (raw) => {
      const result = await handleStartChat({ body: raw, requestContext: { requestId: "fuzz" } }, deps);
      statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
      const parsed = JSON.parse(result.body);
      if (result.statusCode === 200) {
        expect(parsed.data.startChatResult).to.have.keys("ContactId", "ParticipantId", "ParticipantToken");
        if (!parsed.data.resumed) started.add(parsed.data.startChatResult.ContactId);
      } else {
        expect(result.statusCode).to.be.oneOf([400, 413]);
        expect(parsed.error.code).to.be.a("string");
        expect(parsed.error.message).to.be.a("string").and.not.match(/\n\s+at /);
      }
    }), { numRuns: 10_000, seed: 20261121 });
    expect(stack.emulator.contacts().length - contactsBefore).to.equal(started.size);
    // Both outcomes were really exercised, not just refusals.
    expect(statuses.get(200) ?? 0).to.be.greaterThan(1000);
    expect(statuses.get(400) ?? 0).to.be.greaterThan(1000);
    expect(statuses.get(413) ?? 0).to.be.greaterThan(100);
  });
});
