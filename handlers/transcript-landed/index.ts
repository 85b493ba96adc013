/**
 * The transcript-landed Lambda. `transcriptLandedLambda` is the function's factory: TranscriptWatcher
 * serializes it as a Pulumi inline function and the local stack calls it directly.
 */
import { createLogger, type Logger } from "../log";
import { handleTranscriptLanded, type BatchResponse, type TranscriptLandedDeps } from "./handler";
import { s3TranscriptObjects } from "./objects";
import { transcriptSettingsFromEnv, type TranscriptSettings } from "./settings";
import { dynamoEndedChats } from "./store";

export { handleTranscriptLanded, type TranscriptLandedDeps } from "./handler";

const clientConfig = { maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true } };

/** The SDK commands transcript-landed uses (aws-sdk.ts), as a module or its bundle exports them. */
export type TranscriptLandedSdk = typeof import("./aws-sdk");

/**
 * The commands from the SDK packages: the local stack and the tests, which run from source. Node's
 * module cache keeps them; nothing here may hold them, or Pulumi would serialize the SDK with the
 * factory once the local stack has run it in the same process.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
const sdkFromPackages = () => require("./aws-sdk") as TranscriptLandedSdk;

export function createTranscriptLandedDeps(settings: TranscriptSettings, log: Logger, loadSdk: () => TranscriptLandedSdk = sdkFromPackages): TranscriptLandedDeps {
  return {
    settings,
    log,
    chats: dynamoEndedChats(() => loadSdk().dynamodb, settings.chatsTableName, clientConfig),
    // The S3 client only for keys outside Connect's layout.
    objects: s3TranscriptObjects(() => loadSdk().s3, clientConfig),
  };
}

/** The function: settings read and the SDK loaded once, at init, as start-chat's. `loadSdk`: the package's bundle. */
export function transcriptLandedLambda(loadSdk?: () => TranscriptLandedSdk): (event: unknown) => Promise<BatchResponse> {
  const sdk = (loadSdk ?? sdkFromPackages)();
  const deps = createTranscriptLandedDeps(transcriptSettingsFromEnv(), createLogger().child({ handler: "transcript-landed" }), () => sdk);
  return (event) => handleTranscriptLanded(event, deps);
}
