/**
 * Maps a failed AWS call to what the caller is told. Clients can act on these: wait and retry
 * (429/503 with Retry-After) or report a broken deployment (502). Details stay in the logs.
 */
import type { ApiError } from "../http";

interface AwsErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** KMS seals signed-in customers' participant tokens (seal.ts): part of chat storage to a caller. */
export type AwsService = "connect" | "dynamodb" | "kms";

/** A service's rate limit answered, not a quota on what exists: the same call may pass a moment later. */
export function isThrottled(thrown: unknown): boolean {
  const { name = "", $metadata } = (thrown ?? {}) as AwsErrorShape;
  if (name === "LimitExceededException") return false;
  return $metadata?.httpStatusCode === 429 || /Throttl|TooManyRequests|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(name);
}

/**
 * Worth the same call again soon: throttled, a failure on the service's side (5xx), or no answer at
 * all. Not a refusal of the request (4xx) and not Connect's active-chat quota, which frees up as
 * chats end, minutes away.
 */
export function isTransient(thrown: unknown): boolean {
  const status = ((thrown ?? {}) as AwsErrorShape).$metadata?.httpStatusCode;
  return isThrottled(thrown) || status === undefined || status >= 500;
}

export function awsFailure(service: AwsService, thrown: unknown): ApiError {
  const error = (thrown ?? {}) as AwsErrorShape;
  const name = error.name ?? "";
  const status = error.$metadata?.httpStatusCode;
  if (service === "connect" && name === "LimitExceededException") {
    return { status: 429, code: "CHAT_CAPACITY", message: "All chat lines are busy. Please try again shortly.", retryAfter: 30 };
  }
  if (isThrottled(thrown)) {
    // A throttled table is our capacity, not the caller's rate: report it as unavailable.
    return service === "connect"
      ? { status: 429, code: "THROTTLED", message: "Too many chat requests right now. Please retry.", retryAfter: 1 }
      : { status: 503, code: "STORE_UNAVAILABLE", message: "Chat storage is busy. Please retry.", retryAfter: 1 };
  }
  if (status !== undefined && status >= 400 && status < 500) {
    // Connect or DynamoDB refusing a request we validated means the deployment is misconfigured.
    return { status: 502, code: "UPSTREAM_REJECTED", message: `The ${serviceName(service)} refused the request.` };
  }
  if (status !== undefined && status >= 500) {
    return service === "connect"
      ? { status: 502, code: "UPSTREAM_ERROR", message: "Amazon Connect failed to start the chat. Please retry.", retryAfter: 2 }
      : { status: 503, code: "STORE_UNAVAILABLE", message: "Chat storage failed. Please retry.", retryAfter: 2 };
  }
  // No HTTP answer at all: a timeout or a network failure.
  return { status: 503, code: "UPSTREAM_UNAVAILABLE", message: `The ${serviceName(service)} did not answer. Please retry.`, retryAfter: 2 };
}

function serviceName(service: AwsService): string {
  return service === "connect" ? "contact center" : "chat storage";
}
