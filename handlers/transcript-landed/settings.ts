/** Deploy-time settings of the transcript-landed function; TranscriptWatcher writes them. */
import { requireEnv, type Env } from "../env";

export interface TranscriptSettings {
  /** The bucket Connect writes chat transcripts to. */
  bucket: string;
  /** Connect's chat-transcript prefix in that bucket, e.g. `connect/my-instance/ChatTranscripts`. */
  prefix: string;
  chatsTableName: string;
}

const env = { bucket: "TRANSCRIPT_BUCKET", prefix: "TRANSCRIPT_PREFIX", chatsTableName: "CHATS_TABLE" } as const;

export function transcriptSettingsToEnv(settings: TranscriptSettings): Record<string, string> {
  return { [env.bucket]: settings.bucket, [env.prefix]: settings.prefix, [env.chatsTableName]: settings.chatsTableName };
}

export function transcriptSettingsFromEnv(source: Env = process.env): TranscriptSettings {
  const read = (key: keyof typeof env) => requireEnv(source, env[key], "transcript-landed");
  return { bucket: read("bucket"), prefix: normalizePrefix(read("prefix")), chatsTableName: read("chatsTableName") };
}

/** `a/b/` and `/a/b` both mean the folder `a/b`. */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, "");
}
