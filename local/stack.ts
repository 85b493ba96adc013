/**
 * The local stack on one port:
 * - `/` the customer site and `/agent` the agent console;
 * - `POST /api/chat` the start-chat handler, the deployed code;
 * - the Connect emulator: control plane under `/connect`, participant service and websocket under
 *   `/participant`, running our contact flows and writing transcripts when chats end;
 * - dynalite under `/dynamodb`, an S3 emulator under `/s3`, and KMS (Encrypt, Decrypt) under `/kms`,
 *   which seals signed-in customers' participant tokens.
 * The handlers find the emulators through AWS_ENDPOINT_URL_* like any SDK v3 client would.
 * In front of every route (http-guard.ts): only loopback Hosts are served, and each request has an
 * error boundary, so no request ends the process.
 */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { fillFlow, readFlow, type Flow } from "../contact-flows/flows";
import { startChatLambda } from "../handlers/start-chat";
import { chatCors } from "../handlers/start-chat/cors";
import { settingsToEnv, type StartChatSettings } from "../handlers/start-chat/settings";
import { transcriptLandedLambda } from "../handlers/transcript-landed";
import { transcriptSettingsToEnv } from "../handlers/transcript-landed/settings";
import { buildSite } from "../www/build";
import { createAgentApi } from "./agent-api";
import agents from "./agents.json";
import { buildAgentConsole } from "./agent-console/build";
import { pageContextFor } from "../www/src/page-context";
import { lambdaRoute } from "./api-gateway";
import { createChatState } from "./chat-state";
import { createConnectEmulator, localAccount, localUserId, type ConnectEmulator } from "./connect-emulator";
import { resolveQuotas, type ConnectQuotas, type QuotaSetting } from "./connect-quotas";
import { createLocalDynamo, ensureChatsTable, type LocalDynamo } from "./dynamodb";
import { createFaultSwitches } from "./fault-switches";
import { createFlowRunner } from "./flow-runner";
import { guardServer, pathOf, refuseUpgrade } from "./http-guard";
import { createLocalIssuer, demoCustomer, type LocalIssuer } from "./issuer";
import { createParticipantService, type ParticipantService } from "./participant-service";
import { createKmsEmulator, type KmsEmulator } from "./kms-emulator";
import { createS3Emulator, type S3Emulator } from "./s3-emulator";
import { signedInPage } from "./signed-in-page";
import { staticSite } from "./static-site";
import { createTranscriptWriter } from "./transcripts";

export const localInstanceId = "11111111-1111-4111-8111-111111111111";
export const localContactFlowId = "22222222-2222-4222-8222-222222222222";
export const localDisconnectFlowId = "33333333-3333-4333-8333-333333333333";
export const localQueueId = "44444444-4444-4444-8444-444444444444";
/** The KMS key ChatApi would create in signed-in mode; anonymous mode leaves it unused. */
export const localTokenKeyId = "55555555-5555-4555-8555-555555555555";

export const localSettings: StartChatSettings = {
  instanceId: localInstanceId,
  contactFlowId: localContactFlowId,
  chatsTableName: "connect-chat-local-chats",
  // pageUrl: the widget sends the page a chat starts from, as a deployment that allows it gets.
  allowedAttributes: ["customerName", "pageUrl"],
  chatDurationMinutes: 1500,
  rehydration: "FROM_SEGMENT",
  contentTypes: ["text/plain", "text/markdown"],
  attachments: false,
  authMode: "anonymous",
  agentCacheSeconds: 300,
  // As a deployment with the transcript watcher: here transcripts land the moment a chat ends.
  liveCheckSeconds: 300,
  tokenKeyId: `arn:aws:kms:us-east-1:${localAccount}:key/${localTokenKeyId}`,
  maxChatDurationMinutes: 1500,
  continuationMinutes: 60,
  // One machine is one client here, and the tests start thousands of chats from it; the limit's
  // own tests turn it on.
  newChatsPerClientPerMinute: 0,
  allowedOrigins: [],
  originSecrets: [],
};

/** The local AWS credentials: every handler signs with them, and the Connect emulator accepts no others. */
export const localCredentials = { accessKeyId: "local", secretAccessKey: "local" } as const;

/** Where the local Connect instance "writes" chat transcripts, in Connect's layout. */
export const localTranscriptSettings = {
  bucket: "connect-chat-local-transcripts",
  prefix: "connect/local/ChatTranscripts",
  chatsTableName: localSettings.chatsTableName,
};

export interface LocalStackOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Keep the chats (DynamoDB and the Connect emulator's contacts) in this directory across restarts; in memory when omitted. */
  dataDir?: string;
  /** Where to build the customer site. Default www/dist. */
  siteDir?: string;
  /** The longest a flow's Wait lasts, in ms. Default: as the flow says (8 h for the disconnect flow). */
  maxWaitMs?: number;
  /**
   * Pages on these origins may embed the chat (`npm start -- --allow-origin`): the API answers them
   * with CORS as ChatApi's `allowedOrigins` makes API Gateway do, the function lets them start
   * chats, and config.json answers them as ChatSite's `embedOrigins` makes CloudFront do.
   */
  allowedOrigins?: string[];
  /**
   * `npm start -- --attachments`: true turns attachments on (the API's featurePermissions.ATTACHMENTS,
   * the participant service's uploads, the agent console's Attach button); false turns them off
   * everywhere. Unset: as `settings` has it (off locally). The participant service reads the
   * returned `settings.attachments` on every call, as Connect reads its instance's setting.
   */
  attachments?: boolean;
  /** `--interactive`: agents may send interactive messages (list pickers, quick replies, time pickers), and the console offers them. */
  interactive?: boolean;
  /**
   * `--signed-in`: signed-in mode with a local issuer (`<url>/issuer`, audience connect-chat-local):
   * API Gateway's JWT authorizer before the API, the API in authMode "jwt", and `/signed-in`, the
   * chat page signed in as the demo customer.
   */
  signedIn?: boolean;
  /** Told what the fault switches (`/local/faults`) are, each time they change. */
  onFaultsChanged?: (description: string) => void;
  /**
   * Connect's limits, which the emulator enforces (connect-quotas.ts): the control plane's and the
   * participant service's API rates and the concurrent active chat quota. Default "default":
   * Connect's defaults for a new account; "off": none; or overrides of some (`--quota`).
   */
  quotas?: QuotaSetting;
  /** The clock the rate limits' token buckets run on, in milliseconds. Default performance.now; tests pass their own. */
  quotaClock?: () => number;
  settings?: Partial<StartChatSettings>;
}

export interface LocalStack {
  url: string;
  emulator: ConnectEmulator;
  participants: ParticipantService;
  dynamo: LocalDynamo;
  s3: S3Emulator;
  kms: KmsEmulator;
  transcripts: ReturnType<typeof createTranscriptWriter>;
  /** Flows that failed (an action the runner does not know, say). */
  flowErrors: Error[];
  /** The environment the handler runs with; give it to another process to run the same. */
  env: Record<string, string>;
  settings: StartChatSettings;
  /** Signed-in mode: the local issuer, and a token it made for the demo customer. */
  signedIn?: { issuer: LocalIssuer; demoToken: string; expires: Date };
  /** The switches `/local/faults` flips. */
  faults: ReturnType<typeof createFaultSwitches>;
  /**
   * Puts other limits in force in the Connect emulator and its participant service at once, every
   * token bucket full again. Throws, changing nothing, on a value no bucket can have. `now`: the
   * buckets' clock from now on (default: the stack's).
   */
  setQuotas(setting: QuotaSetting, now?: () => number): void;
  /** The limits in force ("off" when there are none): describeQuotas(stack.quotas()) says them in a line. */
  quotas(): ConnectQuotas | "off";
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const allowedOrigins = options.allowedOrigins ?? [];
  const settings: StartChatSettings = {
    ...localSettings,
    allowedOrigins,
    ...(options.attachments !== undefined && { attachments: options.attachments }),
    ...(options.signedIn && { authMode: "jwt" as const }),
    ...options.settings,
  };
  if (options.dataDir) {
    // It holds participant tokens and the KMS key: the user's alone (0700), whoever made it.
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(options.dataDir, 0o700);
  }
  const dynamo = createLocalDynamo(options.dataDir && join(options.dataDir, "dynamodb"));
  const contactsFile = options.dataDir && join(options.dataDir, "connect-contacts.json");
  const s3 = createS3Emulator();
  // As a KMS key outlives a restart, so does this one with --data: sealed tokens still open.
  const kmsKeyFile = options.dataDir && join(options.dataDir, "kms-key");
  if (kmsKeyFile && !existsSync(kmsKeyFile)) writeFileSync(kmsKeyFile, randomBytes(32), { mode: 0o600 });
  const kms = createKmsEmulator({ region: "us-east-1", accountId: localAccount, keys: [{ id: localTokenKeyId, material: kmsKeyFile ? readFileSync(kmsKeyFile) : randomBytes(32) }] });
  const chats = createChatState();
  // Restored, then every change written through (chat-state.ts): a kill -9 loses nothing.
  if (contactsFile) chats.persistTo(contactsFile);
  const flowErrors: Error[] = [];
  const instanceArn = `arn:aws:connect:us-east-1:${localAccount}:instance/${settings.instanceId}`;
  const flowArn = (id: string) => `${instanceArn}/contact-flow/${id}`;
  const queueArn = `${instanceArn}/queue/${localQueueId}`;
  // The flows as ContactFlows deploys them, filled in with this instance's ARNs.
  const flows = new Map<string, Flow>();
  const chatFlow = fillFlow(readFlow("chat"), { DEFAULT_QUEUE_ARN: queueArn, DISCONNECT_FLOW_ARN: flowArn(localDisconnectFlowId) });
  const disconnectFlow = fillFlow(readFlow("chat-disconnect"), { DEFAULT_QUEUE_ARN: queueArn });
  for (const [id, flow] of [[settings.contactFlowId, chatFlow], [localDisconnectFlowId, disconnectFlow]] as const) {
    flows.set(id, flow);
    flows.set(flowArn(id), flow);
  }
  const runner = createFlowRunner({
    chats,
    flows,
    agentIds: new Set(agents.map((agent) => localUserId(agent.username))),
    queueIds: new Set([localQueueId, queueArn]),
    maxWaitMs: options.maxWaitMs ?? Number.MAX_SAFE_INTEGER,
    onError: (contact, error) => {
      flowErrors.push(error);
      console.error(`contact ${contact.id}: ${error.message}`);
    },
  });
  const quotaClock = options.quotaClock ?? (() => performance.now());
  // One clock for both services, which setQuotas can replace (a test's own), read at every call.
  let quotaNow = quotaClock;
  const now = () => quotaNow();
  const emulator = createConnectEmulator({
    quotas: options.quotas ?? "default",
    now,
    instanceId: settings.instanceId,
    contactFlowIds: [settings.contactFlowId],
    agents,
    chats,
    onChatStarted: (contact) => void runner.run(contact, contact.contactFlowId),
    // The credentials the handlers sign with (env below): the control plane checks SigV4 with them.
    credentials: localCredentials,
  });
  // Everything below needs the URL (the handlers find the emulators through the environment), so
  // the server listens first and gets its routes once they exist.
  // Routes return their promises: the guard answers whatever they throw or reject with (http-guard.ts).
  let route: (req: IncomingMessage, res: ServerResponse) => unknown = (_req, res) => void res.writeHead(503).end();
  let upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void = (_req, socket) => void socket.destroy();
  const server = createServer();
  guardServer(server, { request: (req, res) => route(req, res), upgrade: (req, socket, head) => upgrade(req, socket, head) });
  server.listen(options.port ?? 8080, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const env: Record<string, string> = {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: `${url}/dynamodb`,
    AWS_ENDPOINT_URL_CONNECT: `${url}/connect`,
    AWS_ENDPOINT_URL_S3: `${url}/s3`,
    AWS_ENDPOINT_URL_KMS: `${url}/kms`,
    AWS_ENDPOINT_URL_CONNECTPARTICIPANT: url,
    ...settingsToEnv(settings),
    ...transcriptSettingsToEnv(localTranscriptSettings),
  };
  Object.assign(process.env, env);

  // API Gateway's CORS as ChatApi configures it: the stack's own page is same-origin; embedding
  // pages are on the allowed origins.
  // Signed-in mode: API Gateway's JWT authorizer, trusting the local issuer.
  const issuer = options.signedIn ? createLocalIssuer(url) : undefined;
  const demo = issuer?.token(demoCustomer);
  const startChat = lambdaRoute(startChatLambda(), {
    cors: chatCors(allowedOrigins, Boolean(issuer)),
    ...(issuer && { jwt: { issuer: issuer.issuer, audience: [issuer.audience], keys: issuer.keys } }),
  });
  const participants = createParticipantService({
    quotas: options.quotas ?? "default",
    now,
    chats,
    origin: url,
    // The instance's attachments switch: the stack's settings, read on every call (--attachments sets it).
    settings,
    interactive: Boolean(options.interactive),
    // The customer-remaining hook the chat flow set, else the chat is over.
    onAgentLeft: (contact) => (contact.hooks.CustomerRemaining ? void runner.run(contact, contact.hooks.CustomerRemaining) : chats.end(contact)),
  });
  const transcriptLanded = transcriptLandedLambda();
  const transcripts = createTranscriptWriter({
    chats,
    s3,
    ...localTranscriptSettings,
    instanceId: settings.instanceId,
    accountId: localAccount,
    deliver: (event) => transcriptLanded(event),
    onError: (error) => console.error(`transcript not delivered: ${error.message}`),
  });
  const agentApi = createAgentApi({ chats, agents });
  const siteConfig = { apiUrl: "/api/chat", region: env.AWS_REGION, participantEndpoint: url, pageContext: pageContextFor(settings.allowedAttributes) };
  const built = buildSite(options.siteDir);
  const site = staticSite(built.dir, siteConfig, url, allowedOrigins);
  // The console's config.json also says which tools the agent has.
  const agentConsole = staticSite(buildAgentConsole(built), { ...siteConfig, attachments: settings.attachments, interactive: Boolean(options.interactive) }, url);
  const signedInSite = demo && signedInPage(url, demo.token);
  const faults = createFaultSwitches({ emulator, participants, onChange: options.onFaultsChanged });

  route = (req, res) => {
    const path = pathOf(req);
    const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
    if (under("/dynamodb")) {
      // The fault switch: DynamoDB's own answer to a failure on its side (the SDK retries it, then gives up).
      if (faults.dynamodbFails()) {
        return void res.writeHead(500, { "content-type": "application/x-amz-json-1.0" })
          .end(JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: "Internal server error (local fault switch)" }));
      }
      return dynamo.handle(req, res);
    }
    if (path === "/local/faults") return faults.handle(req, res);
    if (issuer && under("/issuer")) return issuer.handle(req, res, path);
    if (signedInSite && under("/signed-in")) return signedInSite(req, res, path);
    if (under("/kms")) return kms.handle(req, res);
    if (under("/connect")) return emulator.handle(req, res, path.slice("/connect".length));
    if (under("/s3")) return s3.handle(req, res, (req.url ?? "").split("?")[0].slice("/s3".length));
    if (under("/participant")) return participants.handle(req, res, path);
    if (under("/agent-api")) return agentApi(req, res, path);
    if (under("/agent")) return agentConsole(req, res, path.slice("/agent".length) || "/");
    if (path === "/api/chat") {
      // API Gateway answers a preflight itself wherever CORS is configured.
      if (req.method === "POST" || req.method === "OPTIONS") return startChat(req, res);
      return void res.writeHead(405, { "content-type": "application/json", allow: "POST" }).end(JSON.stringify({ error: { code: "METHOD_NOT_ALLOWED", message: "Use POST." } }));
    }
    site(req, res, path);
  };
  upgrade = (req, socket, head) => {
    if (pathOf(req) === "/participant/ws") participants.upgrade(req, socket, head);
    else refuseUpgrade(socket, 404, "NOT_FOUND", "Only /participant/ws takes an upgrade: the participant websocket.");
  };
  const client = new DynamoDBClient({});
  await ensureChatsTable(client, settings.chatsTableName);
  client.destroy();

  return {
    url,
    emulator,
    participants,
    dynamo,
    s3,
    kms,
    transcripts,
    flowErrors,
    env,
    settings,
    ...(issuer && demo && { signedIn: { issuer, demoToken: demo.token, expires: demo.expires } }),
    faults,
    setQuotas(setting, clock) {
      resolveQuotas(setting); // throws on a bad value before either service changes
      quotaNow = clock ?? quotaClock;
      emulator.setQuotas(setting);
      participants.setQuotas(setting);
    },
    quotas: () => emulator.quotas() ?? "off",
    async close() {
      participants.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await dynamo.close();
    },
  };
}
