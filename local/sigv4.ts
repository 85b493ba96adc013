/**
 * AWS Signature Version 4, checked as an AWS service front door checks it, for the emulated Connect
 * control plane (`/connect`). The rules, from the IAM user guide's "Create a signed AWS API request"
 * (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
 * - the canonical request: method, the URI path normalized and URI-encoded twice (every service
 *   but S3), the query sorted by encoded name, each signed header as `name:value` (lower-case
 *   name, value trimmed and inner runs of spaces collapsed), the signed header list, and the hex
 *   SHA-256 of the body;
 * - the string to sign: `AWS4-HMAC-SHA256`, the request's X-Amz-Date, the credential scope
 *   `date/region/service/aws4_request`, and the hex SHA-256 of the canonical request;
 * - the signing key: HMAC-SHA256 chained over "AWS4"+secret, the date, the region, the service
 *   and "aws4_request"; the signature is the hex HMAC of the string to sign under it;
 * - a request whose X-Amz-Date is more than 15 minutes from the service's clock is refused
 *   (Connect API reference, "Common Errors": RequestExpired, "more than 15 minutes after the date
 *   stamp on the request ... or the date stamp on the request is more than 15 minutes in the future").
 * The canonicalization matches what the SDK v3 signer (@smithy/signature-v4) produces, so the
 * unmodified @aws-sdk/client-connect passes and anything else is refused.
 *
 * Refusals are answered as AWS's JSON front door answers them on the wire (restJson1: status 403,
 * the error's name in `x-amzn-ErrorType`, `{ "message": … }`): MissingAuthenticationTokenException
 * (no signature at all), IncompleteSignatureException (an Authorization header that is not a whole
 * SigV4 one), UnrecognizedClientException (an access key the service does not know),
 * InvalidSignatureException (a signature that does not match, a wrong scope, or a stale date).
 * Node's own Date header goes out on every answer, so the SDK's clock-skew correction works as
 * against AWS.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SigV4Refusal {
  errorType: "MissingAuthenticationTokenException" | "IncompleteSignatureException" | "UnrecognizedClientException" | "InvalidSignatureException";
  message: string;
}

const algorithm = "AWS4-HMAC-SHA256";
const maxSkewMs = 15 * 60 * 1000;

/** RFC 3986 encoding as the signer does it (encodeURIComponent, plus !'()*). */
export function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The path as sent, normalized (no empty, "." or ".." segments) and encoded once more. */
function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const normalized = `${rawPath.startsWith("/") ? "/" : ""}${segments.join("/")}${segments.length > 0 && rawPath.endsWith("/") ? "/" : ""}`;
  return escapeUri(normalized).replace(/%2F/g, "/");
}

const decode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** The query sorted by encoded name, each pair encoded, X-Amz-Signature left out. */
function canonicalQuery(rawQuery: string): string {
  const pairs = rawQuery.split("&").filter(Boolean).map((pair) => {
    const at = pair.indexOf("=");
    const [key, value] = at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
    return [escapeUri(decode(key)), escapeUri(decode(value))] as const;
  }).filter(([key]) => key.toLowerCase() !== "x-amz-signature");
  return pairs.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join("&");
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** `YYYYMMDDTHHMMSSZ` as a time, or undefined. */
function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const time = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(time) ? undefined : time;
}

const amzDate = (time: number) => new Date(time).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

/**
 * Checks the SigV4 signature of `req` (whose body is `body`) for `service` in `region`. Undefined
 * when it is valid; otherwise the refusal AWS would answer.
 */
export function checkSigV4(req: IncomingMessage, body: Buffer, options: { credentials: SigV4Credentials; service: string; region: string; now?: number }): SigV4Refusal | undefined {
  const authorization = req.headers.authorization;
  if (authorization === undefined) return { errorType: "MissingAuthenticationTokenException", message: "Missing Authentication Token" };
  const incomplete = (message: string): SigV4Refusal => ({ errorType: "IncompleteSignatureException", message });
  const invalid = (message: string): SigV4Refusal => ({ errorType: "InvalidSignatureException", message });

  if (!authorization.startsWith(`${algorithm} `)) return incomplete(`Authorization header requires the ${algorithm} algorithm.`);
  const fields = new Map<string, string>();
  for (const part of authorization.slice(algorithm.length + 1).split(",")) {
    const at = part.indexOf("=");
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const missing = ["Credential", "SignedHeaders", "Signature"].filter((name) => !fields.get(name));
  if (missing.length) return incomplete(missing.map((name) => `Authorization header requires '${name}' parameter.`).join(" "));
  const credential = fields.get("Credential")!.split("/");
  if (credential.length !== 5 || credential[4] !== "aws4_request") {
    return incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${fields.get("Credential")}'`);
  }
  const [accessKeyId, scopeDate, scopeRegion, scopeService] = credential;
  const signedHeaders = fields.get("SignedHeaders")!.split(";");
  if (!signedHeaders.includes("host")) return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

  const rawDate = req.headers["x-amz-date"];
  const headerDate = typeof rawDate === "string" ? rawDate : undefined;
  const date = headerDate ? parseAmzDate(headerDate) : req.headers.date ? Date.parse(req.headers.date) : undefined;
  if (date === undefined || Number.isNaN(date)) return incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  const longDate = headerDate ?? amzDate(date);

  if (accessKeyId !== options.credentials.accessKeyId) return { errorType: "UnrecognizedClientException", message: "The security token included in the request is invalid." };

  const now = options.now ?? Date.now();
  if (date < now - maxSkewMs) return invalid(`Signature expired: ${longDate} is now earlier than ${amzDate(now - maxSkewMs)} (${amzDate(now)} - 15 min.)`);
  if (date > now + maxSkewMs) return invalid(`Signature not yet current: ${longDate} is still later than ${amzDate(now + maxSkewMs)} (${amzDate(now)} + 15 min.)`);
  if (scopeDate !== longDate.slice(0, 8)) return invalid(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${longDate.slice(0, 8)}', from '${longDate}'.`);
  if (scopeRegion !== options.region) return invalid(`Credential should be scoped to a valid region, not '${scopeRegion}'. `);
  if (scopeService !== options.service) return invalid(`Credential should be scoped to correct service: '${options.service}'. `);

  const url = req.url ?? "/";
  const queryAt = url.indexOf("?");
  const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? "" : url.slice(queryAt + 1);
  const headerLines = signedHeaders.map((name) => {
    const value = req.headers[name];
    const text = Array.isArray(value) ? value.join(",") : value ?? "";
    return `${name}:${text.replace(/[\r\n]/g, " ").replace(/[ \t]+/g, " ").replace(/^ | $/g, "")}`;
  });
  const canonicalRequest = [req.method ?? "GET", canonicalPath(rawPath), canonicalQuery(rawQuery), ...headerLines, "", signedHeaders.join(";"), sha256(body)].join("\n");
  const scope = `${scopeDate}/${scopeRegion}/${scopeService}/aws4_request`;
  const stringToSign = [algorithm, longDate, scope, sha256(canonicalRequest)].join("\n");
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${options.credentials.secretAccessKey}`, scopeDate), scopeRegion), scopeService), "aws4_request");
  const expected = Buffer.from(createHmac("sha256", signingKey).update(stringToSign).digest("hex"));
  const given = Buffer.from(fields.get("Signature")!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return invalid("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
  }
  return undefined;
}
