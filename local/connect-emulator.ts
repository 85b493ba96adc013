/**
 * Amazon Connect's control plane, emulated for the local stack: the operations start-chat uses,
 * spoken in Connect's REST-JSON protocol so the unmodified AWS SDK v3 client talks to it through
 * AWS_ENDPOINT_URL_CONNECT. It keeps Connect's rules that our code depends on: ClientToken
 * idempotency, the active-chat quota (429 LimitExceededException), persistent chat only from an
 * ended contact and only once, and the error shapes. Every request must carry a valid SigV4
 * signature made with the stack's credentials (sigv4.ts), as AWS requires. It enforces Connect's
 * default API rates, one token bucket per operation, and the concurrent active chat quota
 * (connect-quotas.ts), each overridable. Fault switches make it throttle, fail or lag.
 */
import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "./api-gateway";
import type { ChatState, Contact } from "./chat-state";
import { checkSigV4, type SigV4Credentials } from "./sigv4";
import { createRateLimiter, resolveQuotas, type ConnectQuotas, type QuotaSetting, type RateLimiter, type ThrottledCounts } from "./connect-quotas";
import { bodyLimits, RequestError } from "./request-body";

export interface LocalAgent {
  username: string;
  displayName: string;
}

export interface Faults {
  /** Operations the faults apply to; all when omitted. */
  operations?: string[];
  /** Answer 429 ThrottlingException. */
  throttle?: boolean;
  /** Answer 429 LimitExceededException, as Connect does at the active-chat quota. */
  quota?: boolean;
  /** Answer 500 InternalServiceException. */
  serverError?: boolean;
  /** Wait this long before answering. */
  latencyMs?: number;
}

export interface ConnectEmulatorOptions {
  instanceId: string;
  contactFlowIds: string[];
  agents: LocalAgent[];
  chats: ChatState;
  /** Runs the contact's flow once the contact exists. */
  onChatStarted?: (contact: Contact) => void;
  region?: string;
  /**
   * Connect's limits (connect-quotas.ts): the API rates, per operation, and the concurrent active
   * chat quota (429 LimitExceededException beyond it). Default "default", Connect's own; "off": none.
   */
  quotas?: QuotaSetting;
  /** The rate limits' clock, in milliseconds; tests pass their own. Default performance.now. */
  now?: () => number;
  /** The only credentials whose SigV4 signatures it accepts: the stack's AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. */
  credentials: SigV4Credentials;
}


export class ConnectError extends Error {
  /**
   * `bodyKey`: the member the message goes in. The services' own errors carry `Message`, as their
   * models declare; AWS's front door (authentication) answers `{ "message": … }`.
   */
  constructor(readonly status: number, readonly errorType: string, message: string, readonly bodyKey: "Message" | "message" = "Message") {
    super(message);
  }
}

/**
 * One call in Connect's REST-JSON protocol: the JSON body goes to `operation`, its result comes
 * back as JSON, and a ConnectError as Connect reports errors (`x-amzn-ErrorType`, `{ Message }`).
 * An unparseable body is answered as Connect answers it, with `malformed`.
 */
export async function serveRestJson(
  req: IncomingMessage,
  res: ServerResponse,
  malformed: string,
  operation: (body: Record<string, any>) => unknown,
  /** Checks the request as sent (its raw body included) before anything else; a ConnectError refuses it. */
  authenticate?: (raw: Buffer) => ConnectError | undefined,
): Promise<void> {
  const headers: Record<string, string> = { "content-type": "application/json", "x-amzn-requestid": randomUUID() };
  let status = 200;
  let reply: unknown;
  try {
    const raw = await readBody(req, bodyLimits.jsonApi);
    const refused = authenticate?.(raw);
    if (refused) throw refused;
    reply = await operation(raw.length ? JSON.parse(raw.toString("utf8")) : {});
  } catch (error) {
    // A body over the limit is a 413, for which the model has no shape: the SDK reports it by this name.
    const known = error instanceof ConnectError ? error
      : error instanceof RequestError ? new ConnectError(error.status, "RequestEntityTooLargeException", error.message)
      : new ConnectError(400, malformed, "Malformed request");
    status = known.status;
    headers["x-amzn-errortype"] = known.errorType;
    reply = { [known.bodyKey]: known.message };
  }
  res.writeHead(status, headers).end(JSON.stringify(reply));
}

export const localAccount = "000000000000";

/**
 * What each operation answers when its rate is exceeded, all 429 without Retry-After, as Connect
 * sends none. DescribeContact and SearchUsers declare ThrottlingException (@httpError(429), member
 * `Message`) in the API model (aws/aws-sdk-js-v3 codegen/sdk-codegen/aws-models/connect.json, and
 * botocore's). StartChatContact declares no throttling error, but its API reference says "API TPS
 * throttling returns a TooManyRequests exception": the model's TooManyRequestsException ("Displayed
 * when rate-related API limits are exceeded", 429). StopContact declares neither, and its reference
 * names no throttling error, so what it answers is our choice: TooManyRequestsException, like
 * StartChatContact, the other contact operation here without ThrottlingException in its `errors`,
 * and the model's shape whose documentation is the rate limit. (ThrottlingException would be a shape
 * the model says StopContact never answers.) The SDK takes either as throttling, by its 429, and
 * retries it.
 */
const throttleErrors: Record<string, string> = {
  StartChatContact: "TooManyRequestsException",
  StopContact: "TooManyRequestsException",
  DescribeContact: "ThrottlingException",
  SearchUsers: "ThrottlingException",
};

/** A stable, UUID-shaped id for a local agent, so routing tests can predict it. */
export function localUserId(username: string): string {
  const hex = createHash("sha256").update(`agent:${username}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function createConnectEmulator(options: ConnectEmulatorOptions) {
  const region = options.region ?? "us-east-1";
  const instanceArn = `arn:aws:connect:${region}:${localAccount}:instance/${options.instanceId}`;
  const { chats } = options;
  const byClientToken = new Map<string, Contact>();
  const calls = new Map<string, number>();
  const rateLimited = new Map<string, number>();
  const activeChatRefusals = new Map<string, number>();
  const now = options.now ?? (() => performance.now());
  let faults: Faults = {};
  let quotas: ConnectQuotas | undefined;
  let limiter: RateLimiter | undefined;
  /** Puts a setting in force: its buckets start full. Throws, changing nothing, on a value no bucket can have. */
  function setQuotas(setting: QuotaSetting): void {
    const next = resolveQuotas(setting);
    quotas = next;
    limiter = next && createRateLimiter(next.connect, now);
  }
  setQuotas(options.quotas ?? "default");
  const bump = (counts: Map<string, number>, operation: string) => counts.set(operation, (counts.get(operation) ?? 0) + 1);

  const invalid = (message: string) => new ConnectError(400, "InvalidRequestException", message);
  const checkInstance = (instanceId: unknown) => {
    if (instanceId !== options.instanceId) throw new ConnectError(404, "ResourceNotFoundException", `Instance not found: ${String(instanceId)}`);
  };
  const activeChats = () => chats.all().filter((contact) => !contact.disconnectTimestamp).length;

  function startChatContact(body: Record<string, any>): unknown {
    checkInstance(body.InstanceId);
    if (!options.contactFlowIds.includes(body.ContactFlowId)) throw new ConnectError(404, "ResourceNotFoundException", "Contact flow not found");
    const token = body.ClientToken as string | undefined;
    const replay = token ? byClientToken.get(token) : undefined;
    if (replay) return started(replay);

    const displayName = body.ParticipantDetails?.DisplayName;
    // The model's @length(min: 1, max: 256) counts Unicode scalar values, as Smithy's length trait
    // does on strings, not UTF-16 units: 256 emoji fit.
    const displayNameLength = typeof displayName === "string" ? [...displayName].length : 0;
    if (displayNameLength < 1 || displayNameLength > 256) throw invalid("ParticipantDetails.DisplayName must be 1-256 characters");
    const duration = body.ChatDurationInMinutes ?? 1500;
    if (!Number.isInteger(duration) || duration < 60 || duration > 10080) throw invalid("ChatDurationInMinutes must be 60-10080");
    const types: string[] = body.SupportedMessagingContentTypes ?? ["text/plain"];
    if (!types.includes("text/plain")) throw invalid("SupportedMessagingContentTypes must include text/plain");
    const attributes: Record<string, string> = body.Attributes ?? {};
    const attributeBytes = Object.entries(attributes).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
    if (attributeBytes > 32768) throw invalid("Attributes exceed 32 KB");

    let source: Contact | undefined;
    if (body.PersistentChat) {
      const { RehydrationType, SourceContactId } = body.PersistentChat;
      if (RehydrationType !== "FROM_SEGMENT" && RehydrationType !== "ENTIRE_PAST_SESSION") throw invalid("Invalid RehydrationType");
      source = chats.contact(SourceContactId);
      if (!source) throw new ConnectError(404, "ResourceNotFoundException", "Source contact not found");
      if (!source.disconnectTimestamp) throw invalid("Only chat sessions that have ended can be rehydrated");
      if (source.continued) throw invalid("The source contact has already been continued");
    }
    // "Concurrent active chats per instance" (connect-quotas.ts): a chat counts until it ends.
    if (quotas && activeChats() >= quotas.activeChats) {
      bump(activeChatRefusals, "StartChatContact");
      throw new ConnectError(429, "LimitExceededException", "The concurrent active chat quota is reached");
    }

    const { contact, customer } = chats.add({
      id: randomUUID(),
      contactFlowId: body.ContactFlowId,
      attributes,
      initiationTimestamp: Date.now() / 1000,
      continuedFromContactId: source?.id,
      clientToken: token,
    }, { displayName });
    if (source) {
      source.continued = true;
      chats.changed();
    }
    if (token) byClientToken.set(token, contact);
    if (body.InitialMessage?.Content) {
      chats.post(contact, customer, { Type: "MESSAGE", ContentType: body.InitialMessage.ContentType, Content: body.InitialMessage.Content });
    }
    options.onChatStarted?.(contact);
    return started(contact);
  }

  function started(contact: Contact) {
    const [customer] = contact.participants;
    return {
      ContactId: contact.id,
      ParticipantId: customer.id,
      ParticipantToken: customer.token,
      ...(contact.continuedFromContactId && { ContinuedFromContactId: contact.continuedFromContactId }),
    };
  }

  function describeContact(instanceId: string, contactId: string): unknown {
    checkInstance(instanceId);
    const contact = chats.contact(contactId);
    if (!contact) throw new ConnectError(404, "ResourceNotFoundException", "Contact not found");
    return {
      Contact: {
        Arn: `${instanceArn}/contact/${contact.id}`,
        Id: contact.id,
        InitialContactId: contact.id,
        Channel: "CHAT",
        InitiationMethod: "API",
        InitiationTimestamp: contact.initiationTimestamp,
        ...(contact.disconnectTimestamp && { DisconnectTimestamp: contact.disconnectTimestamp }),
        Attributes: contact.attributes,
      },
    };
  }

  function searchUsers(body: Record<string, any>): unknown {
    checkInstance(body.InstanceId);
    const condition = body.SearchCriteria?.StringCondition;
    if (condition && condition.FieldName !== "Username") throw invalid("Only Username conditions are emulated");
    const value = String(condition?.Value ?? "").toLowerCase();
    const matches = options.agents.filter(({ username }) => {
      const name = username.toLowerCase();
      if (!condition) return true;
      if (condition.ComparisonType === "EXACT") return name === value;
      if (condition.ComparisonType === "STARTS_WITH") return name.startsWith(value);
      if (condition.ComparisonType === "CONTAINS") return name.includes(value);
      throw invalid("Invalid ComparisonType");
    });
    const users = matches.slice(0, body.MaxResults ?? 100).map(({ username, displayName }) => {
      const [FirstName, ...rest] = displayName.split(" ");
      const id = localUserId(username);
      return { Id: id, Arn: `${instanceArn}/agent/${id}`, Username: username, IdentityInfo: { FirstName, LastName: rest.join(" ") } };
    });
    return { Users: users, ApproximateTotalCount: matches.length };
  }

  function stopContact(body: Record<string, any>): unknown {
    checkInstance(body.InstanceId);
    if (!endContact(body.ContactId)) throw new ConnectError(404, "ResourceNotFoundException", "Contact not found");
    return {};
  }

  /** Ends a contact as StopContact would. False when there is no such contact. */
  function endContact(contactId: string): boolean {
    const contact = chats.contact(contactId);
    if (!contact) return false;
    chats.end(contact);
    return true;
  }

  function route(method: string, path: string, body: Record<string, any>): { operation: string; run: () => unknown } {
    const describe = /^\/contacts\/([^/]+)\/([^/]+)$/.exec(path);
    if (method === "PUT" && path === "/contact/chat") return { operation: "StartChatContact", run: () => startChatContact(body) };
    if (method === "GET" && describe) {
      return { operation: "DescribeContact", run: () => describeContact(decodeURIComponent(describe[1]), decodeURIComponent(describe[2])) };
    }
    if (method === "POST" && path === "/search-users") return { operation: "SearchUsers", run: () => searchUsers(body) };
    if (method === "POST" && path === "/contact/stop") return { operation: "StopContact", run: () => stopContact(body) };
    return { operation: "Unknown", run: () => { throw new ConnectError(404, "UnknownOperationException", `${method} ${path} is not emulated`); } };
  }

  function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    return serveRestJson(req, res, "InvalidRequestException", (body) => {
      const { operation, run } = route(req.method ?? "GET", path, body);
      bump(calls, operation);
      // The operation's rate, after authentication and before anything runs: a throttled call
      // changes nothing and takes no token. Connect's limits are per account and Region, as this
      // emulator is one account in one Region.
      if (operation !== "Unknown" && limiter && !limiter.take(operation)) {
        bump(rateLimited, operation);
        throw new ConnectError(429, throttleErrors[operation] ?? "ThrottlingException", "Rate exceeded");
      }
      return withFaults(operation, run);
    }, (raw) => {
      // SigV4 with the stack's credentials, for service `connect` in this region (the model's
      // aws.auth#sigv4 name), before the body is even parsed, as AWS authenticates first (sigv4.ts).
      const refusal = checkSigV4(req, raw, { credentials: options.credentials, service: "connect", region });
      return refusal && new ConnectError(403, refusal.errorType, refusal.message, "message");
    });
  }

  async function withFaults(operation: string, run: () => unknown): Promise<unknown> {
    const applies = !faults.operations || faults.operations.includes(operation);
    if (!applies) return run();
    if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (faults.throttle) throw new ConnectError(429, "ThrottlingException", "Rate exceeded");
    if (faults.quota) throw new ConnectError(429, "LimitExceededException", "The concurrent active chat quota is reached");
    if (faults.serverError) throw new ConnectError(500, "InternalServiceException", "Internal service error");
    return run();
  }

  return {
    handle,
    endContact,
    contact: (contactId: string) => chats.contact(contactId),
    contacts: () => chats.all(),
    /** How many times each operation was called, refused ones included: what a request costs in AWS calls. */
    callCounts: () => Object.fromEntries(calls) as Record<string, number>,
    /** Per operation, the calls Connect's limits refused: by a rate (`rateLimited`) or at the active chat quota (`activeChatQuota`). Fault switches' refusals are not counted. */
    throttledCounts: (): ThrottledCounts => ({ rateLimited: Object.fromEntries(rateLimited), activeChatQuota: Object.fromEntries(activeChatRefusals) }),
    /** Replaces the fault switches; `{}` turns them all off. */
    setFaults(next: Faults) {
      faults = { ...next };
    },
    /** Puts other limits in force now (connect-quotas.ts), every bucket full. */
    setQuotas,
    /** The limits in force: undefined when they are off. */
    quotas: (): ConnectQuotas | undefined => quotas && structuredClone(quotas),
    /** Forgets the calls and the refusals counted so far. */
    resetCallCounts() {
      calls.clear();
      rateLimited.clear();
      activeChatRefusals.clear();
    },
  };
}

export type ConnectEmulator = ReturnType<typeof createConnectEmulator>;
