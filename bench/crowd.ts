/**
 * `npm run bench:crowd`: a flash crowd against the local stack while its Connect emulator enforces
 * Amazon Connect's default limits (local/connect-quotas.ts): N customers, a mix of new ones,
 * returning ones whose chat is live and returning ones whose chat has ended, arrive at random within
 * T seconds. Each does what the widget does: start through the API with the widget's own patience
 * (www/src/patience.ts: Retry-After, jitter, a bounded wait), open the chat with the participant
 * service (the real AWS SDK v3 client, as ChatJS uses it), and read its transcript. Reports, per
 * scenario: who got a chat, time to chat (arrival to an open connection), Connect calls per
 * customer and per operation against each quota, and the 429s the function and the customers saw.
 *
 *   npm run bench:crowd                              every scenario below
 *   npm run bench:crowd -- --scenario mixed          one of them
 *   npm run bench:crowd -- --customers 200 --seconds 30 --mix 50/30/20 --quotas 2x   (2× Connect's defaults)
 *   npm run bench:crowd -- --patience 0              customers who give up at the first refusal
 *
 * Not a test: it measures. Writes bench/crowd-results.json, and the table as markdown to
 * bench/.work/crowd.md for the README. Times are this machine's, with every service in one process.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConnectParticipantClient, CreateParticipantConnectionCommand, GetTranscriptCommand } from "@aws-sdk/client-connectparticipant";
import { connectDefaultQuotas, type ConnectQuotas, type QuotaSetting, type Rate } from "../local/connect-quotas";
import { startLocalStack, type LocalStack } from "../local/stack";
import { startChat, type StartChatData, type StartChatRequest } from "../www/src/api";
import { defaultPatienceSeconds, nextTry, startPatiently } from "../www/src/patience";

interface Mix {
  /** Shares of the crowd, summing to 1. */
  new: number;
  live: number;
  ended: number;
}

interface Scenario {
  name: string;
  what: string;
  customers: number;
  seconds: number;
  mix: Mix;
  /** Connect's limits, as multiples of its defaults. */
  quotaScale: number;
}

const scenarios: Scenario[] = [
  { name: "mixed", what: "a crowd: 40% new, 40% back to a live chat, 20% back after their chat ended", customers: 500, seconds: 60, mix: { new: 0.4, live: 0.4, ended: 0.2 }, quotaScale: 1 },
  { name: "all-new", what: "everyone new (a marketing mail)", customers: 500, seconds: 60, mix: { new: 1, live: 0, ended: 0 }, quotaScale: 1 },
  { name: "reload-storm", what: "everyone reloads a live chat within 10 s (an outage banner)", customers: 500, seconds: 10, mix: { new: 0, live: 1, ended: 0 }, quotaScale: 1 },
];

/** Connect's default limits times `scale`, the active chat quota included. */
function scaledQuotas(scale: number): QuotaSetting {
  if (scale === 1) return "default";
  const times = (rates: Record<string, Rate>) => Object.fromEntries(Object.entries(rates).map(([name, { rate, burst }]) => [name, { rate: rate * scale, burst: burst * scale }]));
  return { connect: times(connectDefaultQuotas.connect), participant: times(connectDefaultQuotas.participant), activeChats: connectDefaultQuotas.activeChats * scale };
}

/** A small seeded generator (mulberry32), so that a run can be repeated. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

type Kind = keyof Mix;

interface Customer {
  kind: Kind;
  name: string;
  resumeToken?: string;
}

interface Outcome {
  kind: Kind;
  /** Arrival to an open connection, ms; undefined when the customer gave up. */
  timeToChatMs?: number;
  /** Answers of the API that were "busy, come back" (429, 503), waited out or not. */
  apiRefusals: number;
  /** What the customer was finally told, when they got no chat. */
  error?: string;
  /** The chat handed back had ended, and the page asked again with endedChat. */
  reasked: boolean;
}

/** Seeds the customers who come back: a chat each, ended for `ended` ones, with Connect's limits off. */
async function seed(stack: LocalStack, scenario: Scenario, random: () => number): Promise<Customer[]> {
  const counts = { live: Math.round(scenario.customers * scenario.mix.live), ended: Math.round(scenario.customers * scenario.mix.ended) };
  const counted = { ...counts, new: scenario.customers - counts.live - counts.ended };
  const customers: Customer[] = [];
  const api = `${stack.url}/api/chat`;
  for (const kind of ["new", "live", "ended"] as const) {
    const batch = Array.from({ length: counted[kind] }, (_, i) => ({ kind, name: `${kind} ${i + 1}` }));
    if (kind === "new") {
      customers.push(...batch);
      continue;
    }
    // Twenty at a time: the seeding is not what is measured.
    for (let i = 0; i < batch.length; i += 20) {
      await Promise.all(batch.slice(i, i + 20).map(async (customer) => {
        const chat = await startChat(api, { name: customer.name });
        if (kind === "ended") stack.emulator.endContact(chat.startChatResult.ContactId);
        customers.push({ ...customer, resumeToken: chat.resumeToken });
      }));
    }
  }
  await stack.transcripts.settled();
  // Arrival order: shuffled, so the kinds mix in time.
  for (let i = customers.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [customers[i], customers[j]] = [customers[j], customers[i]];
  }
  return customers;
}

/** One customer, as the widget behaves: start (patiently), open the chat, read its transcript. */
async function visit(customer: Customer, options: { api: string; participant: ConnectParticipantClient; patienceSeconds: number; random: () => number }): Promise<Outcome> {
  const arrived = performance.now();
  const outcome: Outcome = { kind: customer.kind, apiRefusals: 0, reasked: false };
  const patient = <T>(attempt: () => Promise<T>) => startPatiently({
    startChat: attempt,
    sleep,
    now: () => performance.now(),
    random: options.random,
    patienceSeconds: Math.max(0, options.patienceSeconds - (performance.now() - arrived) / 1000),
  });
  const counted = <T>(attempt: () => Promise<T>) => () => attempt().catch((error: unknown) => {
    const status = (error as { status?: number }).status;
    if (status === 429 || status === 503) outcome.apiRefusals++;
    throw error;
  });
  const request: StartChatRequest = { name: customer.name, ...(customer.resumeToken && { resumeToken: customer.resumeToken }) };
  try {
    let chat: StartChatData = await patient(counted(() => startChat(options.api, request)));
    let connected = await openConnection(chat, options, arrived);
    if (connected.state === "over" && chat.resumed) {
      // The chat handed back had ended unseen: the page says so, once, and joins what comes back.
      outcome.reasked = true;
      chat = await patient(counted(() => startChat(options.api, { ...request, resumeToken: chat.resumeToken ?? request.resumeToken, endedChat: chat.startChatResult.ContactId })));
      connected = await openConnection(chat, options, arrived);
    }
    if (connected.state !== "open") {
      const why = connected.state === "failed" ? connected.error : "over";
      throw Object.assign(new Error(`the chat could not be opened (${why})`), { code: why });
    }
    outcome.timeToChatMs = performance.now() - arrived;
    await readTranscript(connected.connectionToken, options);
  } catch (error) {
    outcome.error = (error as { code?: string }).code ?? (error as Error).message;
  }
  return outcome;
}

/**
 * The chat's connection, as the page's ChatJS opens it: retried while throttled, within the
 * customer's patience. "over": the participant service refused the token (the chat has ended).
 */
async function openConnection(chat: StartChatData, options: { participant: ConnectParticipantClient; patienceSeconds: number; random: () => number }, arrived: number): Promise<{ state: "open"; connectionToken: string } | { state: "over" } | { state: "failed"; error: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { ConnectionCredentials } = await options.participant.send(new CreateParticipantConnectionCommand({
        ParticipantToken: chat.startChatResult.ParticipantToken,
        Type: ["WEBSOCKET", "CONNECTION_CREDENTIALS"],
        ConnectParticipant: true,
      }));
      return { state: "open", connectionToken: ConnectionCredentials!.ConnectionToken! };
    } catch (error) {
      const { name, $metadata } = error as { name: string; $metadata?: { httpStatusCode?: number } };
      if (name === "AccessDeniedException") return { state: "over" };
      const status = $metadata?.httpStatusCode;
      // As the widget reads it: throttled is busy, no answer at all is the network.
      const code = name === "ThrottlingException" ? "THROTTLED" : status === undefined ? "NETWORK" : name;
      const decision = nextTry({ status, code, attempt, elapsedMs: performance.now() - arrived }, { patienceSeconds: options.patienceSeconds, random: options.random });
      if (!decision.retry) return { state: "failed", error: name };
      await sleep(decision.waitMs);
    }
  }
}

/** The transcript so far, read once the chat is open (retried while throttled; the chat is usable meanwhile). */
async function readTranscript(connectionToken: string, options: { participant: ConnectParticipantClient; random: () => number }): Promise<void> {
  for (let attempt = 1; attempt <= 8; attempt++) {
    try {
      await options.participant.send(new GetTranscriptCommand({ ConnectionToken: connectionToken, MaxResults: 15, ScanDirection: "BACKWARD", SortOrder: "ASCENDING" }));
      return;
    } catch {
      await sleep(options.random() * Math.min(10_000, 1000 * 2 ** (attempt - 1)));
    }
  }
}

interface Report {
  scenario: string;
  what: string;
  customers: number;
  seconds: number;
  mix: Mix;
  quotas: string;
  patienceSeconds: number;
  gotChat: number;
  sawError: number;
  errors: Record<string, number>;
  timeToChatMs: { p50: number; p95: number; p99: number; max: number };
  reasked: number;
  /** Calls per operation: received, refused by a limit, and per customer. */
  connect: Record<string, { calls: number; throttled: number; perCustomer: number; quota: string }>;
  participant: Record<string, { calls: number; throttled: number; perCustomer: number; quota: string }>;
  /** 429s Connect gave the start-chat function (rate limits and the active chat quota). */
  throttledForFunction: number;
  /** 429/503 answers the customers' pages got and waited out. */
  refusalsSeenByCustomers: number;
  crowdSeconds: number;
}

async function run(scenario: Scenario, patienceSeconds: number, seedValue: number): Promise<Report> {
  const random = seededRandom(seedValue);
  const stack = await startLocalStack({ port: 0, quotas: "off" });
  // Retries are the page's (as ChatJS's are), and every customer has a browser of their own: no socket pool to queue on.
  const participant = new ConnectParticipantClient({ maxAttempts: 1, requestHandler: { httpAgent: { maxSockets: Infinity }, httpsAgent: { maxSockets: Infinity } } });
  try {
    const customers = await seed(stack, scenario, random);
    const quotas = scaledQuotas(scenario.quotaScale);
    stack.setQuotas(quotas);
    stack.emulator.resetCallCounts();
    stack.participants.resetCallCounts();
    const began = performance.now();
    const arrivals = customers.map(() => random() * scenario.seconds * 1000).sort((a, b) => a - b);
    const outcomes = await Promise.all(customers.map(async (customer, i) => {
      await sleep(arrivals[i]);
      return visit(customer, { api: `${stack.url}/api/chat`, participant, patienceSeconds, random });
    }));
    const crowdSeconds = (performance.now() - began) / 1000;
    const times = outcomes.flatMap((o) => (o.timeToChatMs === undefined ? [] : [o.timeToChatMs]));
    const errors: Record<string, number> = {};
    for (const o of outcomes) if (o.error) errors[o.error] = (errors[o.error] ?? 0) + 1;
    const inForce = stack.quotas() as ConnectQuotas;
    const usage = (calls: Record<string, number>, throttled: Record<string, number>, rates: Record<string, Rate>) => Object.fromEntries(
      Object.entries(calls).map(([operation, count]) => {
        const rate = rates[operation] ?? rates.default;
        return [operation, { calls: count, throttled: throttled[operation] ?? 0, perCustomer: Number((count / customers.length).toFixed(2)), quota: rate ? `${rate.rate}/s burst ${rate.burst}` : "none" }];
      }));
    const connectThrottled = stack.emulator.throttledCounts();
    const connectRefused: Record<string, number> = {};
    for (const counts of [connectThrottled.rateLimited, connectThrottled.activeChatQuota]) {
      for (const [operation, count] of Object.entries(counts)) connectRefused[operation] = (connectRefused[operation] ?? 0) + count;
    }
    return {
      scenario: scenario.name,
      what: scenario.what,
      customers: customers.length,
      seconds: scenario.seconds,
      mix: scenario.mix,
      quotas: scenario.quotaScale === 1 ? "Connect's defaults" : `${scenario.quotaScale}× Connect's defaults`,
      patienceSeconds,
      gotChat: times.length,
      sawError: outcomes.length - times.length,
      errors,
      timeToChatMs: { p50: Math.round(percentile(times, 50)), p95: Math.round(percentile(times, 95)), p99: Math.round(percentile(times, 99)), max: Math.round(Math.max(...times)) },
      reasked: outcomes.filter((o) => o.reasked).length,
      connect: usage(stack.emulator.callCounts(), connectRefused, inForce.connect),
      participant: usage(stack.participants.callCounts(), stack.participants.throttledCounts().rateLimited, inForce.participant),
      throttledForFunction: Object.values(connectRefused).reduce((a, b) => a + b, 0),
      refusalsSeenByCustomers: outcomes.reduce((sum, o) => sum + o.apiRefusals, 0),
      crowdSeconds: Number(crowdSeconds.toFixed(1)),
    };
  } finally {
    participant.destroy();
    await stack.close();
  }
}

const seconds = (ms: number) => (Number.isNaN(ms) ? "–" : `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s`);

function table(reports: Report[]): string {
  const lines = [
    "| scenario | customers in | got a chat | saw an error | time to chat p50 / p95 / p99 | Connect calls per customer | 429s: function / customers' pages |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of reports) {
    const perCustomer = Object.entries(r.connect).map(([op, u]) => `${op} ${u.perCustomer}${u.throttled ? ` (${u.throttled} throttled)` : ""}`).join(", ") || "none";
    lines.push(`| ${r.scenario} (${r.quotas}) | ${r.customers} in ${r.seconds} s | ${r.gotChat} | ${r.sawError} | ${seconds(r.timeToChatMs.p50)} / ${seconds(r.timeToChatMs.p95)} / ${seconds(r.timeToChatMs.p99)} | ${perCustomer} | ${r.throttledForFunction} / ${r.refusalsSeenByCustomers} |`);
  }
  lines.push("", "Participant service calls per customer (quota per instance):", "");
  lines.push("| scenario | " + ["CreateParticipantConnection", "GetTranscript"].join(" | ") + " |", "| --- | --- | --- |");
  for (const r of reports) {
    const cell = (op: string) => {
      const u = r.participant[op];
      return u ? `${u.perCustomer} (${u.throttled} throttled; ${u.quota})` : "–";
    };
    lines.push(`| ${r.scenario} | ${cell("CreateParticipantConnection")} | ${cell("GetTranscript")} |`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  // The function's own records (a line per start) would bury the report: errors only.
  process.env.LOG_LEVEL ??= "error";
  const { values } = parseArgs({
    options: {
      scenario: { type: "string" },
      customers: { type: "string" },
      seconds: { type: "string" },
      mix: { type: "string" },
      quotas: { type: "string" },
      patience: { type: "string" },
      seed: { type: "string" },
    },
  });
  const patienceSeconds = values.patience === undefined ? defaultPatienceSeconds : Number(values.patience);
  const seedValue = values.seed === undefined ? 17 : Number(values.seed);
  let chosen = values.scenario ? scenarios.filter((s) => s.name === values.scenario) : scenarios;
  if (!chosen.length) throw new Error(`--scenario: one of ${scenarios.map((s) => s.name).join(", ")}`);
  if (values.customers || values.seconds || values.mix || values.quotas) {
    const [newShare, live, ended] = (values.mix ?? "40/40/20").split("/").map(Number);
    const total = newShare + live + ended;
    if (![newShare, live, ended].every((n) => Number.isFinite(n) && n >= 0) || total <= 0) throw new Error("--mix: new/live/ended shares, e.g. 40/40/20");
    const scale = values.quotas === undefined || values.quotas === "default" ? 1 : Number(values.quotas.replace(/x$/, ""));
    if (!(scale > 0)) throw new Error("--quotas: default, or a multiple of Connect's defaults such as 10x");
    chosen = [{ name: "custom", what: "from the command line", customers: Number(values.customers ?? 500), seconds: Number(values.seconds ?? 60), mix: { new: newShare / total, live: live / total, ended: ended / total }, quotaScale: scale }];
  }
  const reports: Report[] = [];
  for (const scenario of chosen) {
    console.log(`${scenario.name}: ${scenario.customers} customers in ${scenario.seconds} s, ${scenario.what}…`);
    const report = await run(scenario, patienceSeconds, seedValue);
    console.log(`  got a chat ${report.gotChat}/${report.customers}, p50 ${seconds(report.timeToChatMs.p50)}, p99 ${seconds(report.timeToChatMs.p99)}, errors ${JSON.stringify(report.errors)}`);
    reports.push(report);
  }
  const markdown = table(reports);
  console.log(`\n${markdown}`);
  writeFileSync(join(__dirname, "crowd-results.json"), `${JSON.stringify({ machine: { node: process.version }, patienceSeconds, seed: seedValue, reports }, null, 2)}\n`);
  mkdirSync(join(__dirname, ".work"), { recursive: true });
  writeFileSync(join(__dirname, ".work", "crowd.md"), `${markdown}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
