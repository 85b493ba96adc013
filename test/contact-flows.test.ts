/** The flows in contact-flows/ and the checker that guards them. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "chai";
import { checkFlow, fillFlow, flowNames, placeholdersOf, readFlow, renderFlow, type Flow, type FlowAction } from "../contact-flows/flows";
import { serverAttributes } from "../handlers/start-chat/settings";

const queueArn = "arn:aws:connect:us-east-1:123456789012:instance/i/queue/q";
const disconnectArn = "arn:aws:connect:us-east-1:123456789012:instance/i/contact-flow/d";
const action = (flow: Flow, id: string) => flow.Actions.find((a) => a.Identifier === id)!;

describe("contact flows", () => {
  it("pass the checker as written and once filled in", () => {
    for (const name of flowNames) {
      const flow = readFlow(name);
      expect(checkFlow(flow), name).to.deep.equal([]);
      const values = Object.fromEntries(placeholdersOf(flow).map((key) => [key, queueArn]));
      expect(checkFlow(fillFlow(flow, values), { filled: true }), name).to.deep.equal([]);
    }
  });

  it("`npm run check:flows` checks them and exits 0", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["-r", "ts-node/register/transpile-only", "contact-flows/check.ts"]);
    expect(stdout).to.include("✓ contact-flows/chat.json").and.include("✓ contact-flows/chat-disconnect.json");
  });

  describe("the chat flow", () => {
    const flow = JSON.parse(renderFlow("chat", { DEFAULT_QUEUE_ARN: queueArn, DISCONNECT_FLOW_ARN: disconnectArn })) as Flow;

    it("greets, then hooks the disconnect flow for when the agent leaves", () => {
      expect(flow.StartAction).to.equal("greet");
      expect(action(flow, "greet").Parameters).to.deep.equal({ Text: "Hi, you are being put into queue." });
      expect(action(flow, "hook-disconnect-flow").Parameters).to.deep.equal({ EventHooks: { CustomerRemaining: disconnectArn } });
    });

    it("routes to the agent id start-chat resolved, falling back to the default queue", () => {
      const agentIdAttribute = action(flow, "set-agent-queue").Parameters.AgentId;
      expect(agentIdAttribute).to.equal("$.Attributes.agentId");
      expect(serverAttributes).to.include(String(agentIdAttribute).replace("$.Attributes.", ""));
      const fallbacks = (a: FlowAction) => [a.Transitions.NextAction, ...(a.Transitions.Errors ?? []).map((e) => e.NextAction)];
      expect(fallbacks(action(flow, "check-named-agent"))).to.include("set-default-queue");
      expect(fallbacks(action(flow, "transfer-to-agent"))).to.include("set-default-queue");
      expect(action(flow, "set-default-queue").Parameters).to.deep.equal({ QueueId: queueArn });
    });
  });

  it("the disconnect flow waits 8 hours for the customer, then queues or disconnects", () => {
    const flow = JSON.parse(renderFlow("chat-disconnect", { DEFAULT_QUEUE_ARN: queueArn })) as Flow;
    const wait = action(flow, "wait-for-customer");
    expect(wait.Parameters).to.deep.equal({ TimeLimitSeconds: "28800", Events: ["CustomerReturned"] });
    expect(wait.Transitions.Conditions!.map((c) => [c.Condition.Operands[0], c.NextAction])).to.deep.equal([["CustomerReturned", "set-default-queue"], ["WaitCompleted", "disconnect"]]);
  });

  describe("the checker refuses", () => {
    const base = () => readFlow("chat");
    const cases: [string, (flow: Flow) => void, string][] = [
      ["another language version", (f) => { f.Version = "2020-01-01"; }, "Version must be"],
      ["a missing start action", (f) => { f.StartAction = "nowhere"; }, "StartAction \"nowhere\" is not an action"],
      ["an unknown action type", (f) => { action(f, "greet").Type = "PlayPrompt"; }, "is not one this project knows"],
      ["a missing required parameter", (f) => { action(f, "greet").Parameters = {}; }, "Parameters.Text is required"],
      ["an unknown parameter", (f) => { action(f, "greet").Parameters.SSML = "<speak/>"; }, "Parameters.SSML is not a parameter"],
      ["both a queue and an agent", (f) => { action(f, "set-agent-queue").Parameters.QueueId = "q"; }, "exactly one of Parameters.QueueId, Parameters.AgentId"],
      ["two event hooks in one action", (f) => { action(f, "hook-disconnect-flow").Parameters.EventHooks = { CustomerRemaining: "a", CustomerHold: "b" }; }, "EventHooks must set exactly one"],
      ["an identifier with a colon", (f) => { action(f, "disconnect").Identifier = "dis:connect"; }, "Identifier must be"],
      ["a duplicate identifier", (f) => { action(f, "apologise").Identifier = "greet"; }, "greet: Identifier is used twice"],
      ["a transition to nowhere", (f) => { action(f, "greet").Transitions.NextAction = "ghost"; }, "transition to \"ghost\""],
      ["an unreachable action", (f) => { f.Actions.push({ Identifier: "orphan", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} }); }, "orphan: cannot be reached"],
      ["a missing error branch", (f) => { action(f, "transfer-to-agent").Transitions.Errors!.pop(); }, "no branch for NoMatchingError"],
      ["an error type the action has not", (f) => { action(f, "greet").Transitions.Errors![0].ErrorType = "QueueAtCapacity"; }, "ErrorType QueueAtCapacity is not one of NoMatchingError"],
      ["a disconnect with transitions", (f) => { action(f, "disconnect").Transitions = { NextAction: "greet" }; }, "takes no transitions"],
      ["a comparison without conditions", (f) => { delete action(f, "check-named-agent").Transitions.Conditions; }, "needs Conditions"],
      ["an unknown operator", (f) => { action(f, "check-named-agent").Transitions.Conditions![0].Condition.Operator = "Matches"; }, "Condition operator Matches"],
      ["conditions on an action without them", (f) => { action(f, "greet").Transitions.Conditions = [{ NextAction: "disconnect", Condition: { Operator: "Equals", Operands: ["x"] } }]; }, "does not branch on Conditions"],
      ["a missing next action", (f) => { delete action(f, "greet").Transitions.NextAction; }, "needs a NextAction"],
    ];
    for (const [what, breakIt, message] of cases) {
      it(what, () => {
        const flow = base();
        breakIt(flow);
        expect(checkFlow(flow).join("\n")).to.include(message);
      });
    }

    it("a wait without its timeout branch or with a week-plus limit", () => {
      const flow = readFlow("chat-disconnect");
      const wait = action(flow, "wait-for-customer");
      wait.Transitions.Conditions!.pop();
      wait.Parameters.TimeLimitSeconds = "604801";
      expect(checkFlow(flow)).to.include.members(["action wait-for-customer: no Condition for WaitCompleted", "action wait-for-customer: Parameters.TimeLimitSeconds must be 1 to 604800 seconds"]);
    });

    it("a placeholder left unfilled, a value missing or unused", () => {
      expect(checkFlow(readFlow("chat"), { filled: true }).join()).to.include("placeholders left unfilled: DEFAULT_QUEUE_ARN, DISCONNECT_FLOW_ARN");
      expect(() => renderFlow("chat", { DEFAULT_QUEUE_ARN: queueArn })).to.throw("DISCONNECT_FLOW_ARN has no value");
      expect(() => renderFlow("chat-disconnect", { DEFAULT_QUEUE_ARN: queueArn, DISCONNECT_FLOW_ARN: "x" })).to.throw("DISCONNECT_FLOW_ARN is not used");
    });
  });
});
