/** The parts of an API Gateway HTTP API (payload 2.0) event and result that the handlers use. */
export interface HttpApiEvent {
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
  requestContext?: {
    requestId?: string;
    /** The connection's source address: the client's, or a CloudFront edge's behind ChatSite. */
    http?: { sourceIp?: string };
    authorizer?: { jwt?: { claims?: Record<string, unknown> } };
  };
}

export interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A failure the caller can act on; becomes `{ error: { code, message, field? } }`. */
export interface ApiError {
  status: 400 | 401 | 403 | 413 | 429 | 500 | 502 | 503;
  code: string;
  message: string;
  /** The request field at fault, so a form can point at it. */
  field?: string;
  /** Seconds; sent as `Retry-After` on 429 and 503. */
  retryAfter?: number;
}

/**
 * Throws an Error that carries an ApiError; `apiErrorOf` recognises it. A plain property, not a
 * Symbol or a subclass: Pulumi's closure serializer does not carry those into the Lambda intact.
 */
export function fail(error: ApiError): never {
  throw Object.assign(new Error(error.message), { apiError: error });
}

export function apiErrorOf(thrown: unknown): ApiError | undefined {
  return thrown instanceof Error ? (thrown as Error & { apiError?: ApiError }).apiError : undefined;
}

const baseHeaders = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export function jsonResult(statusCode: number, body: unknown): HttpApiResult {
  return { statusCode, headers: { ...baseHeaders }, body: JSON.stringify(body) };
}

export function errorResult(error: ApiError): HttpApiResult {
  const result = jsonResult(error.status, {
    error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
  });
  if (error.retryAfter !== undefined) result.headers["retry-after"] = String(error.retryAfter);
  return result;
}
