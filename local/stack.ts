/**
 * The local stack on one port:
 * - `/` the customer site and `/agent` the agent console;
 * - `POST /api/chat` the start-chat handler, the deployed code;
 * - the Connect emulator: control plane under `/connect`, participant service and websocket under
 *   `/participant`, running our contact flows and writing transcripts when chats end;
 * - dynalite under `/dynamodb`, an S3 emulator under `/s3`, and KMS (Encrypt, Decrypt) under `/kms`,
 *   which seals signed-in customers' participant tokens.
 * The handlers find the emulators through AWS_ENDPOINT_URL_* like any SDK v3 client would.
 */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type IncomingMessage, type RequestListener } from "node:http";
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
import { lambdaRoute } from "./api-gateway";
import { createChatState } from "./chat-state";
import { createConnectEmulator, localAccount, localUserId, type ConnectEmulator } from "./connect-emulator";
import { createLocalDynamo, ensureChatsTable, type LocalDynamo } from "./dynamodb";
import { createFlowRunner } from "./flow-runner";
import { createParticipantService, type ParticipantService } from "./participant-service";
import { createKmsEmulator, type KmsEmulator } from "./kms-emulator";
import { createS3Emulator, type S3Emulator } from "./s3-emulator";
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
  allowedAttributes: ["customerName"],
  chatDurationMinutes: 1500,
  rehydration: "FROM_SEGMENT",
  contentTypes: ["text/plain", "text/markdown"],
  attachments: false,
  authMode: "anonymous",
  agentCacheSeconds: 300,
  tokenKeyId: `arn:aws:kms:us-east-1:${localAccount}:key/${localTokenKeyId}`,
  maxChatDurationMinutes: 1500,
  continuationMinutes: 60,
  // One machine is one client here, and the tests start thousands of chats from it; the limit's
  // own tests turn it on.
  newChatsPerClientPerMinute: 0,
  allowedOrigins: [],
  originSecrets: [],
};

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
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const allowedOrigins = options.allowedOrigins ?? [];
  const settings = { ...localSettings, allowedOrigins, ...options.settings };
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const dynamo = createLocalDynamo(options.dataDir && join(options.dataDir, "dynamodb"));
  const contactsFile = options.dataDir && join(options.dataDir, "connect-contacts.json");
  const s3 = createS3Emulator();
  // As a KMS key outlives a restart, so does this one with --data: sealed tokens still open.
  const kmsKeyFile = options.dataDir && join(options.dataDir, "kms-key");
  if (kmsKeyFile && !existsSync(kmsKeyFile)) writeFileSync(kmsKeyFile, randomBytes(32), { mode: 0o600 });
  const kms = createKmsEmulator({ region: "us-east-1", accountId: localAccount, keys: [{ id: localTokenKeyId, material: kmsKeyFile ? readFileSync(kmsKeyFile) : randomBytes(32) }] });
  const chats = createChatState();
  if (contactsFile && existsSync(contactsFile)) chats.restore(readFileSync(contactsFile, "utf8"));
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
  const emulator = createConnectEmulator({
    instanceId: settings.instanceId,
    contactFlowIds: [settings.contactFlowId],
    agents,
    chats,
    onChatStarted: (contact) => void runner.run(contact, contact.contactFlowId),
  });
  // Everything below needs the URL (the handlers find the emulators through the environment), so
  // the server listens first and gets its routes once they exist.
  let route: RequestListener = (_req, res) => void res.writeHead(503).end();
  let upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void = (_req, socket) => void socket.destroy();
  const server = createServer((req, res) => route(req, res));
  server.on("upgrade", (req, socket, head) => upgrade(req, socket, head));
  server.listen(options.port ?? 8080, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const env: Record<string, string> = {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
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
  const startChat = lambdaRoute(startChatLambda(), { cors: chatCors(allowedOrigins, false) });
  const participants = createParticipantService({
    chats,
    origin: url,
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
  const siteConfig = { apiUrl: "/api/chat", region: env.AWS_REGION, participantEndpoint: url };
  const built = buildSite(options.siteDir);
  const site = staticSite(built.dir, siteConfig, url, allowedOrigins);
  const agentConsole = staticSite(buildAgentConsole(built), siteConfig, url);

  route = (req, res) => {
    const path = new URL(req.url ?? "/", url).pathname;
    const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
    if (under("/dynamodb")) return void dynamo.handle(req, res);
    if (under("/kms")) return void kms.handle(req, res);
    if (under("/connect")) return void emulator.handle(req, res, path.slice("/connect".length));
    if (under("/s3")) return void s3.handle(req, res, (req.url ?? "").split("?")[0].slice("/s3".length));
    if (under("/participant")) return void participants.handle(req, res, path);
    if (under("/agent-api")) return void agentApi(req, res, path);
    if (under("/agent")) return agentConsole(req, res, path.slice("/agent".length) || "/");
    if (path === "/api/chat") {
      // API Gateway answers a preflight itself wherever CORS is configured.
      if (req.method === "POST" || req.method === "OPTIONS") return void startChat(req, res);
      return void res.writeHead(405, { "content-type": "application/json", allow: "POST" }).end(JSON.stringify({ error: { code: "METHOD_NOT_ALLOWED", message: "Use POST." } }));
    }
    site(req, res, path);
  };
  upgrade = (req, socket, head) => {
    if ((req.url ?? "").startsWith("/participant/ws")) participants.upgrade(req, socket, head);
    else socket.destroy();
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
    async close() {
      if (contactsFile) writeFileSync(contactsFile, chats.snapshot());
      participants.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await dynamo.close();
    },
  };
}
