/**
 * A fault matrix: Connect and DynamoDB throttling, failing and timing out under each kind of start.
 * Whatever fails, the answer is the right status, and nothing is orphaned: no active record points
 * at a contact that was never created, and a created contact is always recorded or reported.
 */
import { expect } from "chai";
import { sha256 } from "../handlers/start-chat/customer";
import type { Faults } from "../local/connect-emulator";
import type { DynamoFaults } from "../local/dynamodb";
import type { LocalStack } from "../local/stack";
import { postChat, scanChats, type ChatResponse } from "./support/chat-client";
import { localStack } from "./support/hooks";
import { captureLogs } from "./support/logs";

interface Case {
  what: string;
  connect?: Faults;
  dynamo?: DynamoFaults;
  /** Expected status for a brand-new customer, a returning one whose chat ended, and a resume. */
  expect: { fresh: number; returning: number; resume: number };
}

const cases: Case[] = [
  { what: "Connect throttles StartChatContact", connect: { operations: ["StartChatContact"], throttle: true }, expect: { fresh: 429, returning: 429, resume: 200 } },
  { what: "Connect's chat quota is reached", connect: { operations: ["StartChatContact"], quota: true }, expect: { fresh: 429, returning: 429, resume: 200 } },
  // A resume within liveCheckSeconds needs no Connect call, and one that cannot ask hands back the recorded chat.
  { what: "Connect fails", connect: { serverError: true }, expect: { fresh: 502, returning: 502, resume: 200 } },
  { what: "Connect does not answer in time", connect: { operations: ["StartChatContact", "DescribeContact"], latencyMs: 3500 }, expect: { fresh: 503, returning: 503, resume: 200 } },
  { what: "DynamoDB throttles reads", dynamo: { operations: ["GetItem"], throttle: true }, expect: { fresh: 200, returning: 503, resume: 503 } },
  { what: "DynamoDB fails writes", dynamo: { operations: ["PutItem"], serverError: true }, expect: { fresh: 503, returning: 503, resume: 200 } },
  { what: "DynamoDB does not answer in time", dynamo: { latencyMs: 3500 }, expect: { fresh: 503, returning: 503, resume: 503 } },
];

describe("fault matrix", function () {
  this.timeout(120000);
  let stack: LocalStack;
  before(async () => {
    stack = await localStack();
  });
  afterEach(() => {
    stack.emulator.setFaults({});
    stack.dynamo.setFaults({});
  });

  async function activeRecords(): Promise<{ contactId: string }[]> {
    const active = await scanChats(stack, { expression: "chatStatus = :active", values: { ":active": { S: "active" } } });
    return active.map((item) => ({ contactId: item.contactId.S! }));
  }

  for (const fault of cases) {
    it(`${fault.what}: ${fault.expect.fresh} / ${fault.expect.returning} / ${fault.expect.resume}, nothing orphaned`, async () => {
      // Set up, without faults: a customer whose chat has ended, and one whose chat is live.
      const ended = (await postChat(stack, { name: "Returning" })).body.data!;
      stack.emulator.endContact(ended.startChatResult.ContactId);
      await stack.transcripts.settled();
      const live = (await postChat(stack, { name: "Live" })).body.data!;
      const contactsBefore = new Set(stack.emulator.contacts().map((c) => c.id));

      const logs = captureLogs();
      let answers: ChatResponse[];
      try {
        stack.emulator.setFaults(fault.connect ?? {});
        stack.dynamo.setFaults(fault.dynamo ?? {});
        answers = await Promise.all([
          postChat(stack, { name: "Fresh" }),
          postChat(stack, { name: "Returning", resumeToken: ended.resumeToken }),
          postChat(stack, { name: "Live", resumeToken: live.resumeToken }),
        ]);
      } finally {
        stack.emulator.setFaults({});
        stack.dynamo.setFaults({});
        logs.restore();
      }

      expect(answers.map((a) => a.status)).to.deep.equal([fault.expect.fresh, fault.expect.returning, fault.expect.resume]);
      for (const answer of answers) {
        if (answer.status === 200) continue;
        expect(answer.body.error?.code).to.be.a("string");
        if (answer.status === 429 || answer.status === 503) expect(Number(answer.headers.get("retry-after"))).to.be.greaterThan(0);
      }

      const contacts = new Set(stack.emulator.contacts().map((c) => c.id));
      const active = await activeRecords();
      for (const record of active) expect(contacts.has(record.contactId), `record for ${record.contactId}`).to.equal(true);
      const recorded = new Set(active.map((r) => r.contactId));
      const records = logs.records();
      const reported = new Set(records.filter((r) => r.message === "chat started but not recorded").map((r) => r.contactId));
      // An unknown outcome is reported by the hash of its ClientToken, which an operator recomputes.
      const unknownOutcomes = new Set(records.filter((r) => r.message === "chat start outcome unknown").map((r) => r.idempotencyKeyHash));
      for (const created of [...contacts].filter((id) => !contactsBefore.has(id))) {
        const clientToken = stack.emulator.contact(created)?.clientToken;
        const reportedByKey = clientToken !== undefined && unknownOutcomes.has(sha256(clientToken));
        expect(recorded.has(created) || reported.has(created) || reportedByKey, `contact ${created} is recorded or reported`).to.equal(true);
      }
    });
  }
});
