/**
 * The emulator's participant service through the real @aws-sdk/client-connectparticipant, found
 * through AWS_ENDPOINT_URL_CONNECTPARTICIPANT like any SDK v3 client. (ChatJS is the other real
 * client; the end-to-end tests drive it.)
 */
import {
  CompleteAttachmentUploadCommand, ConnectParticipantClient, CreateParticipantConnectionCommand, DisconnectParticipantCommand,
  GetAttachmentCommand, GetTranscriptCommand, SendEventCommand, SendMessageCommand, StartAttachmentUploadCommand,
} from "@aws-sdk/client-connectparticipant";
import { expect } from "chai";
import type { LocalStack } from "../local/stack";
import { postChat } from "./support/chat-client";
import { localStack } from "./support/hooks";

describe("participant service (AWS SDK v3 client)", () => {
  let stack: LocalStack;
  let client: ConnectParticipantClient;
  before(async () => {
    stack = await localStack();
    client = new ConnectParticipantClient({});
  });
  after(() => client.destroy());

  async function connected(name = "Pat", resumeToken?: string) {
    const data = (await postChat(stack, { name, ...(resumeToken && { resumeToken }) })).body.data!;
    const connection = await client.send(new CreateParticipantConnectionCommand({ ParticipantToken: data.startChatResult.ParticipantToken, Type: ["WEBSOCKET", "CONNECTION_CREDENTIALS"] }));
    return { data, token: connection.ConnectionCredentials!.ConnectionToken!, connection };
  }
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error) => error.name);

  it("opens a connection: a local websocket ChatJS accepts, and credentials that expire in a day", async () => {
    const { connection } = await connected();
    expect(connection.Websocket!.Url).to.match(/^ws:\/\/127\.0\.0\.1:\d+\/participant\/ws\?token=/);
    const expiry = Date.parse(connection.ConnectionCredentials!.Expiry!);
    expect(expiry - Date.now()).to.be.within(23 * 3600e3, 25 * 3600e3);
  });

  it("sends messages and events, and pages the transcript both ways", async () => {
    const { token } = await connected();
    const sent: string[] = [];
    for (const text of ["one", "two", "three"]) {
      const { Id, AbsoluteTime } = await client.send(new SendMessageCommand({ ConnectionToken: token, ContentType: "text/plain", Content: text }));
      expect(AbsoluteTime).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      sent.push(Id!);
    }
    await client.send(new SendEventCommand({ ConnectionToken: token, ContentType: "application/vnd.amazonaws.connect.event.typing" }));
    const texts = async (ScanDirection: "BACKWARD" | "FORWARD", SortOrder: "ASCENDING" | "DESCENDING") => {
      const pages: string[][] = [];
      let NextToken: string | undefined;
      do {
        const page = await client.send(new GetTranscriptCommand({ ConnectionToken: token, MaxResults: 2, ScanDirection, SortOrder, NextToken }));
        pages.push(page.Transcript!.filter((item) => item.Type === "MESSAGE" && item.ParticipantRole === "CUSTOMER").map((item) => item.Content!));
        NextToken = page.NextToken;
      } while (NextToken);
      return pages.flat();
    };
    expect(await texts("FORWARD", "ASCENDING")).to.deep.equal(["one", "two", "three"]);
    expect((await texts("BACKWARD", "ASCENDING")).sort()).to.deep.equal(["one", "three", "two"]);
    const newestFirst = await client.send(new GetTranscriptCommand({ ConnectionToken: token, MaxResults: 1, ScanDirection: "BACKWARD", SortOrder: "DESCENDING" }));
    expect(newestFirst.Transcript!.map((item) => item.Content)).to.deep.equal(["three"]);
  });

  it("includes the chat it continues in the transcript (persistent chat)", async () => {
    const first = await connected("Quin");
    await client.send(new SendMessageCommand({ ConnectionToken: first.token, ContentType: "text/plain", Content: "from last week" }));
    stack.emulator.endContact(first.data.startChatResult.ContactId);
    await stack.transcripts.settled();
    const second = await connected("Quin", first.data.resumeToken);
    const { Transcript, InitialContactId } = await client.send(new GetTranscriptCommand({ ConnectionToken: second.token, MaxResults: 100, ScanDirection: "BACKWARD", SortOrder: "ASCENDING" }));
    expect(InitialContactId).to.equal(second.data.startChatResult.ContactId);
    expect(Transcript!.map((item) => item.Content)).to.include("from last week");
  });

  it("refuses wrong and dead tokens with AccessDeniedException", async () => {
    const { data, token } = await connected();
    expect(await failure(client.send(new SendMessageCommand({ ConnectionToken: "not-a-token", ContentType: "text/plain", Content: "x" })))).to.equal("AccessDeniedException");
    expect(await failure(client.send(new CreateParticipantConnectionCommand({ ParticipantToken: "not-a-token", Type: ["CONNECTION_CREDENTIALS"] })))).to.equal("AccessDeniedException");
    await client.send(new DisconnectParticipantCommand({ ConnectionToken: token }));
    expect(stack.emulator.contact(data.startChatResult.ContactId)?.disconnectTimestamp).to.be.a("number");
    expect(await failure(client.send(new SendMessageCommand({ ConnectionToken: token, ContentType: "text/plain", Content: "x" })))).to.equal("AccessDeniedException");
    expect(await failure(client.send(new CreateParticipantConnectionCommand({ ParticipantToken: data.startChatResult.ParticipantToken, Type: ["CONNECTION_CREDENTIALS"] })))).to.equal("AccessDeniedException");
  });

  it("refuses what Connect refuses, as validation errors", async () => {
    const { token } = await connected();
    expect(await failure(client.send(new SendMessageCommand({ ConnectionToken: token, ContentType: "text/html", Content: "<b>x</b>" })))).to.equal("ValidationException");
    expect(await failure(client.send(new SendEventCommand({ ConnectionToken: token, ContentType: "application/vnd.amazonaws.connect.event.message.read", Content: "{}" })))).to.equal("ValidationException");
    expect(await failure(client.send(new StartAttachmentUploadCommand({ ConnectionToken: token, AttachmentName: "huge.bin", AttachmentSizeInBytes: 50 * 1024 * 1024, ContentType: "application/octet-stream", ClientToken: "c" })))).to.equal("ValidationException");
  });

  it("uploads an attachment to its pre-signed URL, shares it, and gives it back", async () => {
    const { token, data } = await connected();
    const bytes = Buffer.from("%PDF-1.4 invoice");
    const upload = await client.send(new StartAttachmentUploadCommand({ ConnectionToken: token, AttachmentName: "invoice.pdf", AttachmentSizeInBytes: bytes.length, ContentType: "application/pdf", ClientToken: "u1" }));
    const put = await fetch(upload.UploadMetadata!.Url!, { method: "PUT", headers: upload.UploadMetadata!.HeadersToInclude, body: bytes });
    expect(put.status).to.equal(200);
    await client.send(new CompleteAttachmentUploadCommand({ ConnectionToken: token, AttachmentIds: [upload.AttachmentId!], ClientToken: "u2" }));
    const shared = stack.emulator.contact(data.startChatResult.ContactId)!.items.find((item) => item.Type === "ATTACHMENT");
    expect(shared?.Attachments).to.deep.equal([{ AttachmentId: upload.AttachmentId, AttachmentName: "invoice.pdf", ContentType: "application/pdf", Status: "APPROVED" }]);
    const download = await client.send(new GetAttachmentCommand({ ConnectionToken: token, AttachmentId: upload.AttachmentId! }));
    expect(Buffer.from(await (await fetch(download.Url!)).arrayBuffer())).to.deep.equal(bytes);
  });
});
