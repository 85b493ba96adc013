/**
 * POST /chat: hand a returning customer their live chat, or start one (design §2, §3).
 *
 * Exactly one contact per customer, whatever the concurrency: every start that replaces the same
 * chat sends Connect the same ClientToken, so racing starts get the same contact back, and the
 * record is written only if the customer's item still holds the chat it replaces. DynamoDB calls:
 * a brand-new customer 1 (put), a returning one 2 (get, put), a resume 1 (get).
 */
import type { ChatRecord } from "../chats-table";
import { apiErrorOf, errorResult, fail, jsonResult, type HttpApiEvent, type HttpApiResult } from "../http";
import type { Logger } from "../log";
import { awsFailure } from "./aws-errors";
import type { ConnectGateway, StartChatInput } from "./connect";
import { identifyCustomer, newAnonymousCustomer, sha256, type Customer } from "./customer";
import { parseBody, parseStartChatRequest, type StartChatRequest } from "./request";
import type { StartChatSettings } from "./settings";
import type { ChatStore } from "./store";

export interface StartChatDeps {
  settings: StartChatSettings;
  store: ChatStore;
  connect: ConnectGateway;
  log: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
}

export async function handleStartChat(event: HttpApiEvent, deps: StartChatDeps): Promise<HttpApiResult> {
  const log = deps.log.child({ apiRequestId: event.requestContext?.requestId });
  try {
    const request = parseStartChatRequest(parseBody(event.body, event.isBase64Encoded), deps.settings);
    return await startOrResume(request, identifyCustomer(event, deps.settings.authMode, request.resumeToken), { ...deps, log });
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

async function startOrResume(request: StartChatRequest, customer: Customer, deps: StartChatDeps): Promise<HttpApiResult> {
  const { settings, log } = deps;
  let existing = customer.mayHaveChat ? await call("dynamodb", deps, () => deps.store.get(customer.key)) : undefined;
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
  if (current?.chatStatus === "active" && current.expiresAt > nowSeconds && await call("connect", deps, () => deps.connect.isLive(current.contactId))) {
    log.info("chat resumed", { contactId: current.contactId });
    return chatResult(current, customer, true, settings);
  }

  const durationMinutes = request.chatDurationMinutes ?? settings.chatDurationMinutes;
  const input: StartChatInput = {
    displayName: request.displayName,
    attributes: await contactAttributes(request, deps),
    clientToken: sha256(`${customer.key}|${existing?.contactId ?? `first@${Math.floor(nowSeconds / 3600)}`}`),
    chatDurationMinutes: durationMinutes,
    contentTypes: request.contentTypes ?? settings.contentTypes,
    persistentChat: request.persistentChat ?? defaultRehydration(existing, settings),
    initialMessage: request.initialMessage,
  };
  const started = await startContact(input, deps);
  const chat: ChatRecord = {
    customerKey: customer.key,
    contactId: started.contactId,
    participantId: started.participantId,
    participantToken: started.participantToken,
    rootContactId: started.rehydrated && existing ? existing.rootContactId : started.contactId,
    chatStatus: "active",
    startedAt: nowSeconds,
    expiresAt: nowSeconds + durationMinutes * 60,
  };

  const recorded = await call("dynamodb", deps, () => deps.store.putIfCurrent(chat, existing?.contactId)).catch((error) => {
    // The contact exists but the customer cannot come back to it; it ends unjoined within minutes.
    log.error("chat started but not recorded", { contactId: chat.contactId });
    throw error;
  });
  if (recorded) {
    log.info("chat started", { contactId: chat.contactId, continuesContactId: started.rehydrated ? input.persistentChat?.sourceContactId : undefined, agentResolved: "agentId" in input.attributes });
    return chatResult(chat, customer, false, settings);
  }
  // A concurrent start recorded its chat first. With the shared ClientToken it is the same contact.
  existing = await call("dynamodb", deps, () => deps.store.get(customer.key));
  if (!existing) fail({ status: 503, code: "STORE_UNAVAILABLE", message: "The chat changed while starting. Please retry.", retryAfter: 1 });
  if (existing.contactId !== chat.contactId) log.warn("concurrent start recorded another contact", { contactId: existing.contactId, unusedContactId: chat.contactId });
  return chatResult(existing, customer, existing.contactId !== chat.contactId, settings);
}

function defaultRehydration(existing: ChatRecord | undefined, settings: StartChatSettings): StartChatInput["persistentChat"] {
  if (!existing || settings.rehydration === "NONE") return undefined;
  return settings.rehydration === "ENTIRE_PAST_SESSION"
    ? { rehydrationType: "ENTIRE_PAST_SESSION", sourceContactId: existing.rootContactId }
    : { rehydrationType: "FROM_SEGMENT", sourceContactId: existing.contactId };
}

async function contactAttributes(request: StartChatRequest, deps: StartChatDeps): Promise<Record<string, string>> {
  const attributes: Record<string, string> = { customerName: request.displayName, ...request.attributes };
  if (request.agentUsername) {
    attributes.agentUsername = request.agentUsername;
    // The chat flow routes by user id (UpdateContactTargetQueue takes no username); an unknown
    // username leaves it unset and the flow falls back to the default queue.
    const agentId = await deps.connect.agentIdFor(request.agentUsername);
    if (agentId) attributes.agentId = agentId;
  }
  return attributes;
}

/**
 * Starts the contact. Connect refuses rehydration it cannot do (the past chat is not ended yet, was
 * already continued, or persistence is off); the customer still gets a chat, without the history.
 */
async function startContact(input: StartChatInput, deps: StartChatDeps) {
  try {
    return { ...(await deps.connect.startChat(input)), rehydrated: Boolean(input.persistentChat) };
  } catch (error) {
    const refusedRehydration = input.persistentChat && ["InvalidRequestException", "InvalidParameterException", "ResourceNotFoundException"].includes((error as Error).name);
    if (!refusedRehydration) {
      if (!(error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode) {
        // No answer: Connect may still have made the contact. It ends unjoined within 5 minutes,
        // and the idempotency key (a hash, not a credential) names it.
        deps.log.error("chat start outcome unknown", { idempotencyKey: input.clientToken });
      }
      upstreamFailure("connect", error, deps);
    }
    deps.log.warn("rehydration refused; starting without history", { error, sourceContactId: input.persistentChat?.sourceContactId });
    const fresh = { ...input, persistentChat: undefined, clientToken: sha256(`${input.clientToken}|fresh`) };
    return { ...(await call("connect", deps, () => deps.connect.startChat(fresh))), rehydrated: false };
  }
}

async function call<T>(service: "connect" | "dynamodb", deps: StartChatDeps, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    return upstreamFailure(service, error, deps);
  }
}

function upstreamFailure(service: "connect" | "dynamodb", error: unknown, deps: StartChatDeps): never {
  deps.log.warn("AWS call failed", { service, error });
  return fail(awsFailure(service, error));
}

function chatResult(chat: ChatRecord, customer: Customer, resumed: boolean, settings: StartChatSettings): HttpApiResult {
  return jsonResult(200, {
    data: {
      startChatResult: { ContactId: chat.contactId, ParticipantId: chat.participantId, ParticipantToken: chat.participantToken },
      featurePermissions: { ATTACHMENTS: settings.attachments, MESSAGING_MARKDOWN: settings.contentTypes.includes("text/markdown") },
      resumed,
      ...(customer.resumeToken && { resumeToken: customer.resumeToken }),
    },
  });
}
