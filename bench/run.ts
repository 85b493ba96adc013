/**
 * `npm run bench`: every size and speed claim of the README as a figure, measured in one run on
 * this machine. Our start-chat Lambda is compared with the AWS sample's own one,
 * `startChatContact.js` from amazon-connect/amazon-connect-chat-ui-examples, when it is given:
 *
 *   npm run bench -- --aws-sample <path to startChatContact.js>   (or AWS_SAMPLE_START_CHAT=<path>)
 *
 * The sample is never part of this repository. Without it, the comparison is with our own baseline
 * (bench/baseline/start-chat-v2.js), labelled as such everywhere. Writes bench/results.json, prints
 * a table, and writes that table as markdown to bench/.work/benchmarks.md for the README.
 * Absolute times are this machine's; ratios travel.
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { deflateRawSync } from "node:zlib";
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand, type CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { ChatApi, TranscriptWatcher } from "../infra";
import { localContactFlowId, localInstanceId, startLocalStack, type LocalStack } from "../local/stack";
import { launchChromium } from "../test/support/browser";
import { allRegistered, archiveFiles, useMocks } from "../test/support/pulumi-mocks";
import { s3Notification, transcriptKey } from "../test/support/s3-events";
import { buildSite, siteBudgets } from "../www/build";

const root = resolve(__dirname, "..");
const work = join(__dirname, ".work");
const coldRuns = 21;
const cpuRuns = 200;
const loadLevels = [1, 10, 50];
const requestsPerLevel = 200;
const budgets = { loadAndFirstCallVsTheirs: 0.5, zipBytesPerFunction: 256 * 1024, secondCallVsTheirs: 1.2 };

const sampleRepo = "amazon-connect/amazon-connect-chat-ui-examples";
const samplePath = "cloudformationTemplates/asyncCustomerChatUX/js/startChatContact.js";
const howToGetSample = `curl -fsSL --create-dirs -o bench/.work/aws-sample/startChatContact.js https://raw.githubusercontent.com/${sampleRepo}/master/${samplePath}`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)];
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
/** What a zip of these files weighs: deflated bodies plus zip's per-file headers. */
const zipBytes = (files: (string | Buffer)[]) => files.reduce((sum, file) => sum + deflateRawSync(file, { level: 9 }).length + 100, 22);

function filesUnder(dir: string): Buffer[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [readFileSync(path)];
  });
}

/** The `--aws-sample <path>` argument, else AWS_SAMPLE_START_CHAT. */
function sampleArgument(): string | undefined {
  const args = process.argv.slice(2);
  const at = args.findIndex((arg) => arg === "--aws-sample" || arg.startsWith("--aws-sample="));
  if (at >= 0) return args[at].includes("=") ? args[at].slice("--aws-sample=".length) : args[at + 1];
  return process.env.AWS_SAMPLE_START_CHAT || undefined;
}

interface OurPackage {
  /** The module Lambda loads (the handler setting's file), written out with every file of the package. */
  entry: string;
  files: Record<string, string | Buffer>;
}

/** The Lambda code Pulumi would upload for each of our functions, each written out under bench/.work/<function>/. */
async function ourPackages(): Promise<Record<string, OurPackage>> {
  const resources = useMocks();
  const api = new ChatApi("bench", { instanceId: localInstanceId, contactFlowId: localContactFlowId, allowedOrigins: [] });
  new TranscriptWatcher("bench", { chatsTable: { name: api.tableName, arn: api.tableArn }, existingStorage: { bucket: "connect-transcripts", prefix: "connect/bench/ChatTranscripts" } });
  await allRegistered();
  const packages: Record<string, OurPackage> = {};
  for (const fn of resources.filter((r) => r.type === "aws:lambda/function:Function")) {
    const files: Record<string, string | Buffer> = await archiveFiles(fn.inputs.code);
    const dir = join(work, fn.name);
    rmSync(dir, { recursive: true, force: true });
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const handler = String(fn.inputs.handler ?? "__index.handler");
    const name = fn.name.replace(/^bench-(transcripts-)?/, "");
    packages[name] = { entry: join(dir, `${handler.slice(0, handler.lastIndexOf("."))}.js`), files };
  }
  for (const name of ["start-chat", "transcript-landed"]) if (!packages[name]) throw new Error(`no ${name} function among ${Object.keys(packages).join(", ")}`);
  return packages;
}

interface ColdStart {
  loadMs: number;
  firstCallMs: number;
  secondCallMs?: number;
  cpuMs: number[];
  first: unknown;
  second?: unknown;
  /** What the process wrote to stdout: the function's logs, their size and their last 64 KB. */
  logBytes: number;
  logTail: string;
}

/** Runs bench/cold-start.js in a fresh Node process (see there): `calls` handler calls after loading `modulePath`. */
function coldStart(modulePath: string, env: Record<string, string>, events: unknown[], calls: number): Promise<ColdStart> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(__dirname, "cold-start.js"), modulePath, JSON.stringify(events), String(calls)], {
      env: { PATH: process.env.PATH ?? "", NODE_PATH: join(root, "node_modules"), ...env },
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    let logBytes = 0;
    let logTail = "";
    let stderr = "";
    let report = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      logBytes += chunk.length;
      logTail = (logTail + chunk.toString("utf8")).slice(-64 * 1024);
    });
    child.stderr!.on("data", (chunk: Buffer) => void (stderr += chunk));
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => void (report += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0 || !report) return reject(new Error(`${modulePath} exited with ${code}: ${stderr.trim()}`));
      resolvePromise({ ...(JSON.parse(report) as Omit<ColdStart, "logBytes" | "logTail">), logBytes, logTail });
    });
  });
}

/** A start-chat result must be a 200, whatever else it says. */
function expectStarted(run: ColdStart, what: string): ColdStart {
  for (const result of [run.first, ...(run.secondCallMs === undefined ? [] : [run.second])]) {
    const status = (result as { statusCode?: number } | undefined)?.statusCode;
    if (status !== 200) throw new Error(`${what} answered ${status}: ${JSON.stringify(result).slice(0, 300)}`);
  }
  return run;
}

const contactIdOf = (result: unknown) => (JSON.parse((result as { body: string }).body) as { data: { startChatResult: { ContactId: string } } }).data.startChatResult.ContactId;

/**
 * The request the sample's own page (amazon-connect-chat-interface.js, `initiateChat`) posts, in an
 * API Gateway proxy event: both Lambdas get the same one. `%N%` makes every call a new customer.
 */
function startChatEvent(name: string) {
  return {
    resource: "/", path: "/", httpMethod: "POST", isBase64Encoded: false,
    headers: { "content-type": "application/json" },
    requestContext: { requestId: `${name.replaceAll("%N%", "").trim().replace(/\W+/g, "-")}-%N%` },
    body: JSON.stringify({
      InstanceId: localInstanceId,
      ContactFlowId: localContactFlowId,
      ParticipantDetails: { DisplayName: name },
      Username: "jdoe",
      Attributes: { customerName: name },
      SupportedMessagingContentTypes: ["text/plain", "text/markdown"],
    }),
  };
}

interface Comparator {
  kind: "aws-sample" | "baseline";
  label: string;
  /** The table's column header. */
  short: string;
  module: string;
  env: Record<string, string>;
  /** Where it came from and how it was set up, for results.json. */
  about: Record<string, unknown>;
}

/** The AWS SDK v2 part of the stack's environment: region, credentials, endpoints (cold-start.js applies them). */
function sdkV2Env(stack: LocalStack): Record<string, string> {
  const picked = Object.entries(stack.env).filter(([key]) => /^AWS_(REGION|ACCESS_KEY_ID|SECRET_ACCESS_KEY|ENDPOINT_URL_)/.test(key));
  return { ...Object.fromEntries(picked), BENCH_AWS_SDK_V2_ENDPOINTS: "1", AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1" };
}

/**
 * The sample's table, as its cloudformation.yaml declares `chatContactDataTable` (no TableName there:
 * CloudFormation names it; this is ours for it), and the environment its InitiateChatLambda gets.
 */
async function awsSample(stack: LocalStack, path: string): Promise<Comparator> {
  const table: CreateTableCommandInput = {
    TableName: "bench-aws-sample-chatContactDataTable",
    AttributeDefinitions: ["contactId", "nextContactId", "userDisplayHash"].map((name) => ({ AttributeName: name, AttributeType: "S" })),
    KeySchema: [{ AttributeName: "contactId", KeyType: "HASH" }],
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    GlobalSecondaryIndexes: [{
      IndexName: "userDisplayHash-nextContactId-index",
      KeySchema: [{ AttributeName: "userDisplayHash", KeyType: "HASH" }, { AttributeName: "nextContactId", KeyType: "RANGE" }],
      Projection: { ProjectionType: "ALL" },
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }],
  };
  const dynamo = new DynamoDBClient({});
  await dynamo.send(new CreateTableCommand(table));
  // TimeToLiveSpecification { AttributeName: date, Enabled: true }: dynalite has no UpdateTimeToLive.
  // TTL only deletes expired items in the background; no request measured here depends on it.
  const timeToLive = await dynamo.send(new UpdateTimeToLiveCommand({ TableName: table.TableName, TimeToLiveSpecification: { AttributeName: "date", Enabled: true } }))
    .then(() => "date: enabled", (error: Error) => `date: declared, not applied (${error.name} from dynalite; TTL deletes in the background, no measured request depends on it)`);
  const text = readFileSync(path);
  const env = {
    // As the template sets them (InitiateChatLambda.Environment.Variables).
    INSTANCE_ID: localInstanceId,
    CONTACT_FLOW_ID: localContactFlowId,
    CF_DISTRIBUTION: "d111111abcdef8.cloudfront.net",
    SOLUTION_ID: "AC0001",
    CHAT_DATA_TABLE: table.TableName!,
    // Read by the code (AWS.config.update({ region: process.env.REGION })); the template does not set
    // it, so in Lambda the SDK falls back to AWS_REGION. Set here to the same value.
    REGION: stack.env.AWS_REGION,
  };
  return {
    kind: "aws-sample",
    label: "AWS sample startChatContact.js",
    short: "AWS sample",
    module: path,
    env: { ...sdkV2Env(stack), ...env },
    about: {
      source: `github.com/${sampleRepo} ${samplePath}`,
      file: relative(root, path),
      gitBlobSha1: createHash("sha1").update(`blob ${text.length}\0`).update(text).digest("hex"),
      table: { ...table, timeToLive },
      environment: env,
      runtime: "as deployed: aws-sdk v2 from its layer (here our devDependency aws-sdk, through NODE_PATH), its own console.log lines, no keep-alive",
    },
  };
}

/** Our own stand-in, when the sample is not given: the same calls, written like the sample. */
async function ownBaseline(stack: LocalStack): Promise<Comparator> {
  const table = "bench-baseline-chats";
  await new DynamoDBClient({}).send(new CreateTableCommand({
    TableName: table,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: ["contactId", "userDisplayHash", "nextContactId"].map((name) => ({ AttributeName: name, AttributeType: "S" })),
    KeySchema: [{ AttributeName: "contactId", KeyType: "HASH" }],
    GlobalSecondaryIndexes: [{ IndexName: "userDisplayHash-nextContactId-index", KeySchema: [{ AttributeName: "userDisplayHash", KeyType: "HASH" }, { AttributeName: "nextContactId", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } }],
  }));
  const module = join(__dirname, "baseline", "start-chat-v2.js");
  return {
    kind: "baseline",
    label: "baseline: ours, written like the sample",
    short: "baseline*",
    module,
    env: { ...stack.env, ...sdkV2Env(stack), BASELINE_TABLE: table },
    about: { file: relative(root, module), note: "NOT the AWS sample: our own aws-sdk v2 stand-in for it", howToGetTheSample: howToGetSample },
  };
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
async function callsFor(stack: LocalStack, request: () => Promise<unknown>) {
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

/** Medians over the rounds; load + first call is the median of each round's sum. */
function coldSummary(runs: ColdStart[]) {
  return {
    loadMs: round(median(runs.map((r) => r.loadMs))),
    firstCallMs: round(median(runs.map((r) => r.firstCallMs))),
    loadAndFirstCallMs: round(median(runs.map((r) => r.loadMs + r.firstCallMs))),
    secondCallMs: round(median(runs.map((r) => r.secondCallMs ?? Number.NaN))),
  };
}

/** Which commit "ours" is, and whether the working tree had changes then. */
function revision(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const changed = execFileSync("git", ["status", "--porcelain", "--", "handlers", "infra"], { cwd: root, encoding: "utf8" }).trim();
    return changed ? `${commit} with uncommitted changes in handlers/ or infra/` : commit;
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  mkdirSync(work, { recursive: true });
  process.env.LOG_LEVEL = "silent";
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const given = sampleArgument();
  const samplePresent = Boolean(given && existsSync(resolve(given)));
  if (!samplePresent) {
    console.log(`${given ? `AWS sample not found at ${given}` : "No AWS sample given (--aws-sample <path> or AWS_SAMPLE_START_CHAT)"}: comparing with our baseline (bench/baseline) instead. Get the sample: ${howToGetSample}`);
  }
  // Packaged before the local stack runs the handlers in this process: the serializer captures the
  // handlers' module state, which must still be as a fresh Lambda has it.
  const packages = await ourPackages();
  // The per-client limit on, as deployed (ChatApi's default), but high enough that the load runs
  // from this one machine are never refused: its counter write is part of what a new chat costs.
  // What is measured is our code, not Connect's rates (npm run bench:crowd meets those): limits off.
  const stack = await startLocalStack({ port: 0, quotas: "off", settings: { newChatsPerClientPerMinute: 1_000_000 } });
  try {
    const theirs = samplePresent ? await awsSample(stack, resolve(given!)) : await ownBaseline(stack);
    // Ours as deployed: logs at INFO (ChatApi's applicationLogLevel), to stdout like the sample's.
    const oursEnv = { ...stack.env, LOG_LEVEL: "info", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    const startChat = packages["start-chat"].entry;

    const ourZip = (name: string) => zipBytes(Object.values(packages[name].files));
    const theirFunctionZip = zipBytes([readFileSync(theirs.module)]);
    // The sample's function gets the SDK from its ChatSDK layer (ChatSDK.zip, "The AWS SDK including
    // Amazon Connect Chat APIs"); the aws-sdk v2 package stands in for that layer here.
    const theirLayerZip = zipBytes(filesUnder(join(root, "node_modules", "aws-sdk")));
    const packageSizes = {
      ours: {
        "start-chat": { zipBytes: ourZip("start-chat"), files: Object.keys(packages["start-chat"].files) },
        "transcript-landed": { zipBytes: ourZip("transcript-landed"), files: Object.keys(packages["transcript-landed"].files) },
      },
      theirs: { functionZipBytes: theirFunctionZip, layerZipBytes: theirLayerZip, withLayersZipBytes: theirFunctionZip + theirLayerZip, layer: "aws-sdk v2 package (stand-in for the sample's ChatSDK layer)" },
    };

    // Cold starts: a fresh process each, load + a new chat + a second new chat; ours and theirs
    // interleaved, alternating which goes first, after one unmeasured round each.
    const ours: ColdStart[] = [];
    const their: ColdStart[] = [];
    const runOurs = async (name: string) => expectStarted(await coldStart(startChat, oursEnv, [startChatEvent(name)], 2), "ours");
    const runTheirs = async (name: string) => expectStarted(await coldStart(theirs.module, theirs.env, [startChatEvent(name)], 2), theirs.label);
    await runOurs("Warm up ours %N%");
    await runTheirs("Warm up theirs %N%");
    for (let i = 0; i < coldRuns; i++) {
      const pair = [async () => ours.push(await runOurs(`Cold ours ${i} %N%`)), async () => their.push(await runTheirs(`Cold theirs ${i} %N%`))];
      for (const step of i % 2 ? pair.reverse() : pair) await step();
    }
    const oursCpu = expectStarted(await coldStart(startChat, oursEnv, [startChatEvent("Cpu ours %N%")], cpuRuns + 2), "ours");
    const theirCpu = expectStarted(await coldStart(theirs.module, theirs.env, [startChatEvent("Cpu theirs %N%")], cpuRuns + 2), theirs.label);

    // transcript-landed (ours only: the sample's counterpart is an S3-triggered DynamoDB update of its
    // own table, not measured here): one transcript of a chat started above, then a second.
    const landed: ColdStart[] = [];
    for (const run of ours) {
      const events = [run.first, run.second].map((result) => s3Notification([transcriptKey(contactIdOf(result))]));
      const result = await coldStart(packages["transcript-landed"].entry, oursEnv, events, 2);
      for (const answer of [result.first, result.second]) {
        if ((answer as { batchItemFailures?: unknown[] }).batchItemFailures?.length !== 0) throw new Error(`transcript-landed answered ${JSON.stringify(answer)}`);
      }
      // Both calls did the real work: each chat found and marked ended.
      const ended = result.logTail.match(/"outcome":"ended"/g)?.length ?? 0;
      if (ended !== 2) throw new Error(`transcript-landed marked ${ended} of 2 chats ended: ${result.logTail.slice(-500)}`);
      landed.push(result);
    }

    const latency = [];
    for (const level of loadLevels) latency.push(await load(stack, level));

    let token = "";
    let contactId = "";
    const post = async (body: unknown) => (await fetch(`${stack.url}/api/chat`, { method: "POST", body: JSON.stringify(body) })).json() as Promise<{ data: { resumeToken: string; startChatResult: { ContactId: string } } }>;
    const theirsOnce = (name: string) => coldStart(theirs.module, theirs.env, [startChatEvent(name)], 1);
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
      theirsNewChat: await callsFor(stack, () => theirsOnce("Calls theirs new")),
      // The same customer again: the sample answers its stored chat (the baseline starts a new one).
      theirsSameCustomerAgain: await callsFor(stack, () => theirsOnce("Calls theirs new")),
    };

    const site = buildSite(join(work, "site"));
    const siteSizes = siteBudgets(site);
    const oursCold = coldSummary(ours);
    const theirsCold = coldSummary(their);
    const oursCpuMs = round(median(oursCpu.cpuMs), 2);
    const theirsCpuMs = round(median(theirCpu.cpuMs), 2);
    const ratio = (a: number, b: number) => round(a / b, 2);
    const verdict = (met: boolean) => (met ? "met" : "missed");
    const results = {
      machine: "this machine (absolute times are its own; compare ratios)",
      node: process.version,
      ours: { revision: revision() },
      comparedWith: { kind: theirs.kind, label: theirs.label, ...theirs.about },
      packages: packageSizes,
      startChat: {
        runs: coldRuns,
        event: "the request the sample's page posts (InstanceId, ContactFlowId, ParticipantDetails, Username, Attributes.customerName, SupportedMessagingContentTypes), a new customer per call, as an API Gateway proxy event",
        ours: { ...oursCold, handlerCpuMsPerWarmRequest: oursCpuMs, logBytesPerRequest: round(oursCpu.logBytes / (cpuRuns + 2), 0) },
        theirs: { ...theirsCold, handlerCpuMsPerWarmRequest: theirsCpuMs, logBytesPerRequest: round(theirCpu.logBytes / (cpuRuns + 2), 0) },
        ratio: {
          loadMs: ratio(oursCold.loadMs, theirsCold.loadMs),
          firstCallMs: ratio(oursCold.firstCallMs, theirsCold.firstCallMs),
          loadAndFirstCallMs: ratio(oursCold.loadAndFirstCallMs, theirsCold.loadAndFirstCallMs),
          secondCallMs: ratio(oursCold.secondCallMs, theirsCold.secondCallMs),
          handlerCpuMsPerWarmRequest: ratio(oursCpuMs, theirsCpuMs),
          functionZipBytes: ratio(packageSizes.ours["start-chat"].zipBytes, theirFunctionZip),
          withLayersZipBytes: ratio(packageSizes.ours["start-chat"].zipBytes, packageSizes.theirs.withLayersZipBytes),
        },
      },
      transcriptLanded: { runs: coldRuns, event: "an S3 ObjectCreated notification of a transcript of a chat started above", ours: coldSummary(landed) },
      budgets: {
        startChatLoadAndFirstCall: { budget: `≤ ${budgets.loadAndFirstCallVsTheirs}× ${theirs.short}`, value: ratio(oursCold.loadAndFirstCallMs, theirsCold.loadAndFirstCallMs), verdict: verdict(oursCold.loadAndFirstCallMs <= budgets.loadAndFirstCallVsTheirs * theirsCold.loadAndFirstCallMs) },
        startChatZip: { budget: "≤ 256 KB", value: packageSizes.ours["start-chat"].zipBytes, verdict: verdict(packageSizes.ours["start-chat"].zipBytes <= budgets.zipBytesPerFunction) },
        transcriptLandedZip: { budget: "≤ 256 KB", value: packageSizes.ours["transcript-landed"].zipBytes, verdict: verdict(packageSizes.ours["transcript-landed"].zipBytes <= budgets.zipBytesPerFunction) },
        startChatSecondCall: { budget: `≤ ${budgets.secondCallVsTheirs}× ${theirs.short}`, value: ratio(oursCold.secondCallMs, theirsCold.secondCallMs), verdict: verdict(oursCold.secondCallMs <= budgets.secondCallVsTheirs * theirsCold.secondCallMs) },
      },
      latency,
      awsCallsPerRequest: calls,
      page: { firstLoadGzipBytes: siteSizes.firstLoad, largestLanguagePackGzipBytes: siteSizes.largestPack, withChatJsGzipBytes: siteSizes.withChatJs, msToReadyToChat: await pageReady(stack) },
    };
    writeFileSync(join(__dirname, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    print(results);
  } finally {
    await stack.close();
  }
}

function print(r: any): void { // eslint-disable-line @typescript-eslint/no-explicit-any -- the object built just above
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const times = (value: number) => `${value.toFixed(2)}×`;
  const ms = (value: number) => `${value} ms`;
  const budget = (b: { budget: string; verdict: string }) => `${b.budget}: ${b.verdict}`;
  const pageBudget = (bytes: number, kbLimit: number) => `≤ ${kbLimit} KB: ${bytes <= kbLimit * 1024 ? "met" : "missed"}`;
  const s = r.startChat;
  const isSample = r.comparedWith.kind === "aws-sample";
  const header = isSample ? "AWS sample" : "baseline*";
  const calls = r.awsCallsPerRequest;
  const rows: [string, string, string, string, string][] = [
    ["start-chat: module load (median)", ms(s.ours.loadMs), ms(s.theirs.loadMs), times(s.ratio.loadMs), ""],
    ["start-chat: first call, a new chat (median)", ms(s.ours.firstCallMs), ms(s.theirs.firstCallMs), times(s.ratio.firstCallMs), ""],
    ["start-chat: load + first call (median)", ms(s.ours.loadAndFirstCallMs), ms(s.theirs.loadAndFirstCallMs), times(s.ratio.loadAndFirstCallMs), budget(r.budgets.startChatLoadAndFirstCall)],
    ["start-chat: second (warm) call, a new chat (median)", ms(s.ours.secondCallMs), ms(s.theirs.secondCallMs), times(s.ratio.secondCallMs), budget(r.budgets.startChatSecondCall)],
    ["start-chat: handler CPU per warm request (median)", ms(s.ours.handlerCpuMsPerWarmRequest), ms(s.theirs.handlerCpuMsPerWarmRequest), times(s.ratio.handlerCpuMsPerWarmRequest), ""],
    ["start-chat: log bytes per request", `${s.ours.logBytesPerRequest} B`, `${s.theirs.logBytesPerRequest} B`, "", ""],
    ["start-chat: Lambda zip, function", kb(r.packages.ours["start-chat"].zipBytes), kb(r.packages.theirs.functionZipBytes), times(s.ratio.functionZipBytes), budget(r.budgets.startChatZip)],
    ["start-chat: Lambda zip, function + layers", kb(r.packages.ours["start-chat"].zipBytes), kb(r.packages.theirs.withLayersZipBytes), times(s.ratio.withLayersZipBytes), ""],
    ["transcript-landed: module load (median)", ms(r.transcriptLanded.ours.loadMs), "–", "", ""],
    ["transcript-landed: load + first call (median)", ms(r.transcriptLanded.ours.loadAndFirstCallMs), "–", "", ""],
    ["transcript-landed: second (warm) call (median)", ms(r.transcriptLanded.ours.secondCallMs), "–", "", ""],
    ["transcript-landed: Lambda zip", kb(r.packages.ours["transcript-landed"].zipBytes), "–", "", budget(r.budgets.transcriptLandedZip)],
    ["DynamoDB calls: new chat / resume / ended → new", `${calls.newChat.dynamodbCalls} / ${calls.resume.dynamodbCalls} / ${calls.endedThenNew.dynamodbCalls}`, `${calls.theirsNewChat.dynamodbCalls} / ${isSample ? calls.theirsSameCustomerAgain.dynamodbCalls : "–"} / –`, "", ""],
    ["Connect calls: new chat / resume / ended → new", `${calls.newChat.connectCalls} / ${calls.resume.connectCalls} / ${calls.endedThenNew.connectCalls}`, `${calls.theirsNewChat.connectCalls} / ${isSample ? calls.theirsSameCustomerAgain.connectCalls : "–"} / –`, "", ""],
    ["page JS + CSS, first load: launcher and form (gzip)", kb(r.page.firstLoadGzipBytes), "585 KB†", "", pageBudget(r.page.firstLoadGzipBytes, 15)],
    ["largest language pack (gzip)", kb(r.page.largestLanguagePackGzipBytes), "–", "", pageBudget(r.page.largestLanguagePackGzipBytes, 2)],
    ["page JS + CSS, once chatting (gzip)", kb(r.page.withChatJsGzipBytes), "585 KB†", "", pageBudget(r.page.withChatJsGzipBytes, 95)],
    ["page: navigation to ready to chat (median)", ms(r.page.msToReadyToChat), "–", "", ""],
  ];
  const notes = [
    isSample
      ? `${header}: ${r.comparedWith.label} (${r.comparedWith.source}, git blob ${String(r.comparedWith.gitBlobSha1).slice(0, 12)}), run as deployed: aws-sdk v2, its own logging; its layer's size stood in for by the aws-sdk v2 package`
      : `${header}: ${r.comparedWith.label} (${r.comparedWith.file}), NOT the AWS sample. Get the sample: ${r.comparedWith.howToGetTheSample}`,
    `Cold starts: a fresh Node process each, ${s.runs} rounds, ours and ${header} interleaved; the same request (the sample page's), a new customer per call; ours at log level INFO as deployed. ${isSample ? "Resume column for the sample: the same customer again (it answers the stored chat without asking Connect)." : ""}`.trim(),
    "† the sample's prebuilt widget, as design.md records it (not rebuilt here). Page budgets are www/build.ts's.",
  ];

  console.log(`\nours: ${r.ours.revision}; Node ${r.node}; compared with: ${r.comparedWith.label}\n`);
  const widths = [52, 12, 14, 7];
  console.log(`${"what".padEnd(widths[0])} ${"ours".padStart(widths[1])} ${header.padStart(widths[2])} ${"ratio".padStart(widths[3])}  budget`);
  for (const [what, ours, theirs, factor, goal] of rows) console.log(`${what.padEnd(widths[0])} ${ours.padStart(widths[1])} ${theirs.padStart(widths[2])} ${factor.padStart(widths[3])}  ${goal}`);
  for (const note of notes) console.log(note);
  console.log("\nstart-chat through POST /api/chat (new chats, this machine):");
  for (const level of r.latency) console.log(`  concurrency ${String(level.concurrency).padStart(2)}: p50 ${level.p50Ms} ms, p95 ${level.p95Ms} ms, p99 ${level.p99Ms} ms, ${level.requestsPerSecond} req/s`);

  const markdown = [
    `<!-- npm run bench${isSample ? " -- --aws-sample <path>" : ""}: ours ${r.ours.revision}, Node ${r.node}, compared with ${r.comparedWith.label} -->`,
    `| what | ours | ${header} | ours ÷ ${isSample ? "sample" : "baseline"} | budget |`,
    "| --- | ---: | ---: | ---: | --- |",
    ...rows.map((row) => `| ${row.map((cell) => cell || " ").join(" | ")} |`),
    "",
    ...notes.map((note) => `${note}\n`),
  ].join("\n");
  writeFileSync(join(work, "benchmarks.md"), markdown);
  console.log("\nwritten to bench/results.json (and the table as markdown to bench/.work/benchmarks.md)");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
