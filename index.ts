/** The connect-chat stack: reads this stack's config and composes the components. */
import * as pulumi from "@pulumi/pulumi";
import { ChatApi } from "./infra";
import type { RehydrationMode } from "./handlers/start-chat/settings";

const config = new pulumi.Config();
const jwtIssuer = config.get("jwtIssuer");

const chatApi = new ChatApi("chat", {
  instanceId: config.require("instanceId"),
  contactFlowId: config.require("contactFlowId"),
  allowedOrigins: config.getObject<string[]>("allowedOrigins") ?? [],
  allowedAttributes: config.getObject<string[]>("allowedAttributes"),
  chatDurationMinutes: config.getNumber("chatDurationMinutes"),
  rehydration: config.get("rehydration") as RehydrationMode | undefined,
  attachments: config.getBoolean("attachments"),
  jwt: jwtIssuer ? { issuer: jwtIssuer, audience: config.requireObject<string[]>("jwtAudience") } : undefined,
  throttle: config.getObject<{ rateLimit: number; burstLimit: number }>("throttle"),
  logRetentionDays: config.getNumber("logRetentionDays"),
  deletionProtection: config.getBoolean("deletionProtection"),
  reservedConcurrency: config.getNumber("reservedConcurrency"),
});

export const chatApiUrl = chatApi.url;
export const chatsTableName = chatApi.tableName;
export const startChatFunctionName = chatApi.functionName;
