/**
 * The contact flows in this folder, in Amazon Connect's flow language (Version 2019-10-30): loaded,
 * filled in (`{{PLACEHOLDER}}` strings are the ARNs only known at deploy time) and checked before
 * anything is sent to Connect. ContactFlows deploys them; the local stack runs them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const flowNames = ["chat", "chat-disconnect"] as const;
export type FlowName = (typeof flowNames)[number];

export interface FlowAction {
  Identifier: string;
  Type: string;
  Parameters: Record<string, unknown>;
  Transitions: {
    NextAction?: string;
    Errors?: { NextAction: string; ErrorType: string }[];
    Conditions?: { NextAction: string; Condition: { Operator: string; Operands: string[] } }[];
  };
}

export interface Flow {
  Version: string;
  StartAction: string;
  Metadata?: unknown;
  Actions: FlowAction[];
}

const placeholder = /\{\{([A-Z_]+)\}\}/g;

/** What each action type we use needs, from Connect's flow language reference. */
interface ActionRule {
  /** Every one of these parameters. */
  required: string[];
  /** Exactly one of these parameters, when set. */
  exactlyOne?: string[];
  /** The error types it may branch on. */
  errors: string[];
  /** Routes on Conditions (with these operators). */
  operators?: string[];
  /** Ends the flow: no transitions at all. */
  terminal?: boolean;
}

const textOperators = ["Equals", "TextStartsWith", "TextEndsWith", "TextContains", "NumberGreaterThan", "NumberGreaterOrEqualTo", "NumberLessThan", "NumberLessOrEqualTo"];
const eventHooks = ["AgentHold", "AgentWhisper", "CustomerHold", "CustomerQueue", "CustomerRemaining", "CustomerWhisper", "DefaultAgentUI", "DisconnectAgentUI", "PauseContact", "ResumeContact"];

export const actionRules: Record<string, ActionRule> = {
  MessageParticipant: { required: ["Text"], errors: ["NoMatchingError"] },
  UpdateContactEventHooks: { required: ["EventHooks"], errors: ["NoMatchingError"] },
  UpdateContactTargetQueue: { required: [], exactlyOne: ["QueueId", "AgentId"], errors: ["NoMatchingError"] },
  TransferContactToQueue: { required: [], errors: ["QueueAtCapacity", "NoMatchingError"] },
  Compare: { required: ["ComparisonValue"], errors: ["NoMatchingCondition"], operators: textOperators },
  Wait: { required: ["TimeLimitSeconds", "Events"], errors: ["NoMatchingError"], operators: ["Equals"] },
  DisconnectParticipant: { required: [], errors: [], terminal: true },
};

export function flowPath(name: FlowName): string {
  return join(__dirname, `${name}.json`);
}

export function readFlow(name: FlowName): Flow {
  return JSON.parse(readFileSync(flowPath(name), "utf8")) as Flow;
}

/** Every `{{NAME}}` a flow expects to be filled in. */
export function placeholdersOf(flow: Flow): string[] {
  return [...new Set([...JSON.stringify(flow).matchAll(placeholder)].map((match) => match[1]))].sort();
}

/** The flow with its placeholders filled in; throws if one is missing or unused. */
export function fillFlow(flow: Flow, values: Record<string, string>): Flow {
  const expected = placeholdersOf(flow);
  const missing = expected.filter((name) => !(name in values));
  const unused = Object.keys(values).filter((name) => !expected.includes(name));
  if (missing.length || unused.length) {
    throw new Error(`flow placeholders: ${[...missing.map((n) => `${n} has no value`), ...unused.map((n) => `${n} is not used`)].join("; ")}`);
  }
  return JSON.parse(JSON.stringify(flow), (_key, value: unknown) =>
    typeof value === "string" ? value.replace(placeholder, (_match, name: string) => values[name]) : value) as Flow;
}

/** The flow content Connect gets: filled in and checked, or an error listing every problem. */
export function renderFlow(name: FlowName, values: Record<string, string>): string {
  const flow = fillFlow(readFlow(name), values);
  const problems = checkFlow(flow, { filled: true });
  if (problems.length) throw new Error(`contact flow ${name}: ${problems.join("; ")}`);
  return JSON.stringify(flow);
}

const identifierPattern = /^[^%:()\\/=$,;[\]{}]{1,50}$/;

/** Every problem found in a flow; empty when Connect should accept it and it does what it says. */
export function checkFlow(flow: Flow, options: { filled?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (flow.Version !== "2019-10-30") problems.push(`Version must be "2019-10-30", not ${JSON.stringify(flow.Version)}`);
  if (!Array.isArray(flow.Actions) || !flow.Actions.length) return [...problems, "Actions must be a non-empty array"];

  const byId = new Map<string, FlowAction>();
  for (const action of flow.Actions) {
    const id = action.Identifier;
    if (typeof id !== "string" || !identifierPattern.test(id)) problems.push(`action ${JSON.stringify(id)}: Identifier must be 1-50 characters without % : ( \\ / ) = $ , ; [ ] { }`);
    else if (byId.has(id)) problems.push(`action ${id}: Identifier is used twice`);
    else byId.set(id, action);
  }
  if (!byId.has(flow.StartAction)) problems.push(`StartAction ${JSON.stringify(flow.StartAction)} is not an action`);

  for (const action of flow.Actions) problems.push(...checkAction(action, byId).map((problem) => `action ${action.Identifier}: ${problem}`));

  const reachable = new Set<string>();
  const pending = [flow.StartAction];
  while (pending.length) {
    const id = pending.pop()!;
    const action = byId.get(id);
    if (!action || reachable.has(id)) continue;
    reachable.add(id);
    pending.push(...targetsOf(action));
  }
  for (const id of byId.keys()) if (!reachable.has(id)) problems.push(`action ${id}: cannot be reached from StartAction`);

  if (options.filled) {
    const left = placeholdersOf(flow);
    if (left.length) problems.push(`placeholders left unfilled: ${left.join(", ")}`);
  }
  return problems;
}

function targetsOf(action: FlowAction): string[] {
  const { NextAction, Errors = [], Conditions = [] } = action.Transitions ?? {};
  return [...(NextAction ? [NextAction] : []), ...Errors.map((e) => e.NextAction), ...Conditions.map((c) => c.NextAction)];
}

function checkAction(action: FlowAction, byId: Map<string, FlowAction>): string[] {
  const rule = actionRules[action.Type];
  if (!rule) return [`Type ${JSON.stringify(action.Type)} is not one this project knows (${Object.keys(actionRules).join(", ")})`];
  const problems: string[] = [];
  const parameters = action.Parameters ?? {};
  const transitions = action.Transitions;
  if (typeof transitions !== "object" || transitions === null) return ["Transitions must be an object"];

  for (const name of rule.required) if (parameters[name] === undefined || parameters[name] === "") problems.push(`Parameters.${name} is required`);
  if (rule.exactlyOne && rule.exactlyOne.filter((name) => parameters[name] !== undefined).length !== 1) {
    problems.push(`exactly one of Parameters.${rule.exactlyOne.join(", Parameters.")} is required`);
  }
  const known = [...rule.required, ...(rule.exactlyOne ?? [])];
  for (const name of Object.keys(parameters)) if (!known.includes(name)) problems.push(`Parameters.${name} is not a parameter of ${action.Type}`);

  if (action.Type === "UpdateContactEventHooks") {
    const hooks = Object.keys((parameters.EventHooks ?? {}) as object);
    if (hooks.length !== 1 || !eventHooks.includes(hooks[0])) problems.push(`Parameters.EventHooks must set exactly one of ${eventHooks.join(", ")}`);
  }

  if (rule.terminal) {
    if (targetsOf(action).length) problems.push("ends the flow, so it takes no transitions");
    return problems;
  }
  for (const target of targetsOf(action)) if (!byId.has(target)) problems.push(`transition to ${JSON.stringify(target)}, which is not an action`);
  for (const error of transitions.Errors ?? []) {
    if (!rule.errors.includes(error.ErrorType)) problems.push(`ErrorType ${error.ErrorType} is not one of ${rule.errors.join(", ")}`);
  }
  const missingErrors = rule.errors.filter((type) => !(transitions.Errors ?? []).some((error) => error.ErrorType === type));
  if (missingErrors.length) problems.push(`no branch for ${missingErrors.join(", ")}`);
  if (rule.operators) {
    if (!transitions.Conditions?.length) problems.push("needs Conditions");
    for (const { Condition } of transitions.Conditions ?? []) {
      if (!rule.operators.includes(Condition?.Operator)) problems.push(`Condition operator ${Condition?.Operator} is not one of ${rule.operators.join(", ")}`);
      if (!Array.isArray(Condition?.Operands) || Condition.Operands.length !== 1) problems.push("a Condition takes exactly one operand");
    }
  } else if (transitions.Conditions?.length) {
    problems.push(`${action.Type} does not branch on Conditions`);
  }
  if (action.Type === "Wait") {
    const events = parameters.Events as unknown;
    const outcomes = (transitions.Conditions ?? []).map((c) => c.Condition?.Operands?.[0]);
    if (!Array.isArray(events) || !events.every((event) => event === "CustomerReturned" || event === "BotParticipantDisconnected")) {
      problems.push("Parameters.Events must list CustomerReturned or BotParticipantDisconnected");
    } else {
      for (const outcome of ["WaitCompleted", ...events]) if (!outcomes.includes(outcome)) problems.push(`no Condition for ${outcome}`);
    }
    const seconds = Number(parameters.TimeLimitSeconds);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 604800) problems.push("Parameters.TimeLimitSeconds must be 1 to 604800 seconds");
  }
  if (!transitions.NextAction) problems.push("needs a NextAction");
  return problems;
}
