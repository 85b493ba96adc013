/**
 * The local agent console in real Chromium against `npm start -- --attachments --interactive`:
 * no dead controls before a chat, waiting chats told apart, a layout that holds still as messages
 * arrive, on desktop and phone widths. Its screenshots are the README's (docs/images/agent-console*.png
 * are copies of test-output/agent-console*.png).
 */
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { artifactsDir, launchChromium } from "./support/browser";
import { withNpmStart } from "./support/npm-start";

interface Started { ContactId: string; ParticipantToken: string }

async function startChat(url: string, name: string, agent: string): Promise<Started> {
  const response = await fetch(`${url}/api/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, agent }) });
  return ((await response.json()) as { data: { startChatResult: Started } }).data.startChatResult;
}

/** A customer who writes through the participant service, as ChatJS would. */
async function customerSays(url: string, chat: Started, ...messages: string[]): Promise<void> {
  const call = async (operation: string, bearer: string, body: unknown) =>
    (await fetch(`${url}/participant/${operation}`, { method: "POST", headers: { "content-type": "application/json", "x-amz-bearer": bearer }, body: JSON.stringify(body) })).json() as Promise<{ ConnectionCredentials: { ConnectionToken: string } }>;
  const connection = (await call("connection", chat.ParticipantToken, { Type: ["CONNECTION_CREDENTIALS"] })).ConnectionCredentials.ConnectionToken;
  for (const message of messages) await call("message", connection, { ContentType: "text/plain", Content: message, ClientToken: `${Math.random()}` });
}

describe("agent console (Chromium)", function () {
  this.timeout(90000);
  let browser: Browser;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  async function signIn(url: string, width: number, height: number): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
    await page.goto(`${url}/agent`);
    await page.getByLabel("Sign in as").selectOption("jdoe");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Waiting chats" }).waitFor();
    return page;
  }

  const chatPane = (page: Page) => page.getByRole("region", { name: /^(No chat open|Chat with )/ });
  const box = async (page: Page) => (await chatPane(page).boundingBox())!;

  it("styles its sign-in form like the chat's fields", async () => {
    await withNpmStart([], async (url) => {
      const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
      await page.goto(`${url}/agent`);
      const select = page.getByLabel("Sign in as");
      const looks = await select.evaluate((element) => {
        const style = getComputedStyle(element);
        const button = element.closest("form")!.querySelector("button")!;
        return { radius: style.borderRadius, padding: parseFloat(style.paddingTop), font: style.fontSize, width: element.getBoundingClientRect().width, buttonWidth: button.getBoundingClientRect().width };
      });
      expect(looks.radius).to.not.equal("0px");
      expect(looks.padding).to.be.at.least(6);
      expect(looks.font).to.equal("16px");
      expect(looks.width).to.equal(looks.buttonWidth);
      await page.context().close();
    });
  });

  it("shows no dead controls, tells same-name chats apart, keeps its layout, and ends without the connected dot", async () => {
    await withNpmStart(["--attachments", "--interactive"], async (url) => {
      const jane = await signIn(url, 1100, 800);
      // Before any chat: nothing to reply to or end.
      await chatPane(jane).getByRole("heading", { name: "No chat open" }).waitFor();
      expect(await jane.getByRole("button", { name: "End chat" }).isVisible()).to.equal(false);
      expect(await jane.getByRole("textbox", { name: "Reply" }).isVisible()).to.equal(false);
      const empty = await box(jane);

      // Two customers with the same name, and one more, all asking for jdoe.
      const sam1 = await startChat(url, "Sam Park", "jdoe");
      await customerSays(url, sam1, "Where is my order 1001?");
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const sam2 = await startChat(url, "Sam Park", "jdoe");
      await customerSays(url, sam2, "I need to change my delivery address");
      const ana = await startChat(url, "Ana Lima", "jdoe");
      await customerSays(url, ana, "Hi! My parcel arrived damaged.");

      const sams = jane.getByRole("button", { name: "Accept chat from Sam Park (asked for you)", exact: true });
      await sams.nth(1).waitFor();
      const described = async (index: number) => sams.nth(index).evaluate((button) =>
        (button.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent ?? "").join(" "));
      const [first, second] = [await described(0), await described(1)];
      expect(first).to.include("Where is my order 1001?").and.include(sam1.ContactId.slice(0, 8)).and.match(/Waiting/);
      expect(second).to.include("I need to change my delivery address").and.include(sam2.ContactId.slice(0, 8));

      // An open chat: the pane keeps its size however many messages arrive.
      await jane.getByRole("button", { name: "Accept chat from Ana Lima (asked for you)", exact: true }).click();
      await jane.getByRole("textbox", { name: "Reply" }).waitFor();
      const log = jane.getByRole("log", { name: "Messages" });
      await log.getByText("My parcel arrived damaged.").waitFor();
      const opened = await box(jane);
      await jane.getByRole("textbox", { name: "Reply" }).fill("I'm sorry to hear that, Ana. **Could you send a photo** of the damage?");
      await jane.getByRole("button", { name: "Send" }).click();
      await customerSays(url, { ...ana }, "Sure, one moment.");
      await log.getByText("Sure, one moment.").waitFor();
      const later = await box(jane);
      for (const size of [opened, later]) expect({ width: size.width, height: size.height }).to.deep.equal({ width: empty.width, height: empty.height });
      // With --attachments and --interactive on, the agent has those tools.
      expect(await jane.getByRole("button", { name: "Attach a file" }).isVisible()).to.equal(true);
      expect(await jane.getByText("Send a picker").isVisible()).to.equal(true);
      await jane.getByText("Send a picker").click();
      await jane.getByLabel("Question").fill("Which item was damaged?");
      await jane.getByLabel("Choices").fill("The lamp\nThe vase\nBoth");
      await jane.getByRole("button", { name: "Send picker" }).click();
      await log.getByRole("group", { name: "Which item was damaged?" }).waitFor();
      expect(await box(jane)).to.deep.include({ width: empty.width, height: empty.height });
      // The accepted chat has left the queue; the two Sams wait on.
      await jane.getByRole("button", { name: "Accept chat from Ana Lima (asked for you)" }).waitFor({ state: "detached" });
      expect(await sams.count()).to.equal(2);
      await jane.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await jane.screenshot({ path: `${artifactsDir}/agent-console.png` });

      // A phone: one column, nothing wider than the screen.
      const phone = await signIn(url, 390, 844);
      await phone.getByRole("log", { name: "Messages" }).getByRole("group", { name: "Which item was damaged?" }).waitFor();
      expect(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).to.equal(true);
      // The chat in the pane is not also offered as one to go back to.
      expect(await phone.getByRole("button", { name: /^Back to / }).count()).to.equal(0);
      await phone.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await phone.screenshot({ path: `${artifactsDir}/agent-console-phone.png`, fullPage: true });
      await phone.context().close();

      // Ended: said so, with no green dot and nothing left to send.
      await jane.getByRole("button", { name: "End chat" }).click();
      const status = jane.getByRole("status").filter({ hasText: "Chat ended" });
      await status.waitFor();
      expect(await status.evaluate((element) => getComputedStyle(element, "::before").content)).to.be.oneOf(["none", "normal"]);
      expect(await jane.getByRole("textbox", { name: "Reply" }).isVisible()).to.equal(false);
      expect(await jane.getByRole("button", { name: "End chat" }).isVisible()).to.equal(false);
      await jane.context().close();
    });
  });
});
