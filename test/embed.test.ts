/**
 * The chat embedded on another site, as users do it, in real Chromium: `npm start -- --allow-origin
 * <host>` runs the local stack, a host page on another origin (another port, and `localhost`
 * instead of `127.0.0.1`) embeds the widget with the README's one tag or `ConnectChat.mount(...)`,
 * and an agent on the stack's console answers. A page on an origin that is not allowed gets a clear
 * message, and nothing is created.
 */
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { localSettings } from "../local/stack";
import { launchChromium } from "./support/browser";
import { hostSite, type HostSite } from "./support/host-site";
import { withNpmStart } from "./support/npm-start";

describe("the chat embedded on another site (npm start --allow-origin, Chromium)", function () {
  this.timeout(90_000);
  let browser: Browser;
  let allowed: HostSite;
  let other: HostSite;
  before(async () => {
    browser = await launchChromium();
    allowed = await hostSite();
    other = await hostSite();
  });
  after(async () => {
    await browser?.close();
    await allowed?.close();
    await other?.close();
  });

  /** Items in the stack's chats table: what requests left behind. */
  async function tableItems(stackUrl: string): Promise<number> {
    const client = new DynamoDBClient({ endpoint: `${stackUrl}/dynamodb`, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      return (await client.send(new ScanCommand({ TableName: localSettings.chatsTableName, Select: "COUNT" }))).Count ?? 0;
    } finally {
      client.destroy();
    }
  }
  /** A page in a browser profile of its own. */
  async function open(): Promise<Page> {
    return (await browser.newContext()).newPage();
  }

  it("starts a chat from the README's one tag on an allowed origin, and an agent answers it", async () => {
    await withNpmStart(["--allow-origin", allowed.origin], async (stackUrl, banner) => {
      expect(banner).to.include(allowed.origin).and.include(`<script src="${stackUrl}/connect-chat.js" data-mount="#chat"></script>`);
      // Exactly the snippet the banner prints.
      const snippet = banner.split("\n").filter((line) => line.trim().startsWith("<")).join("\n");
      allowed.serve(snippet);
      const customer = await open();
      await customer.goto(allowed.origin);
      await customer.getByLabel("Your name").fill("Ana Lima");
      await customer.getByLabel("Agent username").fill("jdoe");
      await customer.getByRole("button", { name: "Start chat" }).click();
      await customer.getByRole("status").filter({ hasText: "Connected" }).waitFor();

      const agent = await open();
      await agent.goto(`${stackUrl}/agent`);
      await agent.getByLabel("Sign in as").selectOption("jdoe");
      await agent.getByRole("button", { name: "Sign in" }).click();
      await agent.getByRole("button", { name: "Accept chat from Ana Lima (asked for you)", exact: true }).click();
      await agent.getByRole("textbox", { name: "Reply" }).fill("Hello from the agent");
      await agent.getByRole("button", { name: "Send" }).click();
      await customer.getByRole("log", { name: "Messages" }).getByText("Hello from the agent").waitFor();
      await customer.getByRole("textbox", { name: "Message" }).fill("Hello from the shop");
      await customer.getByRole("button", { name: "Send" }).click();
      await agent.getByRole("log", { name: "Messages" }).getByText("Hello from the shop").waitFor();
      await customer.screenshot({ path: "test-output/embedded-chat.png" });
    });
  });

  it("starts a chat from ConnectChat.mount(...) with every option given, on an allowed origin", async () => {
    await withNpmStart(["--allow-origin", allowed.origin], async (stackUrl) => {
      allowed.serve(`<div id="support"></div><script src="${stackUrl}/connect-chat.js"></script>
<script>ConnectChat.mount(document.getElementById("support"), { apiUrl: "${stackUrl}/api/chat", region: "us-east-1", participantEndpoint: "${stackUrl}", title: "Talk to us" });</script>`);
      const customer = await open();
      await customer.goto(allowed.origin);
      await customer.getByRole("heading", { name: "Talk to us" }).waitFor();
      await customer.getByLabel("Your name").fill("Bo");
      await customer.getByRole("button", { name: "Start chat" }).click();
      await customer.getByRole("status").filter({ hasText: "Connected" }).waitFor();
      await customer.getByText("Hi, you are being put into queue.").waitFor();
    });
  });

  it("tells a page on an origin that is not allowed that chat is not available there, and creates nothing", async () => {
    await withNpmStart(["--allow-origin", allowed.origin], async (stackUrl) => {
      const before = await tableItems(stackUrl);
      other.serve(`<div id="chat"></div><script src="${stackUrl}/connect-chat.js" data-mount="#chat"></script>`);
      const page = await open();
      const consoleErrors: string[] = [];
      page.on("console", (message) => void (message.type() === "error" && consoleErrors.push(message.text())));
      await page.goto(other.origin);
      await page.getByText("Chat is not available on this site.").waitFor();
      expect(await page.getByRole("button", { name: "Start chat" }).isDisabled()).to.equal(true);
      expect(consoleErrors.join("\n")).to.include(`${other.origin} may not embed this chat`);

      // Even a page that skips the widget and posts as a "simple" request starts nothing.
      const status = await page.evaluate(async (url) => {
        await fetch(url, { method: "POST", mode: "no-cors", body: JSON.stringify({ name: "Mallory", agent: "jdoe" }) });
        return "sent";
      }, `${stackUrl}/api/chat`);
      expect(status).to.equal("sent");
      expect(await tableItems(stackUrl)).to.equal(before);
    });
  });
});
