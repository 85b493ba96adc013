/**
 * A soak: 1,000 whole chats through the real clients (start-chat over HTTP, the participant service
 * through the AWS SDK), each ended by the customer so its transcript lands. Afterwards the table
 * says exactly what happened, no chat is left active, and memory grew only by what it keeps.
 */
import { ConnectParticipantClient, CreateParticipantConnectionCommand, DisconnectParticipantCommand, SendMessageCommand } from "@aws-sdk/client-connectparticipant";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { sha256 } from "../handlers/start-chat/customer";
import type { LocalStack } from "../local/stack";
import { postChat } from "./support/chat-client";
import { localStack } from "./support/hooks";

const lifecycles = 1000;
const concurrency = 20;

describe("soak", function () {
  this.timeout(300000);
  let stack: LocalStack;
  before(async () => {
    stack = await localStack();
    // 1,000 chats as fast as 20 clients go: its subject is what they leave behind, not Connect's rates.
    stack.setQuotas("off");
  });
  after(() => stack.setQuotas("default"));

  it(`runs ${lifecycles} whole chats; the table matches and memory stays bounded`, async () => {
    const participants = new ConnectParticipantClient({});
    const dynamo = new DynamoDBClient({});
    const heap = () => {
      (global as { gc?: () => void }).gc?.();
      return process.memoryUsage().heapUsed;
    };
    const finished: { token: string; contactId: string }[] = [];
    const lifecycle = async (i: number) => {
      const { data } = (await postChat(stack, { name: `Soak ${i}` })).body;
      const connection = await participants.send(new CreateParticipantConnectionCommand({ ParticipantToken: data!.startChatResult.ParticipantToken, Type: ["CONNECTION_CREDENTIALS"] }));
      const token = connection.ConnectionCredentials!.ConnectionToken!;
      for (const text of ["hello", "thanks, bye"]) await participants.send(new SendMessageCommand({ ConnectionToken: token, ContentType: "text/plain", Content: text }));
      await participants.send(new DisconnectParticipantCommand({ ConnectionToken: token }));
      finished.push({ token: data!.resumeToken!, contactId: data!.startChatResult.ContactId });
    };
    const runBatch = async (from: number, to: number) => {
      let next = from;
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < to) await lifecycle(next++);
      }));
      await stack.transcripts.settled();
    };

    await runBatch(0, 200);
    const heapAfterWarmUp = heap();
    await runBatch(200, lifecycles);
    const bytesPerChat = (heap() - heapAfterWarmUp) / (lifecycles - 200);

    expect(finished).to.have.length(lifecycles);
    for (const { token, contactId } of finished) {
      const { Item } = await dynamo.send(new GetItemCommand({ TableName: stack.settings.chatsTableName, Key: { customerKey: { S: `anon#${sha256(token)}` } } }));
      expect(Item?.contactId.S).to.equal(contactId);
      expect(Item?.chatStatus.S, contactId).to.equal("ended");
      expect(Item?.transcriptLocation.S).to.include(contactId);
      expect(stack.emulator.contact(contactId)?.disconnectTimestamp).to.be.a("number");
    }
    // What stays is the chats themselves (the emulator keeps every contact and transcript in memory).
    expect(bytesPerChat).to.be.below(24 * 1024);
    console.log(`      soak: ${lifecycles} chats, heap +${(bytesPerChat / 1024).toFixed(1)} KB per chat after warm-up`);
    participants.destroy();
    dynamo.destroy();
  });
});
