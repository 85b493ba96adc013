/**
 * The start-chat Lambda. `startChatLambda` is the function's factory: ChatApi serializes it as a
 * Pulumi inline function (`callbackFactory`) and the local stack calls it directly, so both run
 * the same code. The AWS SDK comes from the Lambda runtime and is loaded on first use.
 */
import type * as Connect from "@aws-sdk/client-connect";
import type * as DynamoDB from "@aws-sdk/client-dynamodb";
import type * as KMS from "@aws-sdk/client-kms";
import type { HttpApiEvent, HttpApiResult } from "../http";
import { createLogger, type Logger } from "../log";
import { dynamoNewChatLimiter } from "./client-limit";
import { connectGateway } from "./connect";
import { handleStartChat, type StartChatDeps } from "./handler";
import { tokenSeal } from "./seal";
import { settingsFromEnv, type StartChatSettings } from "./settings";
import { dynamoChatStore, dynamoConnection } from "./store";

export { handleStartChat, type StartChatDeps } from "./handler";

/**
 * Bounds each AWS call at about 2 × 3 s, so a call that hangs ends in our JSON error rather than a
 * gateway timeout. A start makes up to 7 calls in turn (a signed-in first chat: read, count, claim,
 * agent lookup, start, seal, record): only if four or more of them each time out twice can the
 * function's 29 s run out first. A deadline shared by the whole request would close that gap.
 */
const clientConfig = { maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true } };

/** The handler's dependencies built on the real AWS SDK clients. */
export function createStartChatDeps(settings: StartChatSettings, log: Logger, awsConfig = clientConfig): StartChatDeps {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at cold start
  const dynamo = dynamoConnection(() => require("@aws-sdk/client-dynamodb") as typeof DynamoDB, awsConfig);
  return {
    settings,
    log,
    now: Date.now,
    store: dynamoChatStore(dynamo, settings.chatsTableName),
    newChatLimiter: dynamoNewChatLimiter(dynamo, settings.chatsTableName, settings.newChatsPerClientPerMinute),
    // KMS only seals signed-in customers' tokens: an anonymous deployment never loads its client.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at cold start
    tokens: tokenSeal({ loadSdk: () => require("@aws-sdk/client-kms") as typeof KMS, keyId: settings.tokenKeyId, clientConfig: awsConfig }),
    connect: connectGateway({
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at cold start
      loadSdk: () => require("@aws-sdk/client-connect") as typeof Connect,
      settings,
      clientConfig: awsConfig,
      onLookupError: (error) => log.warn("agent lookup failed; routing to the queue", { error }),
    }),
  };
}

export function startChatLambda(): (event: HttpApiEvent) => Promise<HttpApiResult> {
  const deps = createStartChatDeps(settingsFromEnv(), createLogger().child({ handler: "start-chat" }));
  return (event) => handleStartChat(event, deps);
}
