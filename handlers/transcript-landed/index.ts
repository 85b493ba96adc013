/**
 * The transcript-landed Lambda. `transcriptLandedLambda` is the function's factory: TranscriptWatcher
 * serializes it as a Pulumi inline function and the local stack calls it directly.
 */
import type * as DynamoDB from "@aws-sdk/client-dynamodb";
import type * as S3 from "@aws-sdk/client-s3";
import { createLogger, type Logger } from "../log";
import { handleTranscriptLanded, type BatchResponse, type TranscriptLandedDeps } from "./handler";
import { s3TranscriptObjects } from "./objects";
import { transcriptSettingsFromEnv, type TranscriptSettings } from "./settings";
import { dynamoEndedChats } from "./store";

export { handleTranscriptLanded, type TranscriptLandedDeps } from "./handler";

const clientConfig = { maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true } };

export function createTranscriptLandedDeps(settings: TranscriptSettings, log: Logger): TranscriptLandedDeps {
  return {
    settings,
    log,
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at cold start
    chats: dynamoEndedChats(() => require("@aws-sdk/client-dynamodb") as typeof DynamoDB, settings.chatsTableName, clientConfig),
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- only for keys outside Connect's layout
    objects: s3TranscriptObjects(() => require("@aws-sdk/client-s3") as typeof S3, clientConfig),
  };
}

export function transcriptLandedLambda(): (event: unknown) => Promise<BatchResponse> {
  const deps = createTranscriptLandedDeps(transcriptSettingsFromEnv(), createLogger().child({ handler: "transcript-landed" }));
  return (event) => handleTranscriptLanded(event, deps);
}
