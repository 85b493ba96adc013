/**
 * `npm run bench`: every size and speed claim of the README as a figure, measured in one run on
 * this machine, ours beside a baseline built the way the AWS sample builds its start-chat Lambda.
 * Writes bench/results.json and prints a table. Absolute times are this machine's; ratios travel.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { deflateRawSync } from "node:zlib";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ChatApi, TranscriptWatcher } from "../infra";
import { localContactFlowId, localInstanceId, startLocalStack, type LocalStack } from "../local/stack";
import { launchChromium } from "../test/support/browser";
import { allRegistered, archiveFiles, useMocks } from "../test/support/pulumi-mocks";
import { buildSite, siteBudgets } from "../www/build";

const run = promisify(execFile);
const work = join(__dirname, ".work");
const coldRuns = 21;
const loadLevels = [1, 10, 50];
const requestsPerLevel = 200;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)];
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
/** What a zip of these files weighs: deflated bodies plus zip's per-file headers. */
const zipBytes = (files: Buffer[]) => files.reduce((sum, file) => sum + deflateRawSync(file, { level: 9 }).length + 100, 22);

function filesUnder(dir: string): Buffer[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [readFileSync(path)];
  });
}

/** The Lambda code Pulumi would upload for each of our functions. */
async function ourPackages(): Promise<Record<string, string>> {
  const resources = useMocks();
  const api = new ChatApi("bench", { instanceId: localInstanceId, contactFlowId: localContactFlowId, allowedOrigins: [] });
  new TranscriptWatcher("bench", { chatsTable: { name: api.tableName, arn: api.tableArn }, existingStorage: { bucket: "connect-transcripts", prefix: "connect/bench/ChatTranscripts" } });
  await allRegistered();
  const paths: Record<string, string> = {};
  for (const fn of resources.filter((r) => r.type === "aws:lambda/function:Function")) {
    const files = await archiveFiles(fn.inputs.code);
    const dir = join(work, fn.name);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    paths[fn.name.replace("bench-", "")] = join(dir, "__index.js");
  }
  return paths;
}

async function coldStarts(stack: LocalStack, modulePath: string, env: Record<string, string>, event: unknown, warm = 0) {
  const { stdout } = await run(process.execPath, [join(__dirname, "cold-start.js"), modulePath, JSON.stringify(event), String(warm)], {
    env: { PATH: process.env.PATH ?? "", NODE_PATH: resolve("node_modules"), AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", LOG_LEVEL: "silent", ...stack.env, ...env },
  });
  const result = JSON.parse(stdout) as { status: number; loadMs: number; firstCallMs: number; cpuMs: number[] };
  if (result.status !== 200) throw new Error(`${modulePath} answered ${result.status}`);
  return result;
}

async function load(stack: LocalStack, concurrency: number) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requestsPerLevel) {
      const i = next++;
      const at = performance.now();
      const response = await fetch(`${stack.url}/api/chat`, { method: "POST", body: JSON.stringify({ name: `Load ${concurrency}-${i}` }) });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`load: HTTP ${response.status}`);
      latencies.push(performance.now() - at);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return { concurrency, p50Ms: round(percentile(latencies, 50)), p95Ms: round(percentile(latencies, 95)), p99Ms: round(percentile(latencies, 99)), requestsPerSecond: round(requestsPerLevel / seconds, 0) };
}

/** AWS calls one request makes, counted where they land: the Connect emulator and dynalite. */
async function callsFor(stack: LocalStack, request: () => Promise<void>) {
  await stack.transcripts.settled();
  stack.emulator.resetCallCounts();
  stack.dynamo.resetCallCounts();
  await request();
  const connect = stack.emulator.callCounts();
  const dynamodb = stack.dynamo.callCounts();
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return { connect, dynamodb, dynamodbCalls: total(dynamodb), connectCalls: total(connect) };
}

async function pageReady(stack: LocalStack): Promise<number> {
  const browser = await launchChromium();
  const times: number[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(stack.url);
      await page.getByRole("button", { name: "Start chat" }).waitFor();
      times.push(await page.evaluate(() => performance.now()));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return round(median(times), 0);
}

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true });
  process.env.LOG_LEVEL = "silent";
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  // The per-client limit on, as deployed (ChatApi's default), but high enough that the load runs
  // from this one machine are never refused: its counter write is part of what a new chat costs.
  const stack = await startLocalStack({ port: 0, settings: { newChatsPerClientPerMinute: 1_000_000 } });
  try {
    const packages = await ourPackages();
    const baselineModule = join(__dirname, "baseline", "start-chat-v2.js");
    const baselineTable = "bench-baseline-chats";
    await new DynamoDBClient({}).send(new CreateTableCommand({
      TableName: baselineTable,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: ["contactId", "userDisplayHash", "nextContactId"].map((name) => ({ AttributeName: name, AttributeType: "S" })),
      KeySchema: [{ AttributeName: "contactId", KeyType: "HASH" }],
      GlobalSecondaryIndexes: [{ IndexName: "userDisplayHash-nextContactId-index", KeySchema: [{ AttributeName: "userDisplayHash", KeyType: "HASH" }, { AttributeName: "nextContactId", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } }],
    }));

    const sizes = {
      startChatZipBytes: zipBytes([readFileSync(packages["start-chat"])]),
      transcriptLandedZipBytes: zipBytes([readFileSync(packages["transcripts-transcript-landed"] ?? packages["transcript-landed"])]),
      baselineZipBytes: zipBytes([readFileSync(baselineModule), ...filesUnder(resolve("node_modules/aws-sdk"))]),
    };

    // Cold starts, ours and the baseline interleaved so that both see the same machine.
    const event = (i: number) => ({ body: JSON.stringify({ ParticipantDetails: { DisplayName: `Cold ${i}` }, Username: "jdoe" }), requestContext: { requestId: `cold-${i}` } });
    const ours: { loadMs: number; firstCallMs: number }[] = [];
    const baseline: { loadMs: number; firstCallMs: number }[] = [];
    for (let i = 0; i < coldRuns; i++) {
      ours.push(await coldStarts(stack, packages["start-chat"], {}, event(i)));
      baseline.push(await coldStarts(stack, baselineModule, { BASELINE_TABLE: baselineTable }, event(i)));
    }
    const cold = (runs: typeof ours) => ({ loadMs: round(median(runs.map((r) => r.loadMs))), loadAndFirstCallMs: round(median(runs.map((r) => r.loadMs + r.firstCallMs))) });
    const oursCpu = (await coldStarts(stack, packages["start-chat"], {}, event(1000), 200)).cpuMs;
    const baselineCpu = (await coldStarts(stack, baselineModule, { BASELINE_TABLE: baselineTable }, event(1001), 200)).cpuMs;

    const latency = [];
    for (const level of loadLevels) latency.push(await load(stack, level));

    let token = "";
    let contactId = "";
    const post = async (body: unknown) => (await fetch(`${stack.url}/api/chat`, { method: "POST", body: JSON.stringify(body) })).json() as Promise<{ data: { resumeToken: string; startChatResult: { ContactId: string } } }>;
    const calls = {
      newChat: await callsFor(stack, async () => {
        const { data } = await post({ name: "Calls", agent: "asmith" });
        token = data.resumeToken;
        contactId = data.startChatResult.ContactId;
      }),
      resume: await callsFor(stack, async () => void await post({ name: "Calls", resumeToken: token })),
      endedThenNew: await (async () => {
        stack.emulator.endContact(contactId);
        return callsFor(stack, async () => void await post({ name: "Calls", resumeToken: token }));
      })(),
      // The baseline has no resume path worth the name (it keys chats on name + agent): new chats only.
      baselineNewChat: await callsFor(stack, async () => void await coldStarts(stack, baselineModule, { BASELINE_TABLE: baselineTable }, event(2000))),
    };

    const site = buildSite(join(work, "site"));
    const budgets = siteBudgets(site);
    const results = {
      machine: "this machine (absolute times are its own; compare ratios)",
      packages: sizes,
      coldInit: { ours: cold(ours), baseline: cold(baseline), runs: coldRuns },
      handlerCpuMsPerRequest: { ours: round(median(oursCpu), 2), baseline: round(median(baselineCpu), 2) },
      latency,
      awsCallsPerRequest: calls,
      page: { firstLoadGzipBytes: budgets.firstLoad, largestLanguagePackGzipBytes: budgets.largestPack, withChatJsGzipBytes: budgets.withChatJs, msToReadyToChat: await pageReady(stack) },
    };
    writeFileSync(join(__dirname, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    print(results);
  } finally {
    await stack.close();
  }
}

function print(r: any): void { // eslint-disable-line @typescript-eslint/no-explicit-any -- the object built just above
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const ratio = (ours: number, theirs: number) => `${(ours / theirs).toFixed(2)}×`;
  const rows: [string, string, string, string][] = [
    ["start-chat Lambda package (zip)", kb(r.packages.startChatZipBytes), kb(r.packages.baselineZipBytes), ratio(r.packages.startChatZipBytes, r.packages.baselineZipBytes)],
    ["transcript-landed Lambda package (zip)", kb(r.packages.transcriptLandedZipBytes), "", ""],
    ["cold init: module load (median ms)", `${r.coldInit.ours.loadMs}`, `${r.coldInit.baseline.loadMs}`, ratio(r.coldInit.ours.loadMs, r.coldInit.baseline.loadMs)],
    ["cold init: load + first new chat (median ms)", `${r.coldInit.ours.loadAndFirstCallMs}`, `${r.coldInit.baseline.loadAndFirstCallMs}`, ratio(r.coldInit.ours.loadAndFirstCallMs, r.coldInit.baseline.loadAndFirstCallMs)],
    ["handler CPU per warm request (median ms)", `${r.handlerCpuMsPerRequest.ours}`, `${r.handlerCpuMsPerRequest.baseline}`, ratio(r.handlerCpuMsPerRequest.ours, r.handlerCpuMsPerRequest.baseline)],
    ["DynamoDB calls: new chat / resume / ended→new", `${r.awsCallsPerRequest.newChat.dynamodbCalls} / ${r.awsCallsPerRequest.resume.dynamodbCalls} / ${r.awsCallsPerRequest.endedThenNew.dynamodbCalls}`, `${r.awsCallsPerRequest.baselineNewChat.dynamodbCalls} / – / –`, ""],
    ["Connect calls: new chat / resume / ended→new", `${r.awsCallsPerRequest.newChat.connectCalls} / ${r.awsCallsPerRequest.resume.connectCalls} / ${r.awsCallsPerRequest.endedThenNew.connectCalls}`, `${r.awsCallsPerRequest.baselineNewChat.connectCalls} / – / –`, ""],
    ["page JS + CSS, first load: launcher and form (gzip; budget 15 KB)", kb(r.page.firstLoadGzipBytes), "585 KB*", ""],
    ["largest language pack (gzip; budget 2 KB)", kb(r.page.largestLanguagePackGzipBytes), "", ""],
    ["page JS + CSS, once chatting (gzip)", kb(r.page.withChatJsGzipBytes), "585 KB*", ""],
    ["page: navigation to ready to chat (median ms)", `${r.page.msToReadyToChat}`, "", ""],
  ];
  console.log(`\n${"what".padEnd(48)} ${"ours".padStart(14)} ${"AWS sample".padStart(12)} ${"ratio".padStart(7)}`);
  for (const [what, ours, theirs, factor] of rows) console.log(`${what.padEnd(48)} ${ours.padStart(14)} ${theirs.padStart(12)} ${factor.padStart(7)}`);
  console.log("* the sample's prebuilt widget, as design.md records it (not rebuilt here)");
  console.log("\nstart-chat through POST /api/chat (new chats, this machine):");
  for (const level of r.latency) console.log(`  concurrency ${String(level.concurrency).padStart(2)}: p50 ${level.p50Ms} ms, p95 ${level.p95Ms} ms, p99 ${level.p99Ms} ms, ${level.requestsPerSecond} req/s`);
  console.log("\nwritten to bench/results.json");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
