/**
 * Connect's API rates are per account and low by default (a few calls a second, README "Scale"), so
 * in a crowd a call may be throttled. The start-chat path retries a transient failure after a random
 * wait that grows to a cap ("full jitter": AWS Architecture Blog, "Exponential Backoff and Jitter"),
 * which spreads many functions' retries over the rate instead of bunching them on its refills, for
 * as long as the request's retry budget lasts; then the caller is told to come back (429/503 with
 * Retry-After, which the page honours with jitter of its own).
 */
import { isTransient } from "./aws-errors";

export interface RetryPolicy {
  /** Milliseconds of one request that retries may take, from its start: well inside Lambda's 29 s. */
  budgetMs: number;
  /** The first wait's cap; each further wait's cap doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep(ms: number): Promise<void>;
  /** In [0, 1). */
  random(): number;
}

export const defaultRetryPolicy: RetryPolicy = {
  budgetMs: 8000,
  baseDelayMs: 200,
  maxDelayMs: 2000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/**
 * `operation`, again while it fails transiently and a wait still ends before `deadline` (ms since
 * the epoch, by `now`); its last failure is thrown. `onRetry` hears each failure that is retried.
 */
export async function retryTransient<T>(
  operation: () => Promise<T>,
  options: { deadline: number; now: () => number; policy: RetryPolicy; onRetry?: (error: unknown, attempt: number) => void },
): Promise<T> {
  const { deadline, now, policy, onRetry } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const wait = Math.floor(policy.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
      if (!isTransient(error) || now() + wait >= deadline) throw error;
      onRetry?.(error, attempt);
      await policy.sleep(wait);
    }
  }
}
