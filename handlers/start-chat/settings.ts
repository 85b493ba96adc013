/**
 * Deploy-time settings of the start-chat function. ChatApi writes them into the function's
 * environment with `settingsToEnv`; the function reads them back with `settingsFromEnv`, so the
 * variable names live in one place.
 */
import { requireEnv, type Env } from "../env";

export type RehydrationMode = "FROM_SEGMENT" | "ENTIRE_PAST_SESSION" | "NONE";
export type ContentType = "text/plain" | "text/markdown";
export type AuthMode = "anonymous" | "jwt";

export interface StartChatSettings {
  instanceId: string;
  contactFlowId: string;
  chatsTableName: string;
  /** Contact attributes a client may set (others are refused). */
  allowedAttributes: string[];
  /** Chat duration when the request names none, in minutes (60–10080). */
  chatDurationMinutes: number;
  /** How a new chat carries the customer's previous one along. */
  rehydration: RehydrationMode;
  /** Content types the customer's client may use; always includes text/plain. */
  contentTypes: ContentType[];
  /** Whether the Connect instance has attachments enabled (reported to the page). */
  attachments: boolean;
  /** `jwt`: the customer is the verified `sub` claim; `anonymous`: the resume token. */
  authMode: AuthMode;
  /** How long an agent username → user id lookup is remembered, in seconds. */
  agentCacheSeconds: number;
}

export const chatDurationRange = { min: 60, max: 10080 } as const;
export const rehydrationModes: readonly RehydrationMode[] = ["FROM_SEGMENT", "ENTIRE_PAST_SESSION", "NONE"];
export const contentTypes: readonly ContentType[] = ["text/plain", "text/markdown"];
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
  agentCacheSeconds: "AGENT_CACHE_SECONDS",
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
  return checkSettings({
    instanceId: read("instanceId"),
    contactFlowId: read("contactFlowId"),
    chatsTableName: read("chatsTableName"),
    allowedAttributes: source[env.allowedAttributes] === "" ? [] : list("allowedAttributes"),
    chatDurationMinutes: Number(read("chatDurationMinutes")),
    rehydration: read("rehydration") as RehydrationMode,
    contentTypes: list("contentTypes") as ContentType[],
    attachments: read("attachments") === "true",
    authMode: read("authMode") as AuthMode,
    agentCacheSeconds: Number(read("agentCacheSeconds")),
  });
}

/** What is wrong with the settings, each problem led by the setting's name; empty when nothing is. */
export function settingsProblems(settings: StartChatSettings): string[] {
  const problems: string[] = [];
  const { min, max } = chatDurationRange;
  if (!Number.isInteger(settings.chatDurationMinutes) || settings.chatDurationMinutes < min || settings.chatDurationMinutes > max) {
    problems.push(`chatDurationMinutes must be a whole number from ${min} to ${max}`);
  }
  if (!rehydrationModes.includes(settings.rehydration)) problems.push(`rehydration must be one of ${rehydrationModes.join(", ")}`);
  if (!settings.contentTypes.includes("text/plain") || settings.contentTypes.some((t) => !contentTypes.includes(t))) {
    problems.push(`contentTypes must include text/plain and only ${contentTypes.join(", ")}`);
  }
  if (settings.authMode !== "anonymous" && settings.authMode !== "jwt") problems.push("authMode must be anonymous or jwt");
  if (!Number.isFinite(settings.agentCacheSeconds) || settings.agentCacheSeconds < 0) problems.push("agentCacheSeconds must be 0 or more");
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
