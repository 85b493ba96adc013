/**
 * ChatJS on a page of ANOTHER origin, in real Chromium, talking to the local participant service
 * directly, as a site embedding the chat talks to participant.connect.<region>.amazonaws.com:
 * CORS preflights and responses (errors included, so the client can read them), the websocket
 * (an upgrade carrying a foreign Origin), and the attachment URLs (S3's bucket CORS).
 * The chat itself is started from Node: the start-chat API's CORS is not what this tests.
 */
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import type { LocalStack } from "../local/stack";
import { launchChromium } from "./support/browser";
import { postChat } from "./support/chat-client";
import { localStack } from "./support/hooks";

const chatJs = readFileSync(require.resolve("amazon-connect-chatjs/dist/amazon-connect-chat.js"));

interface PageResult {
  echoed: string;
  tooLong: { type?: string; statusCode?: number; message?: string };
  downloaded: string;
}

describe("participant service from a page on another origin (Chromium, ChatJS)", function () {
  this.timeout(60000);
  let stack: LocalStack;
  let browser: Browser;
  let site: Server;
  let siteUrl: string;
  let page: Page;

  before(async () => {
    stack = await localStack();
    browser = await launchChromium();
    // A shop's page on its own origin (another port), with ChatJS as published.
    site = createServer((req, res) => {
      if (req.url === "/chatjs.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(chatJs);
      res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><title>Shop</title><script src="/chatjs.js"></script>');
    });
    site.listen(0, "127.0.0.1");
    await once(site, "listening");
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    // The instance's attachments switch on, as `npm start -- --attachments` sets it.
    stack.settings.attachments = true;
  });
  after(async () => {
    stack.settings.attachments = false;
    await browser?.close();
    site?.closeAllConnections();
    await new Promise((resolve) => site?.close(resolve));
  });
  beforeEach(async () => {
    page = await (await browser.newContext()).newPage();
  });
  afterEach(async () => page.context().close());

  it("connects, chats over the websocket, reads error bodies, and moves attachments", async () => {
    const blocked: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") blocked.push(message.text());
    });
    const participantRequests: string[] = [];
    page.on("request", (request) => {
      if (request.url().startsWith(stack.url)) participantRequests.push(`${request.method()} ${new URL(request.url()).pathname}`);
    });
    await page.goto(siteUrl);
    expect(new URL(page.url()).origin).to.not.equal(new URL(stack.url).origin);

    // The websocket is the stack's, opened from the shop's page; ChatJS subscribes once it is open.
    const subscribed = new Promise<string>((resolve) => page.on("websocket", (socket) => socket.on("framereceived", ({ payload }) => {
      if (/"topic":"aws\/subscribe".*"status":"success"/.test(String(payload))) resolve(socket.url());
    })));

    const { ContactId, ParticipantId, ParticipantToken } = (await postChat(stack, { name: "Cora" })).body.data!.startChatResult;
    /* eslint-disable @typescript-eslint/no-explicit-any -- ChatJS is a global without module types */
    await page.evaluate(async ({ endpoint, chatDetails }) => {
      const connect = (window as any).connect;
      connect.ChatSession.setGlobalConfig({ region: "us-east-1", endpoint, loggerConfig: { level: connect.ChatSession.LogLevel.ERROR } });
      const session = connect.ChatSession.create({ chatDetails, options: { region: "us-east-1" }, type: connect.ChatSession.SessionTypes.CUSTOMER, disableCSM: true });
      (window as any).chat = session;
      // ChatJS rejects with plain objects; as Errors they say what failed.
      await session.connect().catch((error: unknown) => Promise.reject(new Error(`connect: ${JSON.stringify(error)}`)));
    }, { endpoint: stack.url, chatDetails: { contactId: ContactId, participantId: ParticipantId, participantToken: ParticipantToken } });
    expect(await subscribed).to.match(new RegExp(`^${stack.url.replace(/^http/, "ws")}/participant/ws\\?`));

    const text = "Hello from another origin";
    const result = await page.evaluate(async (text): Promise<PageResult> => {
      const session = (window as any).chat;
      const arrived = (predicate: (item: any) => boolean) =>
        new Promise<any>((resolve) => session.onMessage((event: any) => predicate(event.data) && resolve(event.data)));
      const echo = arrived((item) => item.Type === "MESSAGE" && item.Content === text);
      await session.sendMessage({ contentType: "text/plain", message: text });
      const echoed = (await echo).Content as string;
      // Over Connect's limit for text/plain: the refusal must reach ChatJS as Connect's error, not as a network failure.
      const tooLong = await session.sendMessage({ contentType: "text/plain", message: "x".repeat(1025) }).then(() => ({}), (error: PageResult["tooLong"]) => error);
      const shared = arrived((item) => item.Type === "ATTACHMENT");
      await session.sendAttachment({ attachment: new File(["order 1234"], "order.txt", { type: "text/plain" }) });
      const attachmentId = (await shared).Attachments[0].AttachmentId as string;
      const downloaded = await (await session.downloadAttachment({ attachmentId })).text();
      return { echoed, tooLong: { type: tooLong.type, statusCode: tooLong.statusCode, message: tooLong.message }, downloaded };
    }, text);
    /* eslint-enable @typescript-eslint/no-explicit-any */

    expect(result.echoed).to.equal(text);
    const items = stack.emulator.contact(ContactId)!.items;
    expect(items.filter((item) => item.Type === "MESSAGE" && item.ParticipantRole === "CUSTOMER").map((item) => item.Content)).to.include(text);
    expect(result.tooLong).to.deep.equal({ type: "ValidationException", statusCode: 400, message: "Content must be 1-1024 characters for text/plain" });
    expect(items.find((item) => item.Type === "ATTACHMENT")?.Attachments?.[0]).to.include({ AttachmentName: "order.txt", ContentType: "text/plain", Status: "APPROVED" });
    expect(result.downloaded).to.equal("order 1234");
    expect(participantRequests).to.include.members(["POST /participant/connection", "POST /participant/message", "POST /participant/start-attachment-upload", "POST /participant/complete-attachment-upload", "POST /participant/attachment"]);
    expect(blocked.filter((line) => /CORS|Access-Control/i.test(line))).to.deep.equal([]);
  });
});
