/**
 * `/local/faults`: the local stack's fault switches, at run time, for trying failures by hand.
 *
 *   GET    /local/faults   the switches as they are
 *   POST   /local/faults   changes the switches the JSON body names, and only those:
 *            throttle, quota, serverError (booleans), latencyMs (number), operations (Connect
 *            operation names, or null for all): Connect's control plane, as emulator.setFaults;
 *            dynamodb: "fail" | "ok": DynamoDB answers 500 InternalServerError;
 *            dropConnections: true: drops every participant websocket once (ChatJS reconnects)
 *   DELETE /local/faults   everything off
 *
 * POST and DELETE need `content-type: application/json`, so a page on another site cannot flip
 * them with a form or a simple fetch (that needs a preflight, which this never allows).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "./api-gateway";
import type { ConnectEmulator, Faults } from "./connect-emulator";
import type { ParticipantService } from "./participant-service";

export interface FaultState extends Required<Omit<Faults, "operations">> {
  operations: string[] | null;
  dynamodb: "ok" | "fail";
}

const off: FaultState = { throttle: false, quota: false, serverError: false, latencyMs: 0, operations: null, dynamodb: "ok" };

/** What a change may name, and what each must be. */
const rules: Record<keyof FaultState | "dropConnections", (value: unknown) => boolean> = {
  throttle: (value) => typeof value === "boolean",
  quota: (value) => typeof value === "boolean",
  serverError: (value) => typeof value === "boolean",
  latencyMs: (value) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 60000,
  operations: (value) => value === null || (Array.isArray(value) && value.every((name) => typeof name === "string")),
  dynamodb: (value) => value === "ok" || value === "fail",
  dropConnections: (value) => value === true,
};

/** One line for the console: what is on now. */
export function describeFaults(state: FaultState): string {
  const connect = [state.throttle && "throttles", state.quota && "is at its chat quota", state.serverError && "fails", state.latencyMs && `lags ${state.latencyMs} ms`].filter(Boolean);
  const parts = [
    connect.length && `Connect ${connect.join(", ")}${state.operations ? ` (${state.operations.join(", ")})` : ""}`,
    state.dynamodb === "fail" && "DynamoDB fails",
  ].filter(Boolean);
  return parts.length ? `faults on: ${parts.join("; ")}` : "faults off";
}

export function createFaultSwitches(options: { emulator: ConnectEmulator; participants: ParticipantService; onChange?: (description: string) => void }) {
  let state: FaultState = { ...off };

  function apply(next: FaultState): void {
    state = next;
    const { throttle, quota, serverError, latencyMs, operations } = state;
    options.emulator.setFaults({ throttle, quota, serverError, latencyMs, ...(operations && { operations }) });
    options.onChange?.(describeFaults(state));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => void res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
    if (req.method === "GET") return send(200, state);
    if (req.method !== "POST" && req.method !== "DELETE") return void res.writeHead(405, { allow: "GET, POST, DELETE" }).end();
    if (!/^application\/json\b/.test(req.headers["content-type"] ?? "")) return send(415, { message: "Send JSON, with content-type: application/json." });
    let change: Record<string, unknown> = {};
    try {
      const raw = (await readBody(req, 10000)).toString("utf8");
      if (req.method === "POST") change = JSON.parse(raw || "{}");
    } catch {
      return send(400, { message: "The body must be a JSON object." });
    }
    if (typeof change !== "object" || change === null || Array.isArray(change)) return send(400, { message: "The body must be a JSON object." });
    const wrong = Object.entries(change).filter(([name, value]) => !(name in rules) || !rules[name as keyof typeof rules](value)).map(([name]) => name);
    if (wrong.length) {
      return send(400, { message: `Not a fault switch, or not a value it takes: ${wrong.join(", ")}. Switches: throttle, quota, serverError (true|false), latencyMs (0-60000), operations (["StartChatContact", …] or null), dynamodb ("fail"|"ok"), dropConnections (true).` });
    }
    const { dropConnections, ...switches } = change;
    if (req.method === "DELETE") apply({ ...off });
    else if (Object.keys(switches).length) apply({ ...state, ...(switches as Partial<FaultState>) });
    if (dropConnections) {
      options.participants.dropConnections();
      options.onChange?.("dropped every participant websocket");
    }
    send(200, { ...state, ...(dropConnections === true && { droppedConnections: true }) });
  }

  return {
    handle,
    state: () => state,
    /** True while DynamoDB is switched to fail. */
    dynamodbFails: () => state.dynamodb === "fail",
  };
}
