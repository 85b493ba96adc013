/** Our contact flows, run by the local flow runner on the emulator's chat state. */
import { expect } from "chai";
import { fillFlow, readFlow, type Flow } from "../contact-flows/flows";
import { createChatState, type ChatState, type Contact } from "../local/chat-state";
import { createFlowRunner } from "../local/flow-runner";

const queue = "arn:aws:connect:us-east-1:000000000000:instance/i/queue/q";
const disconnectArn = "arn:aws:connect:us-east-1:000000000000:instance/i/contact-flow/d";
const agentId = "1b8f6c2e-0000-4000-8000-000000000001";

describe("flow runner", () => {
  let chats: ChatState;
  let errors: Error[];
  const flows = new Map<string, Flow>([
    ["chat", fillFlow(readFlow("chat"), { DEFAULT_QUEUE_ARN: queue, DISCONNECT_FLOW_ARN: disconnectArn })],
    [disconnectArn, fillFlow(readFlow("chat-disconnect"), { DEFAULT_QUEUE_ARN: queue })],
  ]);
  const runner = (maxWaitMs = 60000, extra: [string, Flow][] = []) => createFlowRunner({
    chats, flows: new Map([...flows, ...extra]), agentIds: new Set([agentId]), queueIds: new Set([queue]), maxWaitMs, onError: (_contact, error) => errors.push(error),
  });
  const newChat = (attributes: Record<string, string> = {}): Contact =>
    chats.add({ id: `c-${Math.random()}`, contactFlowId: "chat", attributes, initiationTimestamp: Date.now() / 1000 }, { displayName: "Ana" }).contact;
  const systemTexts = (contact: Contact) => contact.items.filter((item) => item.ParticipantRole === "SYSTEM" && item.Type === "MESSAGE").map((item) => item.Content);

  beforeEach(() => {
    chats = createChatState();
    errors = [];
  });
  afterEach(() => expect(errors).to.deep.equal([]));

  it("greets, hooks the disconnect flow and routes to the named agent by user id", async () => {
    const contact = newChat({ agentId });
    await runner().run(contact, "chat");
    expect(systemTexts(contact)).to.deep.equal(["Hi, you are being put into queue."]);
    expect(contact.hooks).to.deep.equal({ CustomerRemaining: disconnectArn });
    expect(contact.routing).to.deep.include({ agentId, queueId: undefined });
  });

  it("falls back to the default queue without an agent, or with one Connect does not know", async () => {
    const cases: Record<string, string>[] = [{}, { agentId: "2c9e0000-0000-4000-8000-00000000dead" }];
    for (const attributes of cases) {
      const contact = newChat(attributes);
      await runner().run(contact, "chat");
      expect(contact.routing, JSON.stringify(attributes)).to.deep.include({ queueId: queue, agentId: undefined });
    }
  });

  it("after the agent leaves: tells the customer, and queues them again when they write", async () => {
    const contact = newChat();
    const waiting = runner().run(contact, disconnectArn);
    await new Promise((resolve) => setImmediate(resolve));
    expect(systemTexts(contact)).to.deep.equal(["The agent has left the chat. Send a message to be connected to the next available agent."]);
    expect(contact.routing).to.equal(undefined);
    contact.onCustomerReturned!();
    await waiting;
    expect(contact.routing).to.deep.include({ queueId: queue });
    expect(contact.disconnectTimestamp).to.equal(undefined);
  });

  it("after the agent leaves and nobody writes: ends the chat when the wait is over", async () => {
    const contact = newChat();
    await runner(20).run(contact, disconnectArn);
    expect(contact.disconnectTimestamp).to.be.a("number");
    expect(contact.items.at(-1)?.ContentType).to.equal("application/vnd.amazonaws.connect.event.chat.ended");
  });

  it("fails loudly on an action it does not know, and ends that chat", async () => {
    const unknown: Flow = { Version: "2019-10-30", StartAction: "play", Actions: [{ Identifier: "play", Type: "PlayPrompt", Parameters: {}, Transitions: {} }] };
    const contact = newChat();
    await runner(1000, [["odd", unknown]]).run(contact, "odd");
    expect(errors.map((e) => e.message)).to.deep.equal(["flow runner: action type PlayPrompt (play) is not emulated"]);
    expect(contact.disconnectTimestamp).to.be.a("number");
    errors = [];
  });
});
