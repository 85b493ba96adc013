/** The connect-chat stack: reads this stack's config and composes the components. */
import * as pulumi from "@pulumi/pulumi";
import { ChatAlarms, ChatApi, ChatSite, ContactFlows, TranscriptWatcher, type ChatSiteArgs } from "./infra";
import type { RehydrationMode } from "./handlers/start-chat/settings";
import { buildSite } from "./www/build";

const config = new pulumi.Config();
const instanceId = config.require("instanceId");
const jwtIssuer = config.get("jwtIssuer");
const logRetentionDays = config.getNumber("logRetentionDays");

// Our flows, unless the stack names a flow of its own.
const existingFlowId = config.get("contactFlowId");
const flows = existingFlowId ? undefined : new ContactFlows("flows", { instanceId, defaultQueueName: config.get("defaultQueueName") });

const chatApi = new ChatApi("chat", {
  instanceId,
  contactFlowId: flows ? flows.chatFlowId : (existingFlowId as string),
  allowedOrigins: config.getObject<string[]>("allowedOrigins") ?? [],
  allowedAttributes: config.getObject<string[]>("allowedAttributes"),
  chatDurationMinutes: config.getNumber("chatDurationMinutes"),
  rehydration: config.get("rehydration") as RehydrationMode | undefined,
  attachments: config.getBoolean("attachments"),
  jwt: jwtIssuer ? { issuer: jwtIssuer, audience: config.requireObject<string[]>("jwtAudience") } : undefined,
  throttle: config.getObject<{ rateLimit: number; burstLimit: number }>("throttle"),
  logRetentionDays,
  deletionProtection: config.getBoolean("deletionProtection"),
  reservedConcurrency: config.getNumber("reservedConcurrency"),
});

const transcriptBucket = config.get("transcriptBucket");
const watcher = transcriptBucket || config.getBoolean("manageTranscriptStorage")
  ? new TranscriptWatcher("transcripts", {
    chatsTable: { name: chatApi.tableName, arn: chatApi.tableArn },
    logRetentionDays,
    ...(transcriptBucket
      ? { existingStorage: { bucket: transcriptBucket, prefix: config.require("transcriptPrefix"), enableEventBridge: config.getBoolean("transcriptBucketEventBridge") } }
      : { manageTranscriptStorage: { instanceId } }),
  })
  : undefined;
if (!watcher) {
  pulumi.log.warn("No transcript storage configured (transcriptBucket or manageTranscriptStorage): chats are still resumed correctly, at one DescribeContact call per return.");
}

// The page reaches the API through its own origin (/api/chat): no CORS needed for it.
const siteDomainNames = config.getObject<string[]>("siteDomainNames");
const site = config.getBoolean("site") === false ? undefined : new ChatSite("site", {
  apiUrl: chatApi.url,
  // Built from www/ on every run, so a deploy never ships a stale page.
  siteDir: buildSite().dir,
  priceClass: config.get("sitePriceClass") as ChatSiteArgs["priceClass"],
  frameAncestors: config.getObject<string[]>("siteFrameAncestors"),
  domain: siteDomainNames ? { names: siteDomainNames, certificateArn: config.require("siteCertificateArn") } : undefined,
});

// Opt-in: alarms go to a topic of yours, or to one made here that mails alarmEmail.
const alarmTopicArn = config.get("alarmTopicArn");
const alarmEmail = config.get("alarmEmail");
const alarms = alarmTopicArn || alarmEmail ? new ChatAlarms("alarms", {
  chatApi: { apiId: chatApi.apiId, functionName: chatApi.functionName, tableName: chatApi.tableName },
  transcripts: watcher && { functionName: watcher.functionName, deadLetterQueueName: watcher.deadLetterQueueName },
  topicArn: alarmTopicArn,
  email: alarmEmail,
}) : undefined;

export const siteUrl = site?.url;
export const siteScriptUrl = site?.scriptUrl;
export const chatApiUrl = chatApi.url;
export const chatsTableName = chatApi.tableName;
export const startChatFunctionName = chatApi.functionName;
export const chatFlowId = flows ? flows.chatFlowId : existingFlowId;
export const disconnectFlowId = flows?.disconnectFlowId;
export const transcriptBucketName = watcher?.bucketName;
export const transcriptPrefix = watcher?.prefix;
export const transcriptDeadLetterQueueUrl = watcher?.deadLetterQueueUrl;
export const alarmsTopicArn = alarms?.topicArn;
