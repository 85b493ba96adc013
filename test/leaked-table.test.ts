/**
 * A leaked table hands out no chats: a dump of the chats table (or a backup of it) holds nothing
 * that works as a participant or connection token, in anonymous and in signed-in mode, while
 * resuming still hands back the same chat. The real handler and SDK v3 clients (DynamoDB, KMS,
 * Connect's participant service) against the local stack's emulators.
 */
import { ConnectParticipantClient, CreateParticipantConnectionCommand, GetTranscriptCommand } from "@aws-sdk/client-connectparticipant";
import { DynamoDBClient, GetItemCommand, UpdateItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { sha256 } from "../handlers/start-chat/customer";
import { createLogger } from "../handlers/log";
import { createStartChatDeps, handleStartChat } from "../handlers/start-chat";
import { tokenSeal } from "../handlers/start-chat/seal";
import type { LocalStack } from "../local/stack";
import { postChat, scanChats, type ChatResponse } from "./support/chat-client";
import { localStack } from "./support/hooks";

type ChatData = NonNullable<ChatResponse["body"]["data"]>;

describe("a leaked chats table hands out no chats", function () {
  this.timeout(120000);
  let stack: LocalStack;
  let participant: ConnectParticipantClient;
  let dynamo: DynamoDBClient;
  before(async () => {
    stack = await localStack();
    participant = new ConnectParticipantClient({});
    dynamo = new DynamoDBClient({});
  });
  after(() => {
    participant.destroy();
    dynamo.destroy();
  });
  afterEach(() => stack.kms.setFaults({}));

  /** Signed-in mode: the handler as API Gateway calls it once the JWT authorizer has verified `sub`. */
  async function signedIn(sub: string, body: unknown = { name: "Sid" }) {
    const deps = createStartChatDeps({ ...stack.settings, authMode: "jwt" }, createLogger(() => undefined));
    const result = await handleStartChat({ body: JSON.stringify(body), requestContext: { requestId: "test", authorizer: { jwt: { claims: { sub } } } } }, deps);
    return { status: result.statusCode, body: JSON.parse(result.body) as ChatResponse["body"] };
  }
  const anonymous = async (body: Record<string, unknown> = { name: "Ana" }) => postChat(stack, body);
  const itemOf = async (customerKey: string) =>
    (await dynamo.send(new GetItemCommand({ TableName: stack.settings.chatsTableName, Key: { customerKey: { S: customerKey } }, ConsistentRead: true }))).Item!;
  const anonymousKey = (data: ChatData) => `anon#${sha256(data.resumeToken!)}`;

  /** Whether the participant service accepts a call; a refusal must be Connect's AccessDeniedException. */
  async function accepted(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      if ((error as Error).name === "AccessDeniedException") return false;
      throw error;
    }
  }
  const opensConnection = (token: string) => accepted(() => participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: token, Type: ["CONNECTION_CREDENTIALS"] })));
  const readsTranscript = (token: string) => accepted(() => participant.send(new GetTranscriptCommand({ ConnectionToken: token })));

  /**
   * Every string the items hold, and what a thief would try from it: its `#`, `.`, `:` and `|`
   * separated parts; each part that is hex decoded; each part that is base64 (in either alphabet)
   * decoded, decoded twice, and re-encoded in the other alphabet. Tokens travel in an HTTP header,
   * so only printable ASCII can be one.
   */
  function candidatesIn(items: Record<string, AttributeValue>[]): Set<string> {
    const candidates = new Set<string>();
    const printable = (value: string) => /^[\x21-\x7e]+$/.test(value);
    /** `value` decoded, when it is an encoding in that alphabet (re-encoding the bytes gives it back). */
    const decoded = (value: string, encoding: BufferEncoding) => {
      const bytes = Buffer.from(value, encoding);
      return bytes.length && bytes.toString(encoding).replace(/=+$/, "") === value.replace(/=+$/, "") ? bytes : undefined;
    };
    const add = (value: string): void => {
      for (const part of [value, ...value.split(/[#.:|]/)]) {
        if (printable(part)) candidates.add(part);
        const hex = decoded(part, "hex")?.toString("utf8");
        if (hex && printable(hex)) candidates.add(hex);
        for (const [alphabet, other] of [["base64", "base64url"], ["base64url", "base64"]] as const) {
          const bytes = decoded(part, alphabet);
          if (!bytes) continue;
          candidates.add(bytes.toString(other));
          const text = bytes.toString("utf8");
          if (printable(text)) {
            candidates.add(text);
            const twice = decoded(text, "base64")?.toString("utf8") ?? decoded(text, "base64url")?.toString("utf8");
            if (twice && printable(twice)) candidates.add(twice);
          }
        }
      }
    };
    const walk = (value: AttributeValue): void => {
      if (value.S !== undefined) add(value.S);
      if (value.N !== undefined) add(value.N);
      if (value.B !== undefined) add(Buffer.from(value.B).toString("base64"));
      value.SS?.forEach(add);
      value.L?.forEach(walk);
      if (value.M) Object.values(value.M).forEach(walk);
    };
    for (const item of items) Object.values(item).forEach(walk);
    return candidates;
  }

  it("a dump of the whole table holds no participant or connection token, in either mode", async () => {
    // Live chats, started and resumed in both modes, so a token stored in any form would still work.
    const anon = (await anonymous({ name: "Ana" })).body.data!;
    await anonymous({ name: "Ana", resumeToken: anon.resumeToken });
    const member = (await signedIn("user-leak")).body.data!;
    await signedIn("user-leak");
    // The tokens the API hands out do open their chats: a stored copy would be caught below.
    for (const data of [anon, member]) expect(await opensConnection(data.startChatResult.ParticipantToken)).to.equal(true);

    const items = await scanChats(stack);
    expect(items.map((item) => item.customerKey.S)).to.include.members([anonymousKey(anon), "sub#user-leak"]);
    const candidates = [...candidatesIn(items)];
    const working: string[] = [];
    for (let i = 0; i < candidates.length; i += 200) {
      await Promise.all(candidates.slice(i, i + 200).flatMap((candidate) => [
        opensConnection(candidate).then((works) => works && working.push(`participant token: ${candidate}`)),
        readsTranscript(candidate).then((works) => works && working.push(`connection token: ${candidate}`)),
      ]));
    }
    expect(working, `from ${items.length} items, ${candidates.length} candidates`).to.deep.equal([]);
  });

  it("the stored hash of a resume token does not derive its sealing key", async () => {
    const data = (await anonymous({ name: "Hal" })).body.data!;
    const key = anonymousKey(data);
    const { sealedParticipantToken, contactId } = await itemOf(key);
    // Anonymous mode makes no KMS call at all.
    const seal = tokenSeal({ loadSdk: () => { throw new Error("anonymous mode loaded KMS"); }, keyId: "" });
    const customer = (resumeToken: string) => ({ key, resumeToken, mayHaveChat: true });
    expect(await seal.open(sealedParticipantToken.S, customer(key.slice("anon#".length)), contactId.S!)).to.equal(undefined);
    expect(await seal.open(sealedParticipantToken.S, customer(data.resumeToken!), contactId.S!)).to.equal(data.startChatResult.ParticipantToken);
  });

  describe("resume still hands back the same chat", () => {
    beforeEach(async () => {
      await stack.transcripts.settled();
      stack.dynamo.resetCallCounts();
      stack.kms.resetCallCounts();
    });

    it("anonymous: the same startChatResult, with no KMS call and the DynamoDB calls of before", async () => {
      const first = (await anonymous({ name: "Ivy" })).body.data!;
      expect(stack.dynamo.callCounts()).to.deep.equal({ PutItem: 1 });
      stack.dynamo.resetCallCounts();
      const again = await anonymous({ name: "Ivy", resumeToken: first.resumeToken });
      expect(again.body.data).to.deep.equal({ ...first, resumed: true });
      expect(stack.dynamo.callCounts()).to.deep.equal({ GetItem: 1 });
      expect(stack.kms.callCounts()).to.deep.equal({});
    });

    it("signed-in: the same startChatResult, with one KMS Encrypt to start and one Decrypt to resume", async () => {
      const first = await signedIn("user-ivy");
      expect(first.status).to.equal(200);
      expect(stack.kms.callCounts()).to.deep.equal({ Encrypt: 1 });
      // A signed-in first chat claims the customer's item before calling Connect (one contact per customer).
      expect(stack.dynamo.callCounts()).to.deep.equal({ GetItem: 1, PutItem: 2 });
      stack.dynamo.resetCallCounts();
      stack.kms.resetCallCounts();
      const again = await signedIn("user-ivy");
      expect(again.body.data).to.deep.equal({ ...first.body.data, resumed: true });
      expect(stack.kms.callCounts()).to.deep.equal({ Decrypt: 1 });
      expect(stack.dynamo.callCounts()).to.deep.equal({ GetItem: 1 });
    });
  });

  describe("a sealed token opens only in its own item", () => {
    // Someone who can write the table points their own item at another customer's live chat.
    async function hijack(victimKey: string, thiefKey: string) {
      const victim = await itemOf(victimKey);
      await dynamo.send(new UpdateItemCommand({
        TableName: stack.settings.chatsTableName,
        Key: { customerKey: { S: thiefKey } },
        UpdateExpression: "SET contactId = :contact, sealedParticipantToken = :sealed",
        ExpressionAttributeValues: { ":contact": victim.contactId, ":sealed": victim.sealedParticipantToken },
      }));
    }

    it("anonymous: the thief gets a new chat of their own, never the victim's token or an error", async () => {
      const victim = (await anonymous({ name: "Vera" })).body.data!;
      const thief = (await anonymous({ name: "Tom" })).body.data!;
      await hijack(anonymousKey(victim), anonymousKey(thief));
      const response = await anonymous({ name: "Tom", resumeToken: thief.resumeToken });
      expect(response.status).to.equal(200);
      expect(response.body.data!.resumed).to.equal(false);
      expect(response.body.data!.startChatResult.ContactId).to.not.equal(victim.startChatResult.ContactId);
      expect(response.body.data!.startChatResult.ParticipantToken).to.not.equal(victim.startChatResult.ParticipantToken);
      // The victim's own chat is untouched.
      expect((await anonymous({ name: "Vera", resumeToken: victim.resumeToken })).body.data).to.deep.equal({ ...victim, resumed: true });
    });

    it("signed-in: KMS refuses the other item's encryption context, and the thief gets a new chat", async () => {
      const victim = (await signedIn("user-vera")).body.data!;
      await signedIn("user-tom");
      await hijack("sub#user-vera", "sub#user-tom");
      const response = await signedIn("user-tom");
      expect(response.status).to.equal(200);
      expect(response.body.data!.resumed).to.equal(false);
      expect(response.body.data!.startChatResult.ContactId).to.not.equal(victim.startChatResult.ContactId);
      expect(response.body.data!.startChatResult.ParticipantToken).to.not.equal(victim.startChatResult.ParticipantToken);
      expect((await signedIn("user-vera")).body.data).to.deep.equal({ ...victim, resumed: true });
    });
  });

  describe("an item written before tokens were sealed", () => {
    // As this code's predecessor wrote it: the participant token in the clear, nothing sealed.
    async function unseal(customerKey: string, participantToken: string) {
      await dynamo.send(new UpdateItemCommand({
        TableName: stack.settings.chatsTableName,
        Key: { customerKey: { S: customerKey } },
        UpdateExpression: "SET participantToken = :token REMOVE sealedParticipantToken",
        ExpressionAttributeValues: { ":token": { S: participantToken } },
      }));
    }
    const cases: [string, () => Promise<{ key: string; data: ChatData; again: () => Promise<{ status: number; body: ChatResponse["body"] }> }>][] = [
      ["anonymous", async () => {
        const data = (await anonymous({ name: "Olga" })).body.data!;
        return { key: anonymousKey(data), data, again: () => anonymous({ name: "Olga", resumeToken: data.resumeToken }) };
      }],
      ["signed-in", async () => {
        const data = (await signedIn("user-olga")).body.data!;
        return { key: "sub#user-olga", data, again: () => signedIn("user-olga") };
      }],
    ];
    for (const [mode, start] of cases) {
      it(`${mode}: is not resumed; a new chat replaces it and the clear token is gone`, async () => {
        const { key, data, again } = await start();
        await unseal(key, data.startChatResult.ParticipantToken);
        const response = await again();
        expect(response.status).to.equal(200);
        expect(response.body.data!.resumed).to.equal(false);
        expect(response.body.data!.startChatResult.ContactId).to.not.equal(data.startChatResult.ContactId);
        const item = await itemOf(key);
        expect(item).to.not.have.property("participantToken");
        expect(item.sealedParticipantToken.S).to.be.a("string");
      });
    }
  });

  describe("signed-in mode when KMS fails", () => {
    it("a resume answers 503 and starts no second chat", async () => {
      const first = (await signedIn("user-kim")).body.data!;
      stack.kms.setFaults({ operations: ["Decrypt"], serverError: true });
      const contacts = stack.emulator.contacts().length;
      const response = await signedIn("user-kim");
      expect(response.status).to.equal(503);
      expect(response.body.error!.code).to.equal("STORE_UNAVAILABLE");
      expect(stack.emulator.contacts().length).to.equal(contacts);
      expect((await itemOf("sub#user-kim")).contactId.S).to.equal(first.startChatResult.ContactId);
    });

    it("a new chat answers 503 and records nothing", async () => {
      stack.kms.setFaults({ operations: ["Encrypt"], serverError: true });
      const response = await signedIn("user-lee");
      expect(response.status).to.equal(503);
      expect(response.body.error!.code).to.equal("STORE_UNAVAILABLE");
      expect((await dynamo.send(new GetItemCommand({ TableName: stack.settings.chatsTableName, Key: { customerKey: { S: "sub#user-lee" } } }))).Item).to.equal(undefined);
    });
  });

  it("the transcript watcher marks chats ended without touching their sealed tokens", async () => {
    const anon = (await anonymous({ name: "Uli" })).body.data!;
    const member = (await signedIn("user-uli")).body.data!;
    const keys = [anonymousKey(anon), "sub#user-uli"];
    const sealed = await Promise.all(keys.map(async (key) => (await itemOf(key)).sealedParticipantToken.S));
    for (const data of [anon, member]) stack.emulator.endContact(data.startChatResult.ContactId);
    await stack.transcripts.settled();
    for (const [i, key] of keys.entries()) {
      const item = await itemOf(key);
      expect(item.chatStatus.S).to.equal("ended");
      expect(item.sealedParticipantToken.S).to.equal(sealed[i]);
    }
  });
});
