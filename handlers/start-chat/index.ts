/**
 * The start-chat Lambda. `startChatLambda` is the function's factory: ChatApi serializes it as a
 * Pulumi inline function (`callbackFactory`) and the local stack calls it directly, so both run
 * the same code. In Lambda the SDK is the bundle of `aws-sdk.ts` in the function's package, loaded
 * during init; locally, the same commands from the SDK packages.
 */
import type { HttpApiEvent, HttpApiResult } from "../http";
import { createLogger, type Logger } from "../log";
import { dynamoNewChatLimiter } from "./client-limit";
import { connectGateway } from "./connect";
import { handleStartChat, type StartChatDeps } from "./handler";
import { defaultRetryPolicy, retryTransient } from "./retry";
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

/** How long a throttled agent lookup is retried before the chat goes to the queue instead. */
const agentLookupRetryMs = 3000;

/** The SDK commands start-chat uses (aws-sdk.ts), as a module or its bundle exports them. */
export type StartChatSdk = typeof import("./aws-sdk");

/**
 * The commands from the SDK packages: the local stack and the tests, which run from source. Node's
 * module cache keeps them; nothing here may hold them, or Pulumi would serialize the SDK with the
 * factory once the local stack has run it in the same process.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
const sdkFromPackages = () => require("./aws-sdk") as StartChatSdk;

/** The handler's dependencies built on the real AWS SDK clients. */
export function createStartChatDeps(settings: StartChatSettings, log: Logger, awsConfig = clientConfig, loadSdk: () => StartChatSdk = sdkFromPackages): StartChatDeps {
  const dynamo = dynamoConnection(() => loadSdk().dynamodb, awsConfig);
  return {
    settings,
    log,
    now: Date.now,
    store: dynamoChatStore(dynamo, settings.chatsTableName),
    newChatLimiter: dynamoNewChatLimiter(dynamo, settings.chatsTableName, settings.newChatsPerClientPerMinute),
    // KMS only seals signed-in customers' tokens: an anonymous deployment never makes its client.
    tokens: tokenSeal({ loadSdk: () => loadSdk().kms, keyId: settings.tokenKeyId, clientConfig: awsConfig }),
    connect: connectGateway({
      loadSdk: () => loadSdk().connect,
      settings,
      // One attempt per send: the handler retries Connect itself (retry.ts), with jitter and
      // within the request's budget, rather than the SDK's retry on top of it doubling every call.
      clientConfig: { ...awsConfig, maxAttempts: 1 },
      onLookupError: (error) => log.warn("agent lookup failed; routing to the queue", { error }),
      // A few seconds at most: the start waits for the lookup, and the queue is a fine fallback.
      retryLookup: (lookup) => retryTransient(lookup, { deadline: Date.now() + agentLookupRetryMs, now: Date.now, policy: defaultRetryPolicy }),
    }),
  };
}

/**
 * The function: settings read and the SDK loaded once, at init (Lambda's init phase runs with a
 * CPU boost and is billed like the first request would be), never on a request's path.
 * `loadSdk`: the function package's bundle; by default the SDK packages.
 */
export function startChatLambda(loadSdk?: () => StartChatSdk): (event: HttpApiEvent) => Promise<HttpApiResult> {
  const sdk = (loadSdk ?? sdkFromPackages)();
  const deps = createStartChatDeps(settingsFromEnv(), createLogger().child({ handler: "start-chat" }), clientConfig, () => sdk);
  return (event) => handleStartChat(event, deps);
}
