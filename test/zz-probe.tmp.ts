import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { launchChromium } from "./support/browser";
import { postChat } from "./support/chat-client";
import { localStack } from "./support/hooks";

it("probe", async function () {
  this.timeout(60000);
  const stack = await localStack();
  const original = stack.participants.handle;
  stack.participants.handle = async (req, res, path) => {
    console.log(req.method, path, JSON.stringify(req.headers));
    if (req.method === "OPTIONS") {
      return void res.writeHead(204, { "access-control-allow-origin": "*", "access-control-allow-methods": "*", "access-control-allow-headers": String(req.headers["access-control-request-headers"] ?? "") }).end();
    }
    res.setHeader("access-control-allow-origin", "*");
    return original(req, res, path);
  };
  const chatJs = readFileSync(require.resolve("amazon-connect-chatjs/dist/amazon-connect-chat.js"));
  const site = createServer((req, res) => {
    if (req.url === "/chatjs.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(chatJs);
    res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><script src="/chatjs.js"></script>');
  });
  site.listen(0, "127.0.0.1"); await once(site, "listening");
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}`);
  const d = (await postChat(stack, { name: "P" })).body.data!.startChatResult;
  const r = await page.evaluate(async ({ endpoint, chatDetails }) => {
    const connect = (window as any).connect;
    connect.ChatSession.setGlobalConfig({ region: "us-east-1", endpoint });
    const s = connect.ChatSession.create({ chatDetails, options: { region: "us-east-1" }, type: "CUSTOMER", disableCSM: true });
    await s.connect();
    await s.sendMessage({ contentType: "text/plain", message: "hi" });
    await s.sendAttachment({ attachment: new File(["abc"], "a.pdf", { type: "application/pdf" }) }).catch((e: any) => console.log("att", JSON.stringify(e)));
    return "ok";
  }, { endpoint: stack.url, chatDetails: { contactId: d.ContactId, participantId: d.ParticipantId, participantToken: d.ParticipantToken } });
  console.log(r);
  await browser.close(); site.close();
});
