/**
 * Deploy-time settings of the start-chat function. ChatApi writes them into the function's
 * environment with `settingsToEnv`; the function reads them back with `settingsFromEnv`, so the
 * variable names live in one place.
 */
import { requireEnv, type Env } from "../env";

/**
 * How a new chat carries the customer's previous one along (StartChatContact's
 * `PersistentChat.RehydrationType`). An object and a type of one name, so the component schema
 * Pulumi infers from our types has it as an enum (the analyzer's `as const` pattern).
 */
export const RehydrationMode = {
  /** The previous chat's last segment: the conversation up to where it ended. */
  FromSegment: "FROM_SEGMENT",
  /** Every segment of the previous chat. */
  EntirePastSession: "ENTIRE_PAST_SESSION",
  /** Start afresh; nothing carried along. */
  None: "NONE",
} as const;
export type RehydrationMode = (typeof RehydrationMode)[keyof typeof RehydrationMode];
/** Message content types customers may use. */
export const ContentType = {
  TextPlain: "text/plain",
  TextMarkdown: "text/markdown",
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];
export type AuthMode = "anonymous" | "jwt";

export interface StartChatSettings {
  instanceId: string;
  contactFlowId: string;
  chatsTableName: string;
  /** Contact attributes a client may set (others are refused). */
  allowedAttributes: string[];
  /** Chat duration when the request names none, in minutes (60–10080). */
  chatDurationMinutes: number;
  /** The longest chat a request may ask for, in minutes: a request asking more gets this. */
  maxChatDurationMinutes: number;
  /**
   * Anonymous mode: how long after a chat ends its resume token may start a new chat that carries
   * it along, in minutes. After that the token is worthless and the customer starts afresh. 0: never.
   */
  continuationMinutes: number;
  /** New chats one client (IP address, or IPv6 /64) may start per minute; 0 turns the limit off. */
  newChatsPerClientPerMinute: number;
  /** Browser origins other than the API's own site that may start chats (CORS's allowedOrigins). */
  allowedOrigins: string[];
  /**
   * Behind ChatSite: the secrets CloudFront may send in the origin-secret header (the current one
   * and the one before it, during a rotation). Requests without one are refused. Empty: the API is
   * called directly, and the client is the connection's source address.
   */
  originSecrets: string[];
  /** How a new chat carries the customer's previous one along. */
  rehydration: RehydrationMode;
  /** Content types the customer's client may use; always includes text/plain. */
  contentTypes: ContentType[];
  /** Whether the Connect instance has attachments enabled (reported to the page). */
  attachments: boolean;
  /** `jwt`: the customer is the verified `sub` claim; `anonymous`: the resume token. */
  authMode: AuthMode;
  /**
   * Signed-in mode: the KMS key (ARN) that seals participant tokens in the chats table (seal.ts).
   * Anonymous mode seals them with the customer's resume token and needs none: "".
   */
  tokenKeyId: string;
  /** How long an agent username → user id lookup is remembered, in seconds. */
  agentCacheSeconds: number;
  /**
   * How long a returning customer's recorded chat is handed back as live without asking Connect
   * (`DescribeContact`), in seconds since it started or Connect last said it was live. 0 asks every
   * time. A chat that ended meanwhile costs the page one more request (it says so, `endedChat`),
   * and with the transcript watcher on most ended chats are marked ended before anyone returns.
   */
  liveCheckSeconds: number;
}

export const liveCheckSecondsMax = 3600;

export const chatDurationRange = { min: 60, max: 10080 } as const;
/**
 * A customer's record expires (table TTL) when their chat's duration runs out, at most 7 days after
 * it started; a longer continuation window would never be reached.
 */
export const continuationMinutesMax = chatDurationRange.max;
export const rehydrationModes: readonly RehydrationMode[] = Object.values(RehydrationMode);
export const contentTypes: readonly ContentType[] = Object.values(ContentType);
/** Attributes the function sets itself; a client may not set them. */
export const serverAttributes = ["agentId", "agentUsername"] as const;

const env = {
  instanceId: "CONNECT_INSTANCE_ID",
  contactFlowId: "CONNECT_CONTACT_FLOW_ID",
  chatsTableName: "CHATS_TABLE",
  allowedAttributes: "ALLOWED_ATTRIBUTES",
  chatDurationMinutes: "CHAT_DURATION_MINUTES",
  rehydration: "REHYDRATION",
  contentTypes: "CONTENT_TYPES",
  attachments: "ATTACHMENTS",
  authMode: "AUTH_MODE",
  tokenKeyId: "TOKEN_KEY_ID",
  agentCacheSeconds: "AGENT_CACHE_SECONDS",
  liveCheckSeconds: "LIVE_CHECK_SECONDS",
  maxChatDurationMinutes: "MAX_CHAT_DURATION_MINUTES",
  continuationMinutes: "CONTINUATION_MINUTES",
  newChatsPerClientPerMinute: "NEW_CHATS_PER_CLIENT_PER_MINUTE",
  allowedOrigins: "ALLOWED_ORIGINS",
  originSecrets: "ORIGIN_SECRETS",
} as const satisfies Record<keyof StartChatSettings, string>;

export function settingsToEnv(settings: StartChatSettings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, name] of Object.entries(env)) {
    const value = settings[key as keyof StartChatSettings];
    out[name] = Array.isArray(value) ? value.join(",") : String(value);
  }
  return out;
}

/** Reads and checks the settings; a bad deployment fails loudly at start, not per request. */
export function settingsFromEnv(source: Env = process.env): StartChatSettings {
  const read = (key: keyof typeof env): string => requireEnv(source, env[key], "start-chat");
  const list = (key: keyof typeof env) => read(key).split(",").map((item) => item.trim()).filter(Boolean);
  // A list may be empty, which settingsToEnv writes as "".
  const optionalList = (key: keyof typeof env) => source[env[key]] === "" ? [] : list(key);
  return checkSettings({
    instanceId: read("instanceId"),
    contactFlowId: read("contactFlowId"),
    chatsTableName: read("chatsTableName"),
    allowedAttributes: optionalList("allowedAttributes"),
    chatDurationMinutes: Number(read("chatDurationMinutes")),
    rehydration: read("rehydration") as RehydrationMode,
    contentTypes: list("contentTypes") as ContentType[],
    attachments: read("attachments") === "true",
    authMode: read("authMode") as AuthMode,
    // Signed-in mode cannot seal participant tokens without its key; anonymous mode may have none.
    tokenKeyId: read("authMode") === "jwt" || source[env.tokenKeyId] !== "" ? read("tokenKeyId") : "",
    agentCacheSeconds: Number(read("agentCacheSeconds")),
    liveCheckSeconds: Number(read("liveCheckSeconds")),
    maxChatDurationMinutes: Number(read("maxChatDurationMinutes")),
    continuationMinutes: Number(read("continuationMinutes")),
    newChatsPerClientPerMinute: Number(read("newChatsPerClientPerMinute")),
    allowedOrigins: optionalList("allowedOrigins"),
    originSecrets: optionalList("originSecrets"),
  });
}

/** What is wrong with the settings, each problem led by the setting's name; empty when nothing is. */
export function settingsProblems(settings: StartChatSettings): string[] {
  const problems: string[] = [];
  const { min, max } = chatDurationRange;
  if (!Number.isInteger(settings.chatDurationMinutes) || settings.chatDurationMinutes < min || settings.chatDurationMinutes > max) {
    problems.push(`chatDurationMinutes must be a whole number from ${min} to ${max}`);
  }
  // A maximum equal to the duration (its default) is wrong only when the duration is, said above.
  if (settings.maxChatDurationMinutes !== settings.chatDurationMinutes) {
    if (!Number.isInteger(settings.maxChatDurationMinutes) || settings.maxChatDurationMinutes < min || settings.maxChatDurationMinutes > max) {
      problems.push(`maxChatDurationMinutes must be a whole number from ${min} to ${max}`);
    } else if (settings.maxChatDurationMinutes < settings.chatDurationMinutes) {
      problems.push("maxChatDurationMinutes must be at least chatDurationMinutes");
    }
  }
  if (!Number.isInteger(settings.continuationMinutes) || settings.continuationMinutes < 0 || settings.continuationMinutes > continuationMinutesMax) {
    problems.push(`continuationMinutes must be a whole number from 0 to ${continuationMinutesMax}`);
  }
  if (!Number.isInteger(settings.newChatsPerClientPerMinute) || settings.newChatsPerClientPerMinute < 0) problems.push("newChatsPerClientPerMinute must be a whole number, 0 or more");
  if (settings.originSecrets.some((secret) => !/^[A-Za-z0-9]{32,}$/.test(secret))) problems.push("originSecrets must be letters and digits, 32 or more");
  if (!rehydrationModes.includes(settings.rehydration)) problems.push(`rehydration must be one of ${rehydrationModes.join(", ")}`);
  if (!settings.contentTypes.includes("text/plain") || settings.contentTypes.some((t) => !contentTypes.includes(t))) {
    problems.push(`contentTypes must include text/plain and only ${contentTypes.join(", ")}`);
  }
  if (settings.authMode !== "anonymous" && settings.authMode !== "jwt") problems.push("authMode must be anonymous or jwt");
  if (!Number.isFinite(settings.agentCacheSeconds) || settings.agentCacheSeconds < 0) problems.push("agentCacheSeconds must be 0 or more");
  if (!Number.isInteger(settings.liveCheckSeconds) || settings.liveCheckSeconds < 0 || settings.liveCheckSeconds > liveCheckSecondsMax) {
    problems.push(`liveCheckSeconds must be a whole number from 0 to ${liveCheckSecondsMax}`);
  }
  for (const name of settings.allowedAttributes) {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(name)) problems.push(`allowedAttributes: "${name}" is not a valid attribute name`);
    if ((serverAttributes as readonly string[]).includes(name)) problems.push(`allowedAttributes: "${name}" is set by the server`);
  }
  return problems;
}

/** Throws with the setting's name and the reason when a setting is out of range. */
function checkSettings(settings: StartChatSettings): StartChatSettings {
  const problems = settingsProblems(settings);
  if (problems.length) throw new Error(`start-chat settings: ${problems.join("; ")}`);
  return settings;
}
