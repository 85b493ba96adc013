/**
 * POST /chat: hand a returning customer their live chat, or start one (design §2, §3).
 *
 * Exactly one contact per customer, whatever the concurrency: every start that replaces the same
 * chat sends Connect the same ClientToken, so racing starts get the same contact back, and the
 * record is written only if the customer's item still holds the chat it replaces. DynamoDB calls:
 * a resume 1 (get); a new chat adds the per-client counter's update when that limit is on, so a
 * brand-new customer 2 (update, put) and a returning one 3 (get, update, put). Signed-in mode adds
 * one KMS call (seal.ts): Encrypt for a new chat, Decrypt for a resume.
 */
import { randomUUID } from "node:crypto";
import type { ChatClaim, ChatRecord } from "../chats-table";
import { apiErrorOf, errorResult, fail, jsonResult, type HttpApiEvent, type HttpApiResult } from "../http";
import type { Logger } from "../log";
import { awsFailure, isTransient, type AwsService } from "./aws-errors";
import { checkBrowserOrigin, clientAddress } from "./client";
import type { NewChatLimiter } from "./client-limit";
import type { ConnectGateway, StartChatInput } from "./connect";
import { identifyCustomer, newAnonymousCustomer, sha256, type Customer } from "./customer";
import { parseBody, parseStartChatRequest, type StartChatRequest } from "./request";
import { defaultRetryPolicy, retryTransient, type RetryPolicy } from "./retry";
import type { TokenSeal } from "./seal";
import type { StartChatSettings } from "./settings";
import type { ChatStore } from "./store";

export interface StartChatDeps {
  settings: StartChatSettings;
  store: ChatStore;
  connect: ConnectGateway;
  /** Seals participant tokens for the table and opens them on resume. */
  tokens: TokenSeal;
  /** Counts new chats per client (resumes are free). */
  newChatLimiter: NewChatLimiter;
  log: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** How a transient Connect failure is retried within a request. Default `defaultRetryPolicy`. */
  retry?: RetryPolicy;
}

/** One request's dependencies: when its retries must stop (ms since the epoch). */
interface RequestDeps extends StartChatDeps {
  retryDeadline: number;
}

export async function handleStartChat(event: HttpApiEvent, deps: StartChatDeps): Promise<HttpApiResult> {
  let log = deps.log.child({ apiRequestId: event.requestContext?.requestId });
  try {
    // Who may call comes before what they ask: a refused caller learns nothing about the request.
    checkBrowserOrigin(event.headers, deps.settings);
    const client = clientAddress(event, deps.settings);
    // The viewer, not the CloudFront edge that API Gateway's access log records behind the site.
    log = log.child({ clientAddress: client });
    const request = parseStartChatRequest(parseBody(event.body, event.isBase64Encoded), deps.settings);
    const retryDeadline = deps.now() + (deps.retry ?? defaultRetryPolicy).budgetMs;
    return await startOrResume(request, identifyCustomer(event, deps.settings.authMode, request.resumeToken), client, { ...deps, log, retryDeadline });
  } catch (thrown) {
    const error = apiErrorOf(thrown);
    if (error) {
      log[error.status >= 500 ? "error" : "info"]("start-chat refused", { status: error.status, code: error.code, field: error.field });
      return errorResult(error);
    }
    log.error("start-chat failed", { error: thrown });
    return errorResult({ status: 500, code: "INTERNAL", message: "The chat could not be started." });
  }
}

async function startOrResume(request: StartChatRequest, customer: Customer, client: string, deps: RequestDeps): Promise<HttpApiResult> {
  const { settings, log } = deps;
  // The agent's id, looked up while the customer's record is read rather than after: a new chat
  // needs it, and a resumed one leaves it in the lookup cache (agentIdFor never rejects).
  const agentId = request.agentUsername ? deps.connect.agentIdFor(request.agentUsername) : undefined;
  let existing = customer.mayHaveChat ? await recordedChat(customer.key, deps) : undefined;
  if (!existing && customer.resumeToken && customer.mayHaveChat) {
    // A token we no longer know (its chat expired): start afresh under a new one rather than
    // adopt a client-chosen value as an identity.
    customer = newAnonymousCustomer();
  }

  const history = existing ? [existing.contactId, existing.rootContactId] : [];
  if (request.persistentChat && !history.includes(request.persistentChat.sourceContactId)) {
    fail({ status: 400, code: "FOREIGN_CONTACT", field: "PersistentChat.SourceContactId", message: "PersistentChat.SourceContactId: not a chat of yours." });
  }

  const nowSeconds = Math.floor(deps.now() / 1000);
  const current = existing;
  if (current?.chatStatus === "active" && current.expiresAt > nowSeconds && await stillLive(current, request, nowSeconds, deps)) {
    const participantToken = await openToken(current, customer, deps);
    if (participantToken) {
      log.info("chat resumed", { contactId: current.contactId });
      return chatResult(current, participantToken, customer, true, settings);
    }
    // Its token was sealed for another item, or the item predates sealing: nobody can rejoin that
    // chat through us, so the customer gets a new one.
    log.warn("live chat not resumable; starting a new one", { contactId: current.contactId });
  }

  if (existing && customer.resumeToken && continuationOver(existing, nowSeconds, settings)) {
    // Anonymous continuation is bounded (a shared device keeps tokens): past the window the token
    // is worthless, and the customer starts afresh with no history under a new one.
    if (request.persistentChat) fail({ status: 400, code: "CONTINUATION_EXPIRED", field: "PersistentChat.SourceContactId", message: "PersistentChat.SourceContactId: that chat ended too long ago to continue." });
    log.info("continuation window over; starting afresh", { contactId: existing.contactId });
    customer = newAnonymousCustomer();
    existing = undefined;
  }

  const { retryAfter } = await call("dynamodb", deps, () => deps.newChatLimiter.take(client, deps.now()));
  if (retryAfter) {
    fail({ status: 429, code: "TOO_MANY_CHATS", message: "Too many new chats from your network. Please wait a minute and try again.", retryAfter });
  }

  // A signed-in customer's first chat: claim their item before calling Connect, so that any number of
  // simultaneous first starts make one contact. (An anonymous customer with no record has just been
  // given a key nobody else holds.) A start that finds the claim taken hands back the winner's chat.
  let claim: ChatClaim | undefined;
  if (!existing && customer.mayHaveChat) {
    claim = { customerKey: customer.key, chatStatus: "starting", claimId: randomUUID(), expiresAt: nowSeconds + claimSeconds };
    const claimed = claim;
    if (!await call("dynamodb", deps, () => deps.store.claim(claimed, nowSeconds))) return concurrentChat(customer, undefined, deps);
  }

  // The deployer's maximum is a ceiling no request can raise.
  const durationMinutes = Math.min(request.chatDurationMinutes ?? settings.chatDurationMinutes, settings.maxChatDurationMinutes);
  const input: StartChatInput = {
    displayName: request.displayName,
    attributes: await contactAttributes(request, agentId),
    // The same for every start that replaces the same chat: Connect hands racing starts one contact.
    clientToken: sha256(`${customer.key}|${existing?.contactId ?? claim?.claimId ?? "first"}`),
    chatDurationMinutes: durationMinutes,
    contentTypes: request.contentTypes ?? settings.contentTypes,
    persistentChat: request.persistentChat ?? defaultRehydration(existing, settings),
    initialMessage: request.initialMessage,
  };
  // A start that fails leaves no claim behind (best effort: a claim left anyway expires).
  const releaseClaim = () => claim && deps.store.release(claim).catch((error) => log.warn("claim not released", { error }));
  const started = await startContact(input, deps).catch(async (error) => {
    await releaseClaim();
    throw error;
  });
  const unrecorded = async (error: unknown): Promise<never> => {
    // The contact exists but the customer cannot come back to it; it ends unjoined within minutes.
    log.error("chat started but not recorded", { contactId: started.contactId });
    await releaseClaim();
    throw error;
  };
  const chat: ChatRecord = {
    customerKey: customer.key,
    contactId: started.contactId,
    participantId: started.participantId,
    sealedParticipantToken: await call("kms", deps, () => deps.tokens.seal(started.participantToken, customer, started.contactId)).catch(unrecorded),
    rootContactId: started.rehydrated && existing ? existing.rootContactId : started.contactId,
    chatStatus: "active",
    startedAt: nowSeconds,
    expiresAt: nowSeconds + durationMinutes * 60,
  };

  const replaces = existing ? { contactId: existing.contactId } : claim && { claimId: claim.claimId };
  const recorded = await call("dynamodb", deps, () => deps.store.putIfCurrent(chat, replaces)).catch(unrecorded);
  if (recorded) {
    log.info("chat started", { contactId: chat.contactId, continuesContactId: started.rehydrated ? input.persistentChat?.sourceContactId : undefined, agentResolved: "agentId" in input.attributes });
    return chatResult(chat, started.participantToken, customer, false, settings);
  }
  // A concurrent start recorded its chat first. With the shared ClientToken it is the same contact.
  return concurrentChat(customer, chat.contactId, deps);
}

/**
 * Whether to hand `chat` back as live. Connect's DescribeContact is asked at most once per
 * `liveCheckSeconds` for a chat, and its failing (throttled in a crowd, or down) hands back the chat
 * we have rather than failing the customer: if it has ended, the page learns at once (the
 * participant service refuses it) and asks again with `endedChat`. That question Connect must
 * answer, retried like a start, since only its answer may replace a chat the customer has.
 */
async function stillLive(chat: ChatRecord, request: StartChatRequest, nowSeconds: number, deps: RequestDeps): Promise<boolean> {
  const saidEnded = request.endedChat === chat.contactId;
  if (!saidEnded && nowSeconds - (chat.checkedAt ?? chat.startedAt) < deps.settings.liveCheckSeconds) return true;
  let live: boolean;
  try {
    live = saidEnded ? await retryConnect(() => deps.connect.isLive(chat.contactId), deps) : await deps.connect.isLive(chat.contactId);
  } catch (error) {
    if (saidEnded || !isTransient(error)) return upstreamFailure("connect", error, deps);
    deps.log.warn("Connect did not say whether the chat is live; handing back the recorded one", { contactId: chat.contactId, error });
    return true;
  }
  // Best effort: without the note, the next return asks Connect again.
  if (live) await deps.store.markChecked(chat, nowSeconds).catch((error: unknown) => deps.log.warn("live check not recorded", { error }));
  return live;
}

/** A claim outlives the function's 29 s timeout: a start still running never loses its claim. */
const claimSeconds = 30;
/** How long a start waits for a concurrent start to record the chat it claimed. */
const claimWait = { tries: 12, everyMs: 250 };

/**
 * The customer's recorded chat. While a concurrent start holds a claim on the item, waits for its
 * chat; a claim whose start died (expired) counts as no chat, and is taken over by the next claim.
 */
async function recordedChat(customerKey: string, deps: RequestDeps): Promise<ChatRecord | undefined> {
  for (let attempt = 0; ; attempt++) {
    const item = await call("dynamodb", deps, () => deps.store.get(customerKey));
    if (item?.chatStatus !== "starting") return item;
    if (item.expiresAt <= Math.floor(deps.now() / 1000)) return undefined;
    if (attempt === claimWait.tries) fail({ status: 503, code: "CHAT_STARTING", message: "Your chat is still starting. Please retry.", retryAfter: 1 });
    await new Promise((resolve) => setTimeout(resolve, claimWait.everyMs));
  }
}

/** The chat a concurrent start recorded for this customer, handed back in place of ours (`ourContactId`, when we made one). */
async function concurrentChat(customer: Customer, ourContactId: string | undefined, deps: RequestDeps): Promise<HttpApiResult> {
  const theirs = await recordedChat(customer.key, deps);
  const participantToken = theirs && await openToken(theirs, customer, deps);
  if (!theirs || !participantToken) fail({ status: 503, code: "STORE_UNAVAILABLE", message: "The chat changed while starting. Please retry.", retryAfter: 1 });
  if (ourContactId && theirs.contactId !== ourContactId) deps.log.warn("concurrent start recorded another contact", { contactId: theirs.contactId, unusedContactId: ourContactId });
  return chatResult(theirs, participantToken, customer, theirs.contactId !== ourContactId, deps.settings);
}

/** The participant token sealed in `chat`; undefined when this customer cannot open it (seal.ts). */
function openToken(chat: ChatRecord, customer: Customer, deps: RequestDeps): Promise<string | undefined> {
  return call("kms", deps, () => deps.tokens.open(chat.sealedParticipantToken, customer, chat.contactId));
}

/** Whether an ended chat is past the anonymous continuation window: from its end when the transcript watcher saw it, else (sooner) from its start. */
function continuationOver(chat: ChatRecord, nowSeconds: number, settings: StartChatSettings): boolean {
  return (chat.endedAt ?? chat.startedAt) + settings.continuationMinutes * 60 <= nowSeconds;
}

function defaultRehydration(existing: ChatRecord | undefined, settings: StartChatSettings): StartChatInput["persistentChat"] {
  if (!existing || settings.rehydration === "NONE") return undefined;
  return settings.rehydration === "ENTIRE_PAST_SESSION"
    ? { rehydrationType: "ENTIRE_PAST_SESSION", sourceContactId: existing.rootContactId }
    : { rehydrationType: "FROM_SEGMENT", sourceContactId: existing.contactId };
}

async function contactAttributes(request: StartChatRequest, agentLookup: Promise<string | undefined> | undefined): Promise<Record<string, string>> {
  // customerName is always the display name as checked: a client's own (allowed by default, and
  // always sent by the AWS sample widget) never overrides it.
  const attributes: Record<string, string> = { ...request.attributes, customerName: request.displayName };
  if (request.agentUsername) {
    attributes.agentUsername = request.agentUsername;
    // The chat flow routes by user id (UpdateContactTargetQueue takes no username); an unknown
    // username leaves it unset and the flow falls back to the default queue.
    const agentId = await agentLookup;
    if (agentId) attributes.agentId = agentId;
  }
  return attributes;
}

/**
 * Starts the contact. Connect refuses rehydration it cannot do (the past chat is not ended yet, was
 * already continued, or persistence is off); the customer still gets a chat, without the history.
 */
async function startContact(input: StartChatInput, deps: RequestDeps) {
  try {
    return { ...(await retryConnect(() => deps.connect.startChat(input), deps)), rehydrated: Boolean(input.persistentChat) };
  } catch (error) {
    const refusedRehydration = input.persistentChat && ["InvalidRequestException", "InvalidParameterException", "ResourceNotFoundException"].includes((error as Error).name);
    if (!refusedRehydration) {
      if (!(error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode) {
        // No answer: Connect may still have made the contact. It ends unjoined within 5 minutes.
        // The ClientToken is logged only as its hash: sent to StartChatContact again, the token
        // would hand back that contact's participant token. An operator who recomputes the token
        // from the customer's record can still match the hash.
        deps.log.error("chat start outcome unknown", { idempotencyKeyHash: sha256(input.clientToken) });
      }
      upstreamFailure("connect", error, deps);
    }
    deps.log.warn("rehydration refused; starting without history", { error, sourceContactId: input.persistentChat?.sourceContactId });
    const fresh = { ...input, persistentChat: undefined, clientToken: sha256(`${input.clientToken}|fresh`) };
    return { ...(await call("connect", deps, () => deps.connect.startChat(fresh))), rehydrated: false };
  }
}

/** An AWS call whose failure becomes the caller's error; Connect's are first retried while they are transient. */
async function call<T>(service: AwsService, deps: RequestDeps, operation: () => Promise<T>): Promise<T> {
  try {
    return service === "connect" ? await retryConnect(operation, deps) : await operation();
  } catch (error) {
    return upstreamFailure(service, error, deps);
  }
}

function retryConnect<T>(operation: () => Promise<T>, deps: RequestDeps): Promise<T> {
  return retryTransient(operation, {
    deadline: deps.retryDeadline,
    now: deps.now,
    policy: deps.retry ?? defaultRetryPolicy,
    onRetry: (error, attempt) => deps.log.info("Connect call retried", { attempt, error: (error as Error).name }),
  });
}

function upstreamFailure(service: AwsService, error: unknown, deps: RequestDeps): never {
  deps.log.warn("AWS call failed", { service, error });
  return fail(awsFailure(service, error));
}

function chatResult(chat: ChatRecord, participantToken: string, customer: Customer, resumed: boolean, settings: StartChatSettings): HttpApiResult {
  return jsonResult(200, {
    data: {
      startChatResult: { ContactId: chat.contactId, ParticipantId: chat.participantId, ParticipantToken: participantToken },
      featurePermissions: { ATTACHMENTS: settings.attachments, MESSAGING_MARKDOWN: settings.contentTypes.includes("text/markdown") },
      resumed,
      ...(customer.resumeToken && { resumeToken: customer.resumeToken }),
    },
  });
}
