/**
 * How the page rides out a busy service: which failed starts are worth another try, how long to
 * wait before it, and when to give up. Connect's API rates (StartChatContact 5/s, the participant
 * service's a few more) bind first in a flash crowd, and the start-chat API then answers 429 or 503
 * with `Retry-After`: the page waits at least that long, plus a random share so that a crowd does
 * not come back in step; with no Retry-After, a random wait whose cap doubles from 1 s to 10 s
 * ("full jitter", AWS Architecture Blog, "Exponential Backoff and Jitter"); all within a bounded
 * patience (default 180 s, the `patienceSeconds` option).
 *
 * Pure and dependency-free (no DOM, no timers of its own): the widget (chat-view.ts) and the
 * benchmark (bench/, with Node's fetch) run starts through the same `startPatiently`.
 */

/** A failed try, as the policy sees it. */
export interface FailedTry {
  /** The HTTP status; undefined when no answer could be read (a network failure). */
  status?: number;
  /** The API's error code (THROTTLED, CHAT_CAPACITY, …), NETWORK, or HTTP_<status>. */
  code: string;
  /** Seconds the answer's Retry-After asked for; undefined when it had none (or it could not be read). */
  retryAfter?: number;
  /** 1 for the first try that failed, 2 for the second, … */
  attempt: number;
  /** Milliseconds since the first try began. */
  elapsedMs: number;
}

export interface PatienceOptions {
  /** How long to keep trying, from the first try, in seconds. Default 180. */
  patienceSeconds?: number;
  /** In [0, 1). Default Math.random. */
  random?: () => number;
}

/** Try again after `waitMs`, or give up: the answer was a refusal, or the patience would run out. */
export type Decision = { retry: true; waitMs: number } | { retry: false; why: "refused" | "patience" };

export const defaultPatienceSeconds = 180;
/** The first wait's cap when the answer says nothing; each further wait's cap doubles, up to the last. */
export const firstWaitMs = 1000;
export const longestWaitMs = 10_000;
/** No wait is shorter, whatever Retry-After says (it may say 0). */
const shortestWaitMs = 100;

/**
 * Whether an answer is "busy, come back": 429 (Connect's rates, the chat quota, API Gateway's own
 * throttling, too many new chats from one network), 503 (the store or Connect unavailable, a chat
 * still starting), 502 UPSTREAM_ERROR (Connect failed), or no answer at all. Not a refusal of the
 * request (400, 401, 403, 413, …) nor another server failure.
 */
export function retryable(status: number | undefined, code: string): boolean {
  return status === undefined ? code === "NETWORK" : status === 429 || status === 503 || (status === 502 && code === "UPSTREAM_ERROR");
}

/** Whether and when to try again after `failure`. */
export function nextTry(failure: FailedTry, options: PatienceOptions = {}): Decision {
  if (!retryable(failure.status, failure.code)) return { retry: false, why: "refused" };
  const random = options.random ?? Math.random;
  const patience = options.patienceSeconds ?? defaultPatienceSeconds;
  const left = (Number.isFinite(patience) && patience >= 0 ? patience : defaultPatienceSeconds) * 1000 - failure.elapsedMs;
  const floor = Math.max(shortestWaitMs, (failure.retryAfter ?? 0) * 1000);
  // Retry-After is a floor: not before it, and up to half as long again after it.
  const wait = failure.retryAfter !== undefined ? floor * (1 + random() / 2)
    : Math.max(floor, random() * Math.min(longestWaitMs, firstWaitMs * 2 ** (failure.attempt - 1)));
  // TOO_MANY_CHATS (Retry-After up to a minute), like any answer, is waited for only if it fits.
  if (floor > left) return { retry: false, why: "patience" };
  return { retry: true, waitMs: Math.round(Math.min(wait, left)) };
}

/** The failure a thrown error describes: `status`, `code` and `retryAfter`, as api.ts's ChatApiError has them. */
export function failureOf(error: unknown): Pick<FailedTry, "status" | "code" | "retryAfter"> {
  const { status, code, retryAfter } = (error ?? {}) as { status?: unknown; code?: unknown; retryAfter?: unknown };
  return {
    status: typeof status === "number" ? status : undefined,
    code: typeof code === "string" ? code : "UNKNOWN",
    retryAfter: typeof retryAfter === "number" && retryAfter >= 0 ? retryAfter : undefined,
  };
}

export interface PatientStart<T> extends PatienceOptions {
  /**
   * One try. Throws, when it fails, an error with `code` (and `status`, `retryAfter` when there was
   * an answer), as api.ts's `startChat` does; an error without a code is never retried.
   */
  startChat: () => Promise<T>;
  sleep: (ms: number) => Promise<void>;
  /** Milliseconds, from any fixed point (Date.now, performance.now). */
  now: () => number;
  /** Hears each wait before it starts. */
  onWait?: (wait: { waitMs: number; failure: FailedTry; error: unknown }) => void;
}

/** Runs `startChat` until it succeeds, or throws its last error when that is a refusal or the patience is spent. */
export async function startPatiently<T>(options: PatientStart<T>): Promise<T> {
  const began = options.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.startChat();
    } catch (error) {
      const failure = { ...failureOf(error), attempt, elapsedMs: options.now() - began };
      const decision = nextTry(failure, options);
      if (!decision.retry) throw error;
      options.onWait?.({ waitMs: decision.waitMs, failure, error });
      await options.sleep(decision.waitMs);
    }
  }
}
