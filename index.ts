/** The connect-chat stack: reads this stack's config and composes the components. */
import * as pulumi from "@pulumi/pulumi";
import { ChatAlarms, ChatApi, ChatSite, ContactFlows, OriginSecret, TranscriptWatcher, type PriceClass, type RehydrationMode } from "./infra";
import { buildSite } from "./www/build";
import { pageContextFor } from "./www/src/page-context";

const config = new pulumi.Config();
// Pulumi.yaml gives each optional key a default that means "unset" ("", [] or -1), because the CLI
// refuses a stack that lacks a typed key with no default. These read such a key back as undefined.
const optionalText = (key: string) => config.get(key) || undefined;
const optionalList = (key: string) => {
  const list = config.getObject<string[]>(key);
  return list?.length ? list : undefined;
};
/** Ends the run with this sentence and no stack trace (RunError). */
const fail = (message: string): never => {
  throw new pulumi.RunError(message);
};
/** A key that another key's value makes necessary. */
const requiredWith = (key: string, reason: string) => optionalText(key) ?? fail(`${key} is required with ${reason}: pulumi config set ${key} <value>`);

const instanceId = config.require("instanceId");
const jwtIssuer = optionalText("jwtIssuer");
const logRetentionDays = config.getNumber("logRetentionDays");
const reservedConcurrency = config.getNumber("reservedConcurrency");

// Our flows, unless the stack names a flow of its own.
const existingFlowId = optionalText("contactFlowId");
const flows = existingFlowId ? undefined : new ContactFlows("flows", { instanceId, defaultQueueName: config.get("defaultQueueName") });

// With the site, the API sits behind its CloudFront, and a secret CloudFront adds proves it: the
// API's own URL then refuses direct callers, and limits count the viewer, not the edge.
const deploySite = config.getBoolean("site") !== false;
const originSecret = deploySite ? new OriginSecret("origin-secret", { rotation: config.getNumber("originSecretRotation") }) : undefined;
const maxChatDurationMinutes = config.getNumber("maxChatDurationMinutes");
const allowedOrigins = config.getObject<string[]>("allowedOrigins") ?? [];
const allowedAttributes = config.getObject<string[]>("allowedAttributes");

const transcriptBucket = optionalText("transcriptBucket");
const manageTranscriptStorage = !transcriptBucket && config.getBoolean("manageTranscriptStorage");
// The transcript watcher marks chats ended as their transcripts land, so a returning customer's
// recorded chat may be trusted for longer before Connect is asked again (ChatApi liveCheckSeconds).
const watchingTranscripts = Boolean(transcriptBucket || manageTranscriptStorage);

const chatApi = new ChatApi("chat", {
  instanceId,
  contactFlowId: flows ? flows.chatFlowId : (existingFlowId as string),
  allowedOrigins,
  allowedAttributes,
  chatDurationMinutes: config.getNumber("chatDurationMinutes"),
  maxChatDurationMinutes: maxChatDurationMinutes === -1 ? undefined : maxChatDurationMinutes,
  continuationMinutes: config.getNumber("continuationMinutes"),
  newChatsPerClientPerMinute: config.getNumber("newChatsPerClientPerMinute"),
  originSecrets: originSecret?.accepted,
  rehydration: config.get("rehydration") as RehydrationMode | undefined,
  attachments: config.getBoolean("attachments"),
  jwt: jwtIssuer ? { issuer: jwtIssuer, audience: optionalList("jwtAudience") ?? fail("jwtAudience is required with jwtIssuer: pulumi config set --path 'jwtAudience[0]' <app client id>") } : undefined,
  throttle: config.getObject<{ rateLimit: number; burstLimit: number }>("throttle"),
  logRetentionDays,
  deletionProtection: config.getBoolean("deletionProtection"),
  reservedConcurrency: reservedConcurrency === -1 ? undefined : reservedConcurrency,
  liveCheckSeconds: watchingTranscripts ? 300 : undefined,
});

// Retention and encryption are settings of the bucket the stack creates; another bucket keeps its own.
const keptTranscriptDays = config.getNumber("transcriptRetentionDays");
const transcriptRetentionDays = keptTranscriptDays === -1 ? undefined : keptTranscriptDays;
const transcriptKms = config.getBoolean("transcriptKms");
if (!manageTranscriptStorage && transcriptRetentionDays !== undefined) fail("transcriptRetentionDays applies only with manageTranscriptStorage (the bucket this stack creates): set it on your own bucket's lifecycle rules");
if (!manageTranscriptStorage && transcriptKms) fail("transcriptKms applies only with manageTranscriptStorage (the bucket this stack creates): set the key in the instance's Data storage settings");
const watcher = watchingTranscripts
  ? new TranscriptWatcher("transcripts", {
    chatsTable: { name: chatApi.tableName, arn: chatApi.tableArn },
    logRetentionDays,
    ...(transcriptBucket
      ? { existingStorage: { bucket: transcriptBucket, prefix: requiredWith("transcriptPrefix", "transcriptBucket"), enableEventBridge: config.getBoolean("transcriptBucketEventBridge") } }
      : { manageTranscriptStorage: { instanceId, retentionDays: transcriptRetentionDays, kms: transcriptKms ? {} : undefined } }),
  })
  : undefined;
if (!watcher) {
  pulumi.log.warn("No transcript storage configured (transcriptBucket or manageTranscriptStorage): a returning customer's chat is checked with Connect every minute instead of every 5 minutes, and an ended chat is found only when its customer returns.");
}

// The page reaches the API through its own origin (/api/chat): no CORS needed for it.
const siteDomainNames = optionalList("siteDomainNames");
const site = !deploySite ? undefined : new ChatSite("site", {
  apiUrl: chatApi.url,
  apiOriginSecret: originSecret?.current,
  // Built from www/ on every run, so a deploy never ships a stale page.
  siteDir: buildSite().dir,
  priceClass: config.get("sitePriceClass") as PriceClass | undefined,
  frameAncestors: config.getObject<string[]>("siteFrameAncestors"),
  // The pages allowed to call the API may embed the widget too: its config.json answers them.
  embedOrigins: allowedOrigins,
  // The widget sends the page-context attributes (pageUrl, pageTitle) the API allows, and only those.
  pageContext: pageContextFor(allowedAttributes),
  domain: siteDomainNames ? { names: siteDomainNames, certificateArn: requiredWith("siteCertificateArn", "siteDomainNames") } : undefined,
  waf: config.getBoolean("siteWaf") ? { apiRequestsPer5Minutes: config.getNumber("siteWafRateLimit"), managedRules: config.getBoolean("siteWafManagedRules") } : undefined,
});
if (!site && config.getBoolean("siteWaf")) fail("siteWaf needs the site (site: true): AWS WAF attaches to its CloudFront distribution, and the API is reached through it");

// Opt-in: alarms go to a topic of yours, or to one made here that mails alarmEmail.
const alarmTopicArn = optionalText("alarmTopicArn");
const alarmEmail = optionalText("alarmEmail");
const alarms = alarmTopicArn || alarmEmail ? new ChatAlarms("alarms", {
  chatApi: { apiId: chatApi.apiId, functionName: chatApi.functionName, tableName: chatApi.tableName },
  transcripts: watcher && { functionName: watcher.functionName, deadLetterQueueName: watcher.deadLetterQueueName },
  topicArn: alarmTopicArn,
  email: alarmEmail,
  instanceId,
  activeChatsPercent: config.getNumber("alarmActiveChatsPercent"),
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
