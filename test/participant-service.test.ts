/**
 * The emulator's participant service through the real @aws-sdk/client-connectparticipant, found
 * through AWS_ENDPOINT_URL_CONNECTPARTICIPANT like any SDK v3 client. (ChatJS is the other real
 * client; the end-to-end tests drive it.)
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

describe("participant service (AWS SDK v3 client)", () => {
  let stack: LocalStack;
  let client: ConnectParticipantClient;
  before(async () => {
    stack = await localStack();
    client = new ConnectParticipantClient({});
    // The instance's attachments switch on, as `npm start -- --attachments` sets it (off by default:
    // participant-fidelity.test.ts checks that uploads are refused then).
    stack.settings.attachments = true;
  });
  after(() => {
    stack.settings.attachments = false;
    client.destroy();
  });

  async function connected(name = "Pat", resumeToken?: string) {
    const data = (await postChat(stack, { name, ...(resumeToken && { resumeToken }) })).body.data!;
    const connection = await client.send(new CreateParticipantConnectionCommand({ ParticipantToken: data.startChatResult.ParticipantToken, Type: ["WEBSOCKET", "CONNECTION_CREDENTIALS"] }));
    return { data, token: connection.ConnectionCredentials!.ConnectionToken!, connection };
  }
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error) => error.name);
  /** An error as the SDK parsed it, by the API model: its shape's name, its status, its `Message`. */
  const parsed = (promise: Promise<unknown>) => promise.then(
    () => expect.fail("expected an error"),
    (error: ConnectParticipantServiceException) => ({ name: error.name, status: error.$metadata.httpStatusCode, message: error.message }),
  );
  /** A comma-separated header as lower-case names. */
  const names = (header: string | null) => (header ?? "").split(",").map((name) => name.trim().toLowerCase()).filter(Boolean);
  const foreignOrigin = "https://shop.example";

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

  // Errors as the participant service's API model declares them: aws/aws-sdk-js-v3,
  // codegen/sdk-codegen/aws-models/connectparticipant.json (each shape's @httpError, its `Message`,
  // each operation's `errors`, and SendMessage's documented Content limits).
  it("answers errors with the model's shapes and status codes, as the SDK parses them", async () => {
    const { token } = await connected();
    expect(await parsed(client.send(new SendMessageCommand({ ConnectionToken: "not-a-token", ContentType: "text/plain", Content: "x" }))))
      .to.deep.equal({ name: "AccessDeniedException", status: 403, message: "Access denied" });
    // SendMessage: "For text/plain and text/markdown, the Length Constraints are Minimum of 1, Maximum of 1024."
    await client.send(new SendMessageCommand({ ConnectionToken: token, ContentType: "text/plain", Content: "x".repeat(1024) }));
    expect(await parsed(client.send(new SendMessageCommand({ ConnectionToken: token, ContentType: "text/markdown", Content: "x".repeat(1025) }))))
      .to.deep.equal({ name: "ValidationException", status: 400, message: "Content must be 1-1024 characters for text/markdown" });
    // GetAttachment's errors are AccessDenied, InternalServer, Throttling and Validation: no ResourceNotFoundException.
    expect(await parsed(client.send(new GetAttachmentCommand({ ConnectionToken: token, AttachmentId: "00000000-0000-4000-8000-000000000000" }))))
      .to.deep.equal({ name: "ValidationException", status: 400, message: "No such attachment in this chat" });
  });

  it("answers browsers on any origin: preflights, and CORS headers on answers and on errors", async () => {
    // What ChatJS 5 sends (seen from Chromium), and what newer SDK v3 clients add (retries, session credentials).
    const sent = ["authorization", "content-type", "x-amz-bearer", "x-amz-content-sha256", "x-amz-date", "x-amz-user-agent", "amz-sdk-invocation-id", "amz-sdk-request", "x-amz-security-token"];
    for (const path of ["/participant/connection", "/participant/message", "/participant/transcript"]) {
      const preflight = await fetch(`${stack.url}${path}`, { method: "OPTIONS", headers: { origin: foreignOrigin, "access-control-request-method": "POST", "access-control-request-headers": sent.join(",") } });
      expect(preflight.status, path).to.be.oneOf([200, 204]);
      expect(preflight.headers.get("access-control-allow-origin")).to.equal("*");
      expect(names(preflight.headers.get("access-control-allow-methods"))).to.include("post");
      expect(names(preflight.headers.get("access-control-allow-headers"))).to.include.members(sent);
      // Bearer tokens, never cookies: nothing asks the browser to send credentials.
      expect(preflight.headers.get("access-control-allow-credentials")).to.equal(null);
    }

    const { token } = await connected();
    const post = (bearer: string, body: unknown) => fetch(`${stack.url}/participant/message`, {
      method: "POST", headers: { origin: foreignOrigin, "content-type": "application/json", "x-amz-bearer": bearer }, body: JSON.stringify(body),
    });
    const answer = await post(token, { ContentType: "text/plain", Content: "hello" });
    expect(answer.status).to.equal(200);
    expect(answer.headers.get("access-control-allow-origin")).to.equal("*");
    // An error is readable too: its status, its body, and the header that names its shape.
    const denied = await post("not-a-token", { ContentType: "text/plain", Content: "hello" });
    expect(denied.status).to.equal(403);
    expect(denied.headers.get("access-control-allow-origin")).to.equal("*");
    expect(names(denied.headers.get("access-control-expose-headers"))).to.include.members(["x-amzn-requestid", "x-amzn-errortype"]);
    expect(denied.headers.get("x-amzn-errortype")).to.equal("AccessDeniedException");
    expect(await denied.json()).to.deep.equal({ Message: "Access denied" });
  });

  it("gives the attachment URLs S3's bucket CORS: PUT and GET from any origin", async () => {
    const { token } = await connected();
    const upload = await client.send(new StartAttachmentUploadCommand({ ConnectionToken: token, AttachmentName: "photo.png", AttachmentSizeInBytes: 3, ContentType: "image/png", ClientToken: "c1" }));
    const url = upload.UploadMetadata!.Url!;
    const preflight = await fetch(url, { method: "OPTIONS", headers: { origin: foreignOrigin, "access-control-request-method": "PUT", "access-control-request-headers": "content-type,x-amz-meta-note" } });
    expect(preflight.status).to.equal(200);
    expect(preflight.headers.get("access-control-allow-origin")).to.equal("*");
    expect(names(preflight.headers.get("access-control-allow-methods"))).to.include.members(["put", "get"]);
    expect(names(preflight.headers.get("access-control-allow-headers"))).to.include.members(["content-type", "x-amz-meta-note"]);
    // A method the rule does not allow is refused, as S3 refuses it.
    expect((await fetch(url, { method: "OPTIONS", headers: { origin: foreignOrigin, "access-control-request-method": "DELETE" } })).status).to.equal(403);
    const put = await fetch(url, { method: "PUT", headers: { origin: foreignOrigin, "content-type": "image/png" }, body: Buffer.from([1, 2, 3]) });
    expect(put.status).to.equal(200);
    expect(put.headers.get("access-control-allow-origin")).to.equal("*");
    await client.send(new CompleteAttachmentUploadCommand({ ConnectionToken: token, AttachmentIds: [upload.AttachmentId!], ClientToken: "c2" }));
    const { Url } = await client.send(new GetAttachmentCommand({ ConnectionToken: token, AttachmentId: upload.AttachmentId! }));
    const get = await fetch(Url!, { headers: { origin: foreignOrigin } });
    expect(get.status).to.equal(200);
    expect(get.headers.get("access-control-allow-origin")).to.equal("*");
  });

  it("accepts the websocket from any origin, without cookies", async () => {
    const { connection } = await connected();
    const socket = new WebSocket(connection.Websocket!.Url!, { origin: foreignOrigin });
    await once(socket, "open");
    socket.send(JSON.stringify({ topic: "aws/subscribe", content: { topics: ["aws/chat"] } }));
    const [reply] = await once(socket, "message");
    socket.close();
    expect(JSON.parse(String(reply))).to.deep.equal({ topic: "aws/subscribe", content: { status: "success", topics: ["aws/chat"] } });
  });
});
