/**
 * Message receipts end to end in Chromium, customer page and agent console both on ChatJS, as
 * Connect has them: the receiving client sends Delivered when a message reaches it and Read when
 * it is seen (SendEvent with …event.message.delivered / …event.message.read; ChatJS sends them
 * at most once per throttleTime, 5 s by default, a Read superseding a Delivered), and Connect
 * relays them to the sender as message metadata. Compared against: the participant service model
 * (SendEvent's content types; Receipt's DeliveredTimestamp, ReadTimestamp, RecipientParticipantId),
 * the Connect admin guide's "Enable message receipts" (Delivered and Read in the chat widget),
 * ChatJS's README (features.messageReceipts: shouldSendMessageReceipts, throttleTime 5000), and
 * Amazon's reference widget, amazon-connect-chat-interface (ChatSession.js: a Delivered receipt
 * for each incoming message, a Read one when it is seen).
 */
import { expect } from "chai";
import type { Browser, Page, Response } from "playwright-core";
import { launchChromium } from "./support/browser";
import { localStack } from "./support/hooks";
import type { LocalStack } from "../local/stack";

describe("message receipts (Chromium, customer and agent on ChatJS)", function () {
  this.timeout(90000);
  let stack: LocalStack;
  let browser: Browser;
  const pages: Page[] = [];

  before(async () => {
    stack = await localStack();
    browser = await launchChromium();
  });
  after(async () => browser?.close());
  /** The console reopens a chat its agent still has: end jdoe's (other tests' too), so each test starts clean. */
  const endJdoesChats = () => {
    for (const contact of stack.emulator.contacts()) {
      if (!contact.disconnectTimestamp && contact.participants.some((p) => p.username === "jdoe" && !p.left)) stack.emulator.endContact(contact.id);
    }
  };
  beforeEach(endJdoesChats);
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close();
    endJdoesChats();
  });

  async function open(path: string): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
    pages.push(page);
    await page.goto(`${stack.url}${path}`);
    return page;
  }

  /** A customer who asked for jdoe, and jdoe who accepted. */
  async function chat(name: string): Promise<{ customer: Page; agent: Page }> {
    const customer = await open("/");
    await customer.getByLabel("Your name").fill(name);
    await customer.getByLabel("Agent username").fill("jdoe");
    await customer.getByRole("button", { name: "Start chat" }).click();
    await customer.getByRole("status").filter({ hasText: "Connected" }).waitFor();
    const agent = await open("/agent");
    await agent.getByLabel("Sign in as").selectOption("jdoe");
    await agent.getByRole("button", { name: "Sign in" }).click();
    await agent.getByRole("button", { name: `Accept chat from ${name} (asked for you)`, exact: true }).click();
    await customer.getByText("Jane Doe joined the chat").waitFor();
    // "Joined" comes with the agent's connection; its websocket subscribes just after. Until the
    // console says Connected, a message written now reaches the agent only on a transcript reload.
    await agent.getByRole("status").filter({ hasText: "Connected" }).waitFor();
    return { customer, agent };
  }

  /** The page as a browser shows a background tab (hidden) or brings it back (visible). */
  const setVisibility = (page: Page, state: "hidden" | "visible") => page.evaluate((next) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => next });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => next === "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);

  const log = (page: Page) => page.getByRole("log", { name: "Messages" });
  const receiptOf = (page: Page, text: string) => log(page).locator(".cc-customer").filter({ hasText: text }).locator(".cc-meta");
  const say = async (page: Page, text: string) => {
    await page.getByRole("textbox", { name: "Message" }).fill(text);
    await page.getByRole("button", { name: "Send" }).click();
  };

  it("shows the customer's message Delivered while the agent's console is in the background, then Read when the agent looks", async () => {
    const { customer, agent } = await chat("Dee Livered");
    await setVisibility(agent, "hidden");
    await say(customer, "Has my parcel left?");
    await log(agent).getByText("Has my parcel left?").waitFor();
    await receiptOf(customer, "Has my parcel left?").filter({ hasText: "Delivered" }).waitFor({ timeout: 15000 });
    expect(await receiptOf(customer, "Has my parcel left?").textContent()).to.not.include("Read");
    await setVisibility(agent, "visible");
    await receiptOf(customer, "Has my parcel left?").filter({ hasText: "Read" }).waitFor({ timeout: 15000 });

    // And the other way: the agent's reply, to a customer whose page is in the background.
    await setVisibility(customer, "hidden");
    await agent.getByRole("textbox", { name: "Reply" }).fill("It left this morning.");
    await agent.getByRole("button", { name: "Send" }).click();
    const reply = log(agent).locator(".cc-agent").filter({ hasText: "It left this morning." }).locator(".cc-meta");
    await reply.filter({ hasText: "Delivered" }).waitFor({ timeout: 15000 });
    await setVisibility(customer, "visible");
    await reply.filter({ hasText: "Read" }).waitFor({ timeout: 15000 });
  });

  it("shows Read for a message the agent saw just before ending the chat, and the console sends nothing after it ended", async () => {
    const { customer, agent } = await chat("Rhea Dearly");
    const refused: string[] = [];
    agent.on("response", (response: Response) => {
      if (response.url().includes("/participant/") && response.status() >= 400) refused.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    await say(customer, "One last thing");
    await log(agent).getByText("One last thing").waitFor();
    // Within ChatJS's 5 s receipt throttle: the Read is still waiting to go out.
    await agent.getByRole("button", { name: "End chat" }).click();
    await customer.getByText("Jane Doe left the chat").waitFor({ timeout: 15000 });
    await receiptOf(customer, "One last thing").filter({ hasText: "Read" }).waitFor({ timeout: 15000 });
    // What the customer writes now reaches no one's console, and the console acknowledges nothing.
    await say(customer, "Are you still there?");
    await new Promise((resolve) => setTimeout(resolve, 6500));
    expect(await log(agent).getByText("Are you still there?").count()).to.equal(0);
    expect(refused.filter((entry) => entry.endsWith("/participant/event"))).to.deep.equal([]);
  });
});
