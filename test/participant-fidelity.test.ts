/**
 * What Connect's participant service does after a participant leaves, with receipts, and with
 * attachments, through the real @aws-sdk/client-connectparticipant (and a websocket as ChatJS
 * opens it). Compared against: the participant service's API model (aws/aws-sdk-js-v3,
 * codegen/sdk-codegen/aws-models/connectparticipant.json: operations, errors, StartAttachmentUpload's
 * AttachmentName @length 1-256 and AttachmentSizeInBytes @range min 1, GetAttachment's
 * UrlExpiryInSeconds @range 5-300, SendEvent's receipt content types), the Connect admin guide's
 * "Amazon Connect feature specifications" (attachment file types, 20 MB), and S3's pre-signed URLs
 * (an expired or altered URL is refused with 403).
 */
import { once } from "node:events";
import {
  CompleteAttachmentUploadCommand, ConnectParticipantClient, CreateParticipantConnectionCommand, DisconnectParticipantCommand,
  GetAttachmentCommand, GetTranscriptCommand, SendEventCommand, SendMessageCommand, StartAttachmentUploadCommand,
  type ConnectParticipantServiceException,
} from "@aws-sdk/client-connectparticipant";
import { expect } from "chai";
import { WebSocket } from "ws";
import type { LocalStack } from "../local/stack";
import { postChat } from "./support/chat-client";
import { localStack } from "./support/hooks";

describe("participant service: leaving, receipts and attachments as Connect has them (AWS SDK v3 client)", function () {
  this.timeout(30000);
  let stack: LocalStack;
  let client: ConnectParticipantClient;
  before(async () => {
    stack = await localStack();
    client = new ConnectParticipantClient({});
  });
  const started: string[] = [];
  after(() => {
    // Nothing left open for the agent console in later tests.
    for (const contactId of started) stack.emulator.endContact(contactId);
    client.destroy();
  });

  const failure = (promise: Promise<unknown>) => promise.then(() => "no error", (error: ConnectParticipantServiceException) => error.name);
  const connection = (ParticipantToken: string) => client.send(new CreateParticipantConnectionCommand({ ParticipantToken, Type: ["WEBSOCKET", "CONNECTION_CREDENTIALS"] }));

  /** A websocket subscribed to the chat, as ChatJS opens it, and the items it receives. */
  async function socket(url: string) {
    const ws = new WebSocket(url);
    const items: { Type?: string; MessageMetadata?: { MessageId: string; Receipts: { DeliveredTimestamp?: string; ReadTimestamp?: string; RecipientParticipantId?: string }[] } }[] = [];
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as { topic: string; content?: string };
      if (frame.topic === "aws/chat" && frame.content) items.push(JSON.parse(frame.content));
    });
    await once(ws, "open");
    ws.send(JSON.stringify({ topic: "aws/subscribe", content: { topics: ["aws/chat"] } }));
    await once(ws, "message");
    return { ws, items };
  }

  /** A customer who asked for jdoe, and jdoe who accepted: both connected. */
  async function chatWithAgent() {
    const data = (await postChat(stack, { name: "Lee", agent: "jdoe" })).body.data!;
    const contactId = data.startChatResult.ContactId;
    started.push(contactId);
    const customer = await connection(data.startChatResult.ParticipantToken);
    for (let i = 0; i < 100 && !stack.emulator.contact(contactId)?.routing; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const accepted = await (await fetch(`${stack.url}/agent-api/contacts/${contactId}/accept?agent=jdoe`, { method: "POST" })).json() as { participantToken: string };
    const agent = await connection(accepted.participantToken);
    return { contactId, customer, agent, customerToken: customer.ConnectionCredentials!.ConnectionToken!, agentToken: agent.ConnectionCredentials!.ConnectionToken! };
  }

  describe("after DisconnectParticipant (the agent leaves; the customer stays)", () => {
    it("closes the agent's open websocket, refuses a new one with its URL, and refuses its connection token (403 AccessDeniedException)", async () => {
      const chat = await chatWithAgent();
      const open = await socket(chat.agent.Websocket!.Url!);
      const closed = once(open.ws, "close");
      await client.send(new DisconnectParticipantCommand({ ConnectionToken: chat.agentToken }));
      // The customer's chat goes on (the disconnect flow waits for them), but the agent is out.
      expect(stack.emulator.contact(chat.contactId)?.disconnectTimestamp).to.equal(undefined);
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error("the websocket stayed open")), 3000))]);

      // What the customer writes now does not reach the agent by any way.
      await client.send(new SendMessageCommand({ ConnectionToken: chat.customerToken, ContentType: "text/plain", Content: "after you left" }));
      const again = new WebSocket(chat.agent.Websocket!.Url!);
      const [refused] = await Promise.race([
        once(again, "unexpected-response").then(([, response]) => [(response as { statusCode: number }).statusCode]),
        once(again, "open").then(() => ["opened"]),
      ]);
      again.terminate();
      expect(refused).to.equal(403);
      expect(await failure(client.send(new GetTranscriptCommand({ ConnectionToken: chat.agentToken, MaxResults: 10 })))).to.equal("AccessDeniedException");
      expect(await failure(client.send(new SendEventCommand({ ConnectionToken: chat.agentToken, ContentType: "application/vnd.amazonaws.connect.event.typing" })))).to.equal("AccessDeniedException");
      expect(await failure(connection(stack.emulator.contact(chat.contactId)!.participants[1].token))).to.equal("AccessDeniedException");
      // The customer's own connection is untouched.
      const { Transcript } = await client.send(new GetTranscriptCommand({ ConnectionToken: chat.customerToken, MaxResults: 100 }));
      expect(Transcript!.map((item) => item.Content)).to.include("after you left");
    });
  });

  describe("message receipts (SendEvent)", () => {
    it("relays a Delivered and a Read receipt to the sender as message metadata naming the recipient", async () => {
      const chat = await chatWithAgent();
      const customerSocket = await socket(chat.customer.Websocket!.Url!);
      const { Id } = await client.send(new SendMessageCommand({ ConnectionToken: chat.customerToken, ContentType: "text/plain", Content: "did you get it?" }));
      for (const kind of ["delivered", "read"]) {
        await client.send(new SendEventCommand({ ConnectionToken: chat.agentToken, ContentType: `application/vnd.amazonaws.connect.event.message.${kind}`, Content: JSON.stringify({ messageId: Id }) }));
      }
      for (let i = 0; i < 50 && customerSocket.items.filter((item) => item.Type === "MESSAGEMETADATA").length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      customerSocket.ws.close();
      const receipts = customerSocket.items.filter((item) => item.Type === "MESSAGEMETADATA").map((item) => item.MessageMetadata!);
      const agentId = stack.emulator.contact(chat.contactId)!.participants[1].id;
      expect(receipts.map((metadata) => metadata.MessageId)).to.deep.equal([Id, Id]);
      expect(receipts.map((metadata) => metadata.Receipts[0].RecipientParticipantId)).to.deep.equal([agentId, agentId]);
      expect(receipts[0].Receipts[0].DeliveredTimestamp).to.be.a("string");
      expect(receipts[1].Receipts[0].ReadTimestamp).to.be.a("string");
    });
  });

  describe("attachments", () => {
    const start = (ConnectionToken: string, input: { AttachmentName?: string; AttachmentSizeInBytes?: number; ContentType?: string }) => client.send(new StartAttachmentUploadCommand({
      ConnectionToken, AttachmentName: "receipt.pdf", AttachmentSizeInBytes: 10, ContentType: "application/pdf", ClientToken: String(Math.random()), ...input,
    }));
    async function customer() {
      const data = (await postChat(stack, { name: "Ray" })).body.data!;
      return (await connection(data.startChatResult.ParticipantToken)).ConnectionCredentials!.ConnectionToken!;
    }

    it("with attachments off on the instance (the local default), refuses StartAttachmentUpload", async () => {
      expect(stack.settings.attachments).to.equal(false);
      expect(await failure(start(await customer(), {}))).to.equal("AccessDeniedException");
    });

    describe("with attachments on", () => {
      before(() => {
        stack.settings.attachments = true;
        // These check what each upload may be, dozens in a few seconds: not Connect's upload rate
        // (2/s, burst 5), which test/connect-quotas.test.ts checks.
        const roomy = { rate: 100, burst: 100 };
        stack.setQuotas({ participant: { StartAttachmentUpload: roomy, CompleteAttachmentUpload: roomy } });
      });
      after(() => {
        stack.settings.attachments = false;
        stack.setQuotas("default");
      });

      it("takes only the feature specification's file types, names of 1-256 characters, and 1 byte to 20 MB", async () => {
        const token = await customer();
        for (const ContentType of ["application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "video/mp4", "audio/wav", "IMAGE/PNG"]) {
          expect(await failure(start(token, { ContentType, AttachmentName: "file" })), ContentType).to.equal("no error");
        }
        for (const ContentType of ["text/html", "image/svg+xml", "application/javascript", "application/octet-stream", "application/x-msdownload", "text/xml"]) {
          expect(await failure(start(token, { ContentType })), ContentType).to.equal("ValidationException");
        }
        expect(await failure(start(token, { AttachmentName: "x".repeat(257) }))).to.equal("ValidationException");
        expect(await failure(start(token, { AttachmentName: "x".repeat(256) }))).to.equal("no error");
        expect(await failure(start(token, { AttachmentSizeInBytes: 20 * 1024 * 1024 + 1 }))).to.equal("ValidationException");
        expect(await failure(start(token, { AttachmentSizeInBytes: 0 }))).to.equal("ValidationException");
      });

      it("takes at the upload URL only the size that was declared", async () => {
        const token = await customer();
        for (const sent of [9, 11]) {
          const upload = await start(token, { AttachmentSizeInBytes: 10 });
          const put = await fetch(upload.UploadMetadata!.Url!, { method: "PUT", headers: upload.UploadMetadata!.HeadersToInclude, body: Buffer.alloc(sent, 1) });
          expect(put.status, `${sent} bytes for 10`).to.be.within(400, 403);
          expect(await failure(client.send(new CompleteAttachmentUploadCommand({ ConnectionToken: token, AttachmentIds: [upload.AttachmentId!], ClientToken: String(Math.random()) })))).to.equal("ValidationException");
        }
      });

      it("downloads through a signed URL that expires, served as a download that nothing runs", async () => {
        const token = await customer();
        const bytes = Buffer.from("<script>alert(1)</script> plain text");
        const upload = await start(token, { AttachmentName: "notes.txt", ContentType: "text/plain", AttachmentSizeInBytes: bytes.length });
        expect((await fetch(upload.UploadMetadata!.Url!, { method: "PUT", headers: upload.UploadMetadata!.HeadersToInclude, body: bytes })).status).to.equal(200);
        await client.send(new CompleteAttachmentUploadCommand({ ConnectionToken: token, AttachmentIds: [upload.AttachmentId!], ClientToken: String(Math.random()) }));

        const { Url, UrlExpiry } = await client.send(new GetAttachmentCommand({ ConnectionToken: token, AttachmentId: upload.AttachmentId!, UrlExpiryInSeconds: 5 }));
        expect(Date.parse(UrlExpiry!) - Date.now()).to.be.within(3000, 6000);
        const download = await fetch(Url!);
        expect(download.status).to.equal(200);
        expect(Buffer.from(await download.arrayBuffer())).to.deep.equal(bytes);
        expect(download.headers.get("x-content-type-options")).to.equal("nosniff");
        expect(download.headers.get("content-disposition")).to.match(/^attachment;/);
        expect(download.headers.get("content-security-policy")).to.match(/default-src 'none'/).and.match(/sandbox/);

        // The URL is the credential: without its signature, or with another, nothing.
        const bare = new URL(Url!);
        bare.search = "";
        expect((await fetch(bare)).status, "no signature").to.equal(403);
        const forged = new URL(Url!);
        forged.searchParams.set("X-Amz-Signature", "0".repeat(64));
        expect((await fetch(forged)).status, "another signature").to.equal(403);
        const longer = new URL(Url!);
        longer.searchParams.set("X-Amz-Expires", "604800");
        expect((await fetch(longer)).status, "a longer expiry").to.equal(403);
        // UrlExpiryInSeconds: @range(min: 5, max: 300).
        for (const UrlExpiryInSeconds of [4, 301]) {
          expect(await failure(client.send(new GetAttachmentCommand({ ConnectionToken: token, AttachmentId: upload.AttachmentId!, UrlExpiryInSeconds })))).to.equal("ValidationException");
        }
        await new Promise((resolve) => setTimeout(resolve, 5500));
        expect((await fetch(Url!)).status, "after it expired").to.equal(403);
      });
    });
  });
});
