/**
 * transcript-landed against dynalite and the local S3 emulator through the real SDK v3 clients,
 * with events shaped as S3, EventBridge and SQS deliver them.
 */
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { createLogger, type LogFields } from "../handlers/log";
import { sha256 } from "../handlers/start-chat/customer";
import { createTranscriptLandedDeps, handleTranscriptLanded, type TranscriptLandedDeps } from "../handlers/transcript-landed";
import { s3TranscriptObjects } from "../handlers/transcript-landed/objects";
import { localTranscriptSettings, type LocalStack } from "../local/stack";
import { footprint, postChat } from "./support/chat-client";
import { localStack } from "./support/hooks";
import { eventBridgeObjectCreated, s3Notification, sqsBatch, transcriptKey } from "./support/s3-events";
import * as S3 from "@aws-sdk/client-s3";

describe("transcript-landed", () => {
  let stack: LocalStack;
  let deps: TranscriptLandedDeps;
  const records: LogFields[] = [];
  const { bucket, prefix } = localTranscriptSettings;

  before(async () => {
    stack = await localStack();
    // These tests deliver their own events; the stack's own transcripts would race them.
    await stack.transcripts.settled();
    stack.transcripts.setDelivery(false);
    deps = createTranscriptLandedDeps(localTranscriptSettings, createLogger((level, record) => records.push({ level, ...record })));
  });
  afterEach(() => {
    records.length = 0;
  });
  after(() => stack.transcripts.setDelivery(true));

  /** A customer with a live chat started through the API. */
  async function customerWithChat(name = "Ana") {
    const data = (await postChat(stack, { name })).body.data!;
    return { token: data.resumeToken!, contactId: data.startChatResult.ContactId };
  }
  async function chatOf(token: string) {
    const client = new DynamoDBClient({});
    const { Item } = await client.send(new GetItemCommand({ TableName: stack.settings.chatsTableName, Key: { customerKey: { S: `anon#${sha256(token)}` } } }));
    client.destroy();
    return Item;
  }
  const outcomes = () => records.filter((r) => r.message === "transcript landed").map((r) => r.outcome);

  it("marks the chat ended, so the next start continues it without asking Connect", async () => {
    const { token, contactId } = await customerWithChat();
    stack.emulator.endContact(contactId);
    // Now, not a fixed date: a continuation is allowed only within continuationMinutes of the end.
    const landedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const key = transcriptKey(contactId, landedAt);
    expect(await handleTranscriptLanded(s3Notification([key], { time: landedAt.toISOString() }), deps)).to.deep.equal({ batchItemFailures: [] });
    const chat = await chatOf(token);
    expect(chat?.chatStatus.S).to.equal("ended");
    expect(chat?.endedAt.N).to.equal(String(landedAt.getTime() / 1000));
    expect(chat?.transcriptLocation.S).to.equal(`s3://${bucket}/${key}`);
    expect(key).to.include(":"); // encoded as %3A in the event, decoded here

    stack.emulator.resetCallCounts();
    const next = (await postChat(stack, { name: "Ana", resumeToken: token })).body.data!;
    expect(next.startChatResult.ContactId).to.not.equal(contactId);
    expect(stack.emulator.contact(next.startChatResult.ContactId)?.continuedFromContactId).to.equal(contactId);
    expect(stack.emulator.callCounts()).to.not.have.property("DescribeContact");
  });

  it("handles several records in one S3 event, and EventBridge events in an SQS batch", async () => {
    const a = await customerWithChat("A");
    const b = await customerWithChat("B");
    const c = await customerWithChat("C");
    await handleTranscriptLanded(s3Notification([transcriptKey(a.contactId), transcriptKey(b.contactId)]), deps);
    const response = await handleTranscriptLanded(sqsBatch([eventBridgeObjectCreated(transcriptKey(c.contactId))]), deps);
    expect(response.batchItemFailures).to.deep.equal([]);
    for (const { token } of [a, b, c]) expect((await chatOf(token))?.chatStatus.S).to.equal("ended");
  });

  it("changes nothing on a second delivery", async () => {
    const { token, contactId } = await customerWithChat();
    const event = s3Notification([transcriptKey(contactId)], { time: "2026-11-21T10:00:00Z" });
    await handleTranscriptLanded(event, deps);
    const once = await chatOf(token);
    await handleTranscriptLanded(s3Notification([transcriptKey(contactId)], { time: "2026-11-21T10:30:00Z" }), deps);
    expect(await chatOf(token)).to.deep.equal(once);
    expect(outcomes()).to.deep.equal(["ended", "unchanged"]);
  });

  it("creates nothing for a contact it never started", async () => {
    const before = await footprint(stack);
    await handleTranscriptLanded(s3Notification([transcriptKey("0f0e0d0c-0000-4000-8000-000000000000")]), deps);
    expect(await footprint(stack)).to.deep.equal(before);
    expect(outcomes()).to.deep.equal(["unknown"]);
  });

  it("never lets an older contact's transcript close the customer's newer live chat", async () => {
    const { token, contactId: older } = await customerWithChat();
    stack.emulator.endContact(older);
    const newer = (await postChat(stack, { name: "Ana", resumeToken: token, endedChat: older })).body.data!.startChatResult.ContactId;
    await handleTranscriptLanded(s3Notification([transcriptKey(older)]), deps);
    const chat = await chatOf(token);
    expect(chat?.contactId.S).to.equal(newer);
    expect(chat?.chatStatus.S).to.equal("active");
  });

  it("ignores objects that are not transcripts, without reading them", async () => {
    const before = await footprint(stack);
    const { contactId } = await customerWithChat();
    const event = {
      Records: [
        ...s3Notification([transcriptKey(contactId)], { bucket: "someone-elses-bucket" }).Records,
        ...s3Notification([`reports/2026/11/21/${contactId}_20261121T09:05_UTC.json`, `${prefix}/2026/11/21/notes.txt`]).Records,
        ...s3Notification([transcriptKey(contactId)], { eventName: "ObjectRemoved:Delete" }).Records,
      ],
    };
    await handleTranscriptLanded(event, deps);
    await handleTranscriptLanded(sqsBatch([{ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: bucket }, "not json"]), deps);
    expect(records.map((r) => r.reason)).to.deep.equal(["another bucket", "outside the transcript prefix", "not JSON"]);
    expect((await footprint(stack)).items).to.equal(before.items + 1);
    expect(outcomes()).to.deep.equal([]);
  });

  describe("a key outside Connect's layout", () => {
    it("reads the object's ContactId", async () => {
      const { token, contactId } = await customerWithChat();
      const key = `${prefix}/2026/11/21/redacted/${contactId}-analysis.json`;
      stack.s3.put(bucket, key, JSON.stringify({ ContactId: contactId, InstanceId: stack.settings.instanceId, Participants: [], Transcript: [{ Content: "my card is 4111" }] }));
      await handleTranscriptLanded(s3Notification([key]), deps);
      expect((await chatOf(token))?.chatStatus.S).to.equal("ended");
      expect(JSON.stringify(records)).to.not.include("4111");
    });

    it("ignores JSON that is not a transcript, and an object already gone", async () => {
      const key = `${prefix}/2026/11/21/settings.json`;
      stack.s3.put(bucket, key, JSON.stringify({ ContactId: "x" }));
      await handleTranscriptLanded(s3Notification([key, `${prefix}/2026/11/21/deleted.json`]), deps);
      expect(records.map((r) => r.reason)).to.deep.equal(["not a chat transcript", "not a chat transcript"]);
    });
  });

  describe("a record that fails", () => {
    // An S3 endpoint where nothing listens: reading an object fails, as in an outage.
    const withS3Down = () => ({ ...deps, objects: s3TranscriptObjects(() => S3, { endpoint: "http://127.0.0.1:9", maxAttempts: 1, forcePathStyle: true }) });

    it("is reported alone in an SQS batch; the others are recorded", async () => {
      const a = await customerWithChat("A");
      const b = await customerWithChat("B");
      const response = await handleTranscriptLanded(sqsBatch([
        eventBridgeObjectCreated(transcriptKey(a.contactId)),
        eventBridgeObjectCreated(`${prefix}/2026/11/21/needs-a-read.json`),
        eventBridgeObjectCreated(transcriptKey(b.contactId)),
      ]), withS3Down());
      expect(response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: "message-1" }] });
      for (const { token } of [a, b]) expect((await chatOf(token))?.chatStatus.S).to.equal("ended");
    });

    it("fails a direct S3 invocation after recording the others, so Lambda retries it", async () => {
      const a = await customerWithChat("A");
      const event = s3Notification([`${prefix}/2026/11/21/needs-a-read.json`, transcriptKey(a.contactId)]);
      const error = await handleTranscriptLanded(event, withS3Down()).then(() => undefined, (e: Error) => e);
      expect(error?.message).to.equal("1 transcript event(s) were not recorded");
      expect((await chatOf(a.token))?.chatStatus.S).to.equal("ended");
    });
  });
});
