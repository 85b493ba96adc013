/**
 * The local stack on one port: the customer site at `/`, the start-chat handler behind
 * `POST /api/chat`, the Connect emulator under `/connect`, dynalite under `/dynamodb`, and an S3
 * emulator under `/s3`. The handler is the deployed code; it
 * finds the emulators through AWS_ENDPOINT_URL_CONNECT / AWS_ENDPOINT_URL_DYNAMODB like any SDK v3
 * client would.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startChatLambda } from "../handlers/start-chat";
import { settingsToEnv, type StartChatSettings } from "../handlers/start-chat/settings";
import agents from "./agents.json";
import { lambdaRoute } from "./api-gateway";
import { createConnectEmulator, type ConnectEmulator } from "./connect-emulator";
import { createLocalDynamo, ensureChatsTable, type LocalDynamo } from "./dynamodb";
import { createS3Emulator, type S3Emulator } from "./s3-emulator";
import { staticSite } from "./static-site";
import { buildSite } from "../www/build";

export const localInstanceId = "11111111-1111-4111-8111-111111111111";
export const localContactFlowId = "22222222-2222-4222-8222-222222222222";

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
  /** Keep DynamoDB data in this directory across restarts; in memory when omitted. */
  dataDir?: string;
  /** Where to build the customer site. Default www/dist. */
  siteDir?: string;
  settings?: Partial<StartChatSettings>;
}

export interface LocalStack {
  url: string;
  emulator: ConnectEmulator;
  dynamo: LocalDynamo;
  s3: S3Emulator;
  /** The environment the handler runs with; give it to another process to run the same. */
  env: Record<string, string>;
  settings: StartChatSettings;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const settings = { ...localSettings, ...options.settings };
  const dynamo = createLocalDynamo(options.dataDir);
  const s3 = createS3Emulator();
  const emulator = createConnectEmulator({ instanceId: settings.instanceId, contactFlowIds: [settings.contactFlowId], agents });
  // The handler reads its endpoints from the environment, which needs the port: set after listen.
  const routes: { chat?: ReturnType<typeof lambdaRoute>; site?: ReturnType<typeof staticSite> } = {};

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    if (path === "/dynamodb" || path.startsWith("/dynamodb/")) return dynamo.handle(req, res);
    if (path.startsWith("/connect/")) return void emulator.handle(req, res, path.slice("/connect".length));
    if (path.startsWith("/s3/")) return void s3.handle(req, res, (req.url ?? "").split("?")[0].slice("/s3".length));
    if (path === "/api/chat" && req.method === "POST" && routes.chat) return void routes.chat(req, res);
    if (path === "/api/chat") {
      res.writeHead(405, { "content-type": "application/json", allow: "POST" }).end(JSON.stringify({ error: { code: "METHOD_NOT_ALLOWED", message: "Use POST." } }));
      return;
    }
    if (routes.site) return routes.site(req, res, path);
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "NOT_FOUND", message: `Nothing at ${path}` } }));
  });
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
    ...settingsToEnv(settings),
  };
  Object.assign(process.env, env);
  const client = new DynamoDBClient({});
  await ensureChatsTable(client, settings.chatsTableName);
  client.destroy();
  routes.chat = lambdaRoute(startChatLambda());
  const site = buildSite(options.siteDir);
  routes.site = staticSite(site.dir, { apiUrl: "/api/chat", region: env.AWS_REGION, participantEndpoint: `${url}/participant` }, url);

  return {
    url,
    emulator,
    dynamo,
    s3,
    env,
    settings,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await dynamo.close();
    },
  };
}
