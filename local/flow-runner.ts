/**
 * Runs our contact flows (contact-flows/*.json, filled in as ContactFlows fills them) on the
 * emulator's chats, so what we deploy is what runs locally. It knows the actions those flows use;
 * any other action type stops the flow with an error, loudly, rather than doing something else.
 */
import type { Flow, FlowAction } from "../contact-flows/flows";
import type { ChatState, Contact } from "./chat-state";

export interface FlowRunnerOptions {
  chats: ChatState;
  /** Flows by the ARN and the id they are referred to by. */
  flows: Map<string, Flow>;
  /** User ids an agent target may name. */
  agentIds: Set<string>;
  /** Queue ARNs and ids a queue target may name. */
  queueIds: Set<string>;
  /** The longest a Wait action waits here, in ms; a real 8-hour wait would outlive any local run. */
  maxWaitMs: number;
  /** A flow that failed: the chat is ended and the error reported here. */
  onError(contact: Contact, error: Error): void;
}

export function createFlowRunner(options: FlowRunnerOptions) {
  const { chats } = options;

  /** `$.Attributes.name` → the contact's attribute; other paths are not emulated. */
  function resolve(contact: Contact, value: unknown): string {
    const text = String(value ?? "");
    if (!text.startsWith("$.")) return text;
    const attribute = /^\$\.Attributes\.([A-Za-z0-9_-]+)$/.exec(text);
    if (!attribute) throw new Error(`flow runner: the JSONPath ${text} is not emulated`);
    return contact.attributes[attribute[1]] ?? "";
  }

  function branch(action: FlowAction, errorType: string): string {
    const next = action.Transitions.Errors?.find((error) => error.ErrorType === errorType)?.NextAction;
    if (!next) throw new Error(`flow runner: action ${action.Identifier} has no branch for ${errorType}`);
    return next;
  }

  function matches(operator: string, value: string, operand: string): boolean {
    switch (operator) {
      case "Equals": return value === operand;
      case "TextStartsWith": return value.startsWith(operand);
      case "TextEndsWith": return value.endsWith(operand);
      case "TextContains": return value.includes(operand);
      case "NumberGreaterThan": return Number(value) > Number(operand);
      case "NumberGreaterOrEqualTo": return Number(value) >= Number(operand);
      case "NumberLessThan": return Number(value) < Number(operand);
      case "NumberLessOrEqualTo": return Number(value) <= Number(operand);
      default: throw new Error(`flow runner: operator ${operator} is not emulated`);
    }
  }

  /** One action; the identifier of the next, or undefined when the flow is over. */
  async function step(contact: Contact, action: FlowAction, target: { agentId?: string; queueId?: string }): Promise<string | undefined> {
    const { Parameters: parameters, Transitions: transitions } = action;
    switch (action.Type) {
      case "MessageParticipant":
        chats.post(contact, "SYSTEM", { Type: "MESSAGE", ContentType: "text/plain", Content: resolve(contact, parameters.Text) });
        return transitions.NextAction;
      case "UpdateContactEventHooks": {
        const [[hook, flow]] = Object.entries(parameters.EventHooks as Record<string, string>);
        if (!options.flows.has(flow)) return branch(action, "NoMatchingError");
        contact.hooks[hook] = flow;
        chats.changed();
        return transitions.NextAction;
      }
      case "Compare": {
        const value = resolve(contact, parameters.ComparisonValue);
        const hit = transitions.Conditions?.find(({ Condition }) => matches(Condition.Operator, value, Condition.Operands[0]));
        return hit ? hit.NextAction : branch(action, "NoMatchingCondition");
      }
      case "UpdateContactTargetQueue": {
        // UpdateContactTargetQueue takes a user id or ARN for an agent, never a username.
        const agentId = parameters.AgentId === undefined ? undefined : resolve(contact, parameters.AgentId).split("/").pop()!;
        const queueId = parameters.QueueId === undefined ? undefined : resolve(contact, parameters.QueueId);
        if (agentId !== undefined && !options.agentIds.has(agentId)) return branch(action, "NoMatchingError");
        if (queueId !== undefined && !options.queueIds.has(queueId)) return branch(action, "NoMatchingError");
        target.agentId = agentId;
        target.queueId = queueId;
        return transitions.NextAction;
      }
      case "TransferContactToQueue":
        if (!target.agentId && !target.queueId) return branch(action, "NoMatchingError");
        // The contact now waits in the queue for an agent: the flow is done with it.
        contact.routing = { ...target, since: Date.now() };
        chats.changed();
        return undefined;
      case "Wait": {
        const limitMs = Math.min(Number(parameters.TimeLimitSeconds) * 1000, options.maxWaitMs);
        const outcome = await new Promise<string>((done) => {
          const timer = setTimeout(() => done("WaitCompleted"), limitMs);
          timer.unref();
          const finish = (result: string) => {
            clearTimeout(timer);
            done(result);
          };
          contact.onCustomerReturned = () => finish("CustomerReturned");
          contact.stopWaiting = () => finish("ChatEnded");
        });
        contact.onCustomerReturned = undefined;
        contact.stopWaiting = undefined;
        if (contact.disconnectTimestamp) return undefined;
        return transitions.Conditions?.find(({ Condition }) => Condition.Operands[0] === outcome)?.NextAction ?? branch(action, "NoMatchingError");
      }
      case "DisconnectParticipant":
        chats.end(contact);
        return undefined;
      default:
        throw new Error(`flow runner: action type ${action.Type} (${action.Identifier}) is not emulated`);
    }
  }

  async function run(contact: Contact, flowRef: string): Promise<void> {
    try {
      const flow = options.flows.get(flowRef);
      if (!flow) throw new Error(`flow runner: no flow ${flowRef}`);
      const byId = new Map(flow.Actions.map((action) => [action.Identifier, action]));
      const target: { agentId?: string; queueId?: string } = {};
      let next: string | undefined = flow.StartAction;
      while (next && !contact.disconnectTimestamp) {
        const action = byId.get(next);
        if (!action) throw new Error(`flow runner: no action ${next}`);
        next = await step(contact, action, target);
      }
    } catch (error) {
      options.onError(contact, error as Error);
      chats.end(contact);
    }
  }

  return { run };
}
