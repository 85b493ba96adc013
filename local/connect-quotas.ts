/**
 * Amazon Connect's default limits, which the local Connect emulator enforces (connect-emulator.ts,
 * participant-service.ts), so that the local stack meets the limits a new AWS account meets.
 *
 * Sources: the admin guide's "Amazon Connect service quotas" page
 * (https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html):
 * - "Connect Customer API throttling quotas": "throttling quotas are by account, and per Region, not
 *   by user and not by instance"; "all operations have a RateLimit of 2 requests per second and a
 *   BurstLimit of 5 requests per second, with the following exceptions": StartChatContact 5/8,
 *   DescribeContact 10/15, StopContact 10/15. SearchUsers is not an exception: 2/5.
 * - "Connect Customer quotas": "Concurrent active chats per instance: 500 ... It also includes chats
 *   that are waiting ... If this quota is exceeded, the API call fails with a quota exceeded error"
 *   (StartChatContact's API reference: "Active chat throttling returns a LimitExceededException").
 * - "Connect Customer Participant Service API throttling quotas": "the quotas are by instance";
 *   CreateParticipantConnection 6/9, "SendEvent and SendMessage" 10/15, GetTranscript 8/12,
 *   DisconnectParticipant 3/5, StartAttachmentUpload 2/5, CompleteAttachmentUpload 2/5, GetAttachment 8/12.
 * And the API reference's "Best practices for using Amazon Connect APIs"
 * (https://docs.aws.amazon.com/connect/latest/APIReference/best-practices-connect-apis.html): "The
 * throttling limits are defined for each API separately at the AWS account level", the burst is the
 * bucket's size (a token bucket), and "Throttling errors ... are defined by HTTP status code 429".
 *
 * So: one token bucket per operation (per account and Region for the control plane, per instance
 * for the participant service; the local stack has one of each), refilled continuously at `rate`
 * tokens a second up to `burst`; each request takes one token, and a request that finds none is
 * refused (429) and takes nothing.
 */

/** A token bucket's refill rate (requests per second) and size (the burst). */
export interface Rate {
  rate: number;
  burst: number;
}

export interface ConnectQuotas {
  /** Connect's control plane, per operation; `default` for every operation not named. */
  connect: Record<string, Rate> & { default: Rate };
  /** The participant service, per operation (SendEvent shares SendMessage's bucket: `sharedBuckets`). */
  participant: Record<string, Rate>;
  /** Concurrent active chats per instance: StartChatContact beyond it is 429 LimitExceededException. */
  activeChats: number;
}

/** Changes to Connect's defaults; whatever is not named stays as Connect has it. */
export interface QuotaOverrides {
  connect?: Partial<Record<string, Rate>>;
  participant?: Partial<Record<string, Rate>>;
  activeChats?: number;
}

/** "default": Connect's defaults; "off": no limits at all; or Connect's defaults with some changed. */
export type QuotaSetting = "default" | "off" | QuotaOverrides;

export const connectDefaultQuotas: ConnectQuotas = {
  connect: {
    default: { rate: 2, burst: 5 },
    StartChatContact: { rate: 5, burst: 8 },
    DescribeContact: { rate: 10, burst: 15 },
    StopContact: { rate: 10, burst: 15 },
  },
  participant: {
    CreateParticipantConnection: { rate: 6, burst: 9 },
    SendMessage: { rate: 10, burst: 15 },
    GetTranscript: { rate: 8, burst: 12 },
    DisconnectParticipant: { rate: 3, burst: 5 },
    StartAttachmentUpload: { rate: 2, burst: 5 },
    CompleteAttachmentUpload: { rate: 2, burst: 5 },
    GetAttachment: { rate: 8, burst: 12 },
  },
  activeChats: 500,
};

/**
 * Operations that draw on another's bucket. The quotas page gives SendEvent and SendMessage one
 * line and one limit ("SendEvent and SendMessage: a RateLimit of 10 requests per second, and a
 * BurstLimit of 15"), where every other participant operation has a line of its own; it does not
 * say whether that is one bucket or two alike. The emulator takes the stricter reading, one bucket
 * for both: a client that stays within it stays within two. (A typing event or a read receipt then
 * costs what a message costs.) Overriding either names that one bucket.
 */
export const sharedBuckets: Record<string, string> = { SendEvent: "SendMessage" };

/** The Connect operations the emulator serves: the names `--quota` takes besides `default`. */
export const connectOperations = ["StartChatContact", "DescribeContact", "StopContact", "SearchUsers"] as const;
/** The participant service's operations. */
export const participantOperations = [
  "CreateParticipantConnection", "SendMessage", "SendEvent", "GetTranscript", "DisconnectParticipant",
  "StartAttachmentUpload", "CompleteAttachmentUpload", "GetAttachment",
] as const;

/** Why a Rate cannot be a token bucket, or undefined when it can: a rate above 0, a whole burst of 1 or more. */
export function rateProblem(rate: Rate): string | undefined {
  if (!(Number.isFinite(rate.rate) && rate.rate > 0)) return `the rate must be a number above 0, got ${rate.rate}`;
  if (!(Number.isInteger(rate.burst) && rate.burst >= 1)) return `the burst must be a whole number of 1 or more, got ${rate.burst}`;
  return undefined;
}

/** The quotas a setting puts in force: Connect's defaults with its overrides, or undefined for "off". Throws on a value no bucket can have. */
export function resolveQuotas(setting: QuotaSetting): ConnectQuotas | undefined {
  if (setting === "off") return undefined;
  if (setting === "default") return structuredClone(connectDefaultQuotas);
  const resolved = structuredClone(connectDefaultQuotas);
  const apply = (target: Record<string, Rate>, changes: Partial<Record<string, Rate>> | undefined, known: readonly string[]) => {
    for (const [name, rate] of Object.entries(changes ?? {})) {
      if (!rate) continue;
      if (!known.includes(name)) throw new Error(`No such operation to limit: ${name}. Known: ${known.join(", ")}`);
      const problem = rateProblem(rate);
      if (problem) throw new Error(`${name}: ${problem}`);
      target[sharedBuckets[name] ?? name] = { rate: rate.rate, burst: rate.burst };
    }
  };
  apply(resolved.connect, setting.connect, ["default", ...connectOperations]);
  apply(resolved.participant, setting.participant, participantOperations);
  if (setting.activeChats !== undefined) {
    if (!(Number.isInteger(setting.activeChats) && setting.activeChats >= 0)) throw new Error(`activeChats must be a whole number, got ${setting.activeChats}`);
    resolved.activeChats = setting.activeChats;
  }
  return resolved;
}

/** A token bucket: holds up to `burst` tokens, starts full, gains `rate` a second continuously. */
export interface TokenBucket {
  /** Takes a token and answers true, or answers false and takes nothing when there is none. */
  take(): boolean;
  /** The tokens in it now (fractions included). */
  tokens(): number;
}

export function createTokenBucket({ rate, burst }: Rate, now: () => number): TokenBucket {
  // Kept in thousandths of a token, so that whole-millisecond clocks and whole rates refill exactly
  // (200 ms at 5/s is exactly one token, not 0.9999…).
  const capacity = burst * 1000;
  let level = capacity;
  let last = now();
  const refill = () => {
    const at = now();
    // A clock that steps back refills nothing, and takes nothing back.
    level = Math.min(capacity, level + Math.max(0, at - last) * rate);
    last = at;
  };
  return {
    take() {
      refill();
      if (level < 1000) return false;
      level -= 1000;
      return true;
    },
    tokens() {
      refill();
      return level / 1000;
    },
  };
}

/** One bucket per operation, made on first use. */
export interface RateLimiter {
  /** True when `operation` may go ahead now (it took a token); false when it is throttled. Operations with no rate are never throttled. */
  take(operation: string): boolean;
}

/**
 * A limiter over `rates` (per operation; `default` for operations not named, when given), whose
 * buckets start full. `now` is the clock in milliseconds: tests pass their own to be exact.
 * `shared` maps an operation to the one whose bucket it draws on (sharedBuckets).
 */
export function createRateLimiter(rates: Record<string, Rate>, now: () => number = () => performance.now(), shared: Record<string, string> = {}): RateLimiter {
  const buckets = new Map<string, TokenBucket>();
  return {
    take(operation) {
      const key = shared[operation] ?? operation;
      let bucket = buckets.get(key);
      if (!bucket) {
        const rate = rates[key] ?? rates.default;
        if (!rate) return true;
        bucket = createTokenBucket(rate, now);
        buckets.set(key, bucket);
      }
      return bucket.take();
    },
  };
}

/** What `throttledCounts()` reports, per operation: the calls each kind of limit refused. */
export interface ThrottledCounts {
  /** Refused by the operation's token bucket (429 ThrottlingException or TooManyRequestsException). */
  rateLimited: Record<string, number>;
  /** StartChatContact refused at the concurrent active chat quota (429 LimitExceededException). */
  activeChatQuota: Record<string, number>;
}

const rateText = (name: string, { rate, burst }: Rate) => `${name} ${rate}/s burst ${burst}`;

/** Every limit in force, in one list: Connect's operations, the participant service's, the chat quota. */
function listQuotas(quotas: ConnectQuotas): string {
  const { default: fallback, ...connect } = quotas.connect;
  const participantName = (name: string) => [name, ...Object.keys(sharedBuckets).filter((other) => sharedBuckets[other] === name)].join("+");
  return [
    ...Object.entries(connect).map(([name, rate]) => rateText(name, rate)),
    rateText("other Connect operations", fallback),
    ...Object.entries(quotas.participant).map(([name, rate]) => rateText(participantName(name), rate)),
    `${quotas.activeChats} active chats`,
  ].join(", ");
}

/**
 * One line for the banner: which limits are in force. For example "Connect's defaults
 * (StartChatContact 5/s burst 8, …, 500 active chats)", "Connect's defaults, changed: StartChatContact
 * 20/s burst 40 (…)", or "off: no rate limits and no active chat quota".
 */
export function describeQuotas(setting: QuotaSetting): string {
  const quotas = resolveQuotas(setting);
  if (!quotas) return "off: no rate limits and no active chat quota";
  const defaults = connectDefaultQuotas;
  const same = (a: Rate | undefined, b: Rate | undefined) => a?.rate === b?.rate && a?.burst === b?.burst;
  const changed = [
    ...Object.entries(quotas.connect).filter(([name, rate]) => !same(rate, defaults.connect[name] ?? defaults.connect.default))
      .map(([name, rate]) => rateText(name === "default" ? "other Connect operations" : name, rate)),
    ...Object.entries(quotas.participant).filter(([name, rate]) => !same(rate, defaults.participant[name])).map(([name, rate]) => rateText(name, rate)),
    ...(quotas.activeChats === defaults.activeChats ? [] : [`${quotas.activeChats} active chats`]),
  ];
  return `${changed.length ? `Connect's defaults, changed: ${changed.join(", ")}` : "Connect's defaults"} (${listQuotas(quotas)})`;
}

/**
 * `npm start -- --quotas default|off` and `--quota NAME=RATE/BURST` (repeatable; `activeChats=N`
 * for the chat quota) as a setting. A value it cannot use is an Error with a one-line message.
 */
export function quotaSettingFromFlags(mode: string | undefined, changes: readonly string[] = []): QuotaSetting {
  if (mode !== undefined && mode !== "default" && mode !== "off") throw new Error(`--quotas takes default or off, got ${mode || '""'}`);
  if (mode === "off") {
    if (changes.length) throw new Error("--quota changes Connect's limits, which --quotas off lifts: use one or the other");
    return "off";
  }
  if (!changes.length) return "default";
  const connect: Record<string, Rate> = {};
  const participant: Record<string, Rate> = {};
  let activeChats: number | undefined;
  const names = ["default", ...connectOperations, ...participantOperations, "activeChats"];
  for (const change of changes) {
    const split = change.indexOf("=");
    const name = split < 0 ? change : change.slice(0, split);
    const value = split < 0 ? undefined : change.slice(split + 1);
    if (!names.includes(name)) throw new Error(`--quota ${change}: no such limit; limits: ${names.join(", ")}`);
    if (name === "activeChats") {
      if (!/^\d+$/.test(value ?? "")) throw new Error(`--quota ${change}: activeChats takes a whole number, for example --quota activeChats=1000`);
      activeChats = Number(value);
      continue;
    }
    const match = /^(\d+(?:\.\d+)?|\.\d+)\/(\d+)$/.exec(value ?? "");
    if (!match) throw new Error(`--quota ${change}: give RATE/BURST (requests a second / bucket size), for example --quota ${name}=20/40`);
    const rate = { rate: Number(match[1]), burst: Number(match[2]) };
    const problem = rateProblem(rate);
    if (problem) throw new Error(`--quota ${change}: ${problem}`);
    ((participantOperations as readonly string[]).includes(name) ? participant : connect)[name] = rate;
  }
  return { connect, participant, ...(activeChats !== undefined && { activeChats }) };
}
