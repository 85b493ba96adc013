/**
 * Amazon Connect's participant service, emulated: the REST-JSON API and the websocket that ChatJS
 * (and @aws-sdk/client-connectparticipant) use, as ChatJS 5 speaks them. Tokens travel in
 * `X-Amz-Bearer` and are checked: a participant token opens connections, a connection token does
 * the rest; a wrong or dead token gets 403 AccessDeniedException, as from Connect.
 *
 * It answers browsers as the real one does: ChatJS runs on customers' own sites and calls
 * participant.connect.<region>.amazonaws.com directly, so any origin may call it (CORS below), the
 * websocket takes any Origin, and the attachment URLs have the CORS an attachments bucket has.
 *
 * It enforces the participant service's default API rates, which are per instance (connect-quotas.ts):
 * one token bucket per operation, SendMessage and SendEvent sharing one; beyond a rate, 429
 * ThrottlingException. Not the websocket, preflights or the attachment URLs (those stand for S3).
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { ChatItem } from "../www/src/transcript";
import { readBody } from "./api-gateway";
import { contentTypes, newToken, type ChatState, type Contact, type Participant } from "./chat-state";
import { ConnectError, serveRestJson } from "./connect-emulator";
import { createRateLimiter, resolveQuotas, sharedBuckets, type ConnectQuotas, type QuotaSetting, type RateLimiter, type ThrottledCounts } from "./connect-quotas";
import { attachmentDisposition } from "./content-disposition";

const day = 24 * 3600 * 1000;
/** "Maximum file size for an attachment to an email, case, or a chat: 20MB" (admin guide, "Amazon Connect feature specifications"). */
const maxAttachmentBytes = 20 * 1024 * 1024;
/** AttachmentName: the model's @length(min: 1, max: 256), counted in Unicode scalar values as Smithy counts. */
const maxAttachmentNameLength = 256;
/**
 * "File types supported for attachments to emails, cases, or chats: .csv, .doc, .docx, .heic,
 * .jfif, .jpeg, .jpg, .mov, .mp4, .pdf, .png, .ppt, .pptx, .rtf, .txt, .wav, .xls, .xlsx" (admin
 * guide, "Amazon Connect feature specifications"; StartAttachmentUpload's ContentType points there).
 * StartAttachmentUpload takes the MIME type ("the case-insensitive input to indicate standard MIME
 * type", AttachmentItem in the model): these are those files' types, with the aliases browsers give
 * them in File.type.
 */
const attachmentTypes = new Set([
  "text/csv", // .csv
  "application/msword", // .doc
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document", // .docx
  "image/heic", // .heic
  "image/jpeg", "image/pjpeg", // .jfif, .jpeg, .jpg
  "video/quicktime", // .mov
  "video/mp4", // .mp4
  "application/pdf", // .pdf
  "image/png", // .png
  "application/vnd.ms-powerpoint", // .ppt
  "application/vnd.openxmlformats-officedocument.presentationml.presentation", // .pptx
  "application/rtf", "text/rtf", // .rtf
  "text/plain", // .txt
  "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", // .wav
  "application/vnd.ms-excel", // .xls
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", // .xlsx
]);
/**
 * The pre-signed URLs' lifetimes. GetAttachment: UrlExpiryInSeconds, the model's @range(min: 5,
 * max: 300); when it is not given, the longest. StartAttachmentUpload's upload URL: 5 minutes too.
 */
const minUrlExpirySeconds = 5;
const maxUrlExpirySeconds = 300;
/**
 * How the attachment downloads are served, beyond their Content-Disposition: never sniffed into
 * another type, and, should a browser render one anyway, in a sandbox that runs nothing and loads
 * nothing. The bytes are whatever a participant uploaded, and locally they are served on the
 * stack's own origin, where the chat page is.
 */
const downloadHeaders = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; sandbox",
  "cache-control": "private, no-store",
};
/** SendMessage's documented limit for text/plain and text/markdown (the ChatContent shape itself allows 16384). */
const maxMessageCharacters = 1024;

/**
 * The participant service's error shapes and their `@httpError` codes, as its API model declares
 * them: aws/aws-sdk-js-v3, codegen/sdk-codegen/aws-models/connectparticipant.json (namespace
 * com.amazonaws.connectparticipant). Each has a `Message` member; serveRestJson sends it as
 * `{ "Message": … }` with the shape's name in `x-amzn-ErrorType`, as restJson1 reports errors.
 * Each operation answers only the shapes its `errors` list names.
 */
const modelErrors = {
  AccessDeniedException: 403,
  ConflictException: 409,
  InternalServerException: 500,
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  ValidationException: 400,
} as const;

function participantError(shape: keyof typeof modelErrors, message: string): ConnectError {
  return new ConnectError(modelErrors[shape], shape, message);
}

/**
 * CORS on every answer of the API, errors included, so that a browser client can read them.
 * `*` and no Allow-Credentials: callers authenticate with X-Amz-Bearer tokens, never cookies, and
 * neither ChatJS nor the SDK's fetch handler asks for credentials (it leaves `credentials` unset).
 * Exposed: what the SDK reads from an answer (request id, error type, and Date for clock skew).
 * Without x-amzn-ErrorType a browser client cannot tell one error from another: the body carries
 * only `Message`, and the SDK then names the error after the status code.
 */
const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "x-amzn-RequestId, x-amzn-ErrorType, Date",
};

/**
 * The preflight answer. The allowed headers are those the SDK v3 client sends from a browser:
 * ChatJS 5 sends authorization, content-type, x-amz-bearer, x-amz-content-sha256, x-amz-date and
 * x-amz-user-agent (its client signs with empty credentials, which the service ignores: "The
 * Amazon Connect Participant Service APIs do not use Signature Version 4 authentication"); newer
 * SDK clients add amz-sdk-invocation-id and amz-sdk-request (retries), x-amz-security-token with
 * session credentials, and x-amzn-trace-id where a trace is set. A fixed list, not an echo of
 * Access-Control-Request-Headers, so that a client sending something new shows up here.
 */
const preflightHeaders = {
  ...corsHeaders,
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": [
    "authorization", "content-type", "x-amz-bearer", "x-amz-content-sha256", "x-amz-date", "x-amz-user-agent",
    "x-amz-security-token", "amz-sdk-invocation-id", "amz-sdk-request", "x-amzn-trace-id",
  ].join(", "),
};

/**
 * The attachment URLs stand for pre-signed S3 URLs, so they answer as S3 does for a bucket whose
 * CORS rule allows PUT and GET from any origin with any header (`AllowedHeaders: ["*"]`, which S3
 * answers by returning the requested headers). ChatJS PUTs with UploadMetadata.HeadersToInclude
 * and GETs the download URL with fetch, both cross-origin from the customer's page.
 */
const attachmentCorsMethods = ["PUT", "GET"];

interface Connection {
  contact: Contact;
  participant: Participant;
}

interface Attachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  contact: Contact;
  uploader: Participant;
  body?: Buffer;
}

export interface ParticipantServiceOptions {
  chats: ChatState;
  /** `http://127.0.0.1:PORT`: websocket and attachment URLs are built on it. */
  origin: string;
  /** Runs the customer-remaining flow when an agent leaves, or ends the chat. */
  onAgentLeft(contact: Contact): void;
  /**
   * The stack's settings (StartChatSettings): `attachments` is the instance's switch ("Enable
   * attachments", admin guide), read on every call, so `npm start -- --attachments` (and a test that
   * flips it) has the participant service follow it. Off: StartAttachmentUpload is refused.
   */
  settings: { attachments: boolean };
  /**
   * Whether agents may send interactive messages (list pickers, quick replies, time pickers).
   * Connect's own SendMessage does not take them (its content types are text/plain, text/markdown,
   * application/json and the customer's …interactive.response): Lex bots and flows send them. The
   * local agent console stands in for those, so here an AGENT may, when this is on. Default off.
   */
  interactive?: boolean;
  /** Connect's limits (connect-quotas.ts); this service applies their `participant` rates. Default "default"; "off": none. */
  quotas?: QuotaSetting;
  /** The rate limits' clock, in milliseconds; tests pass their own. Default performance.now. */
  now?: () => number;
}

/** Interactive messages, and the templates Connect's flows check them against (admin guide, "interactive messages"). */
const interactiveContentType = "application/vnd.amazonaws.connect.message.interactive";
const interactiveTemplates = ["ListPicker", "TimePicker", "Panel", "QuickReply", "Carousel"];
/** The admin guide: "SendMessage checks only that the total size of the string is less than 20KB". */
const maxInteractiveBytes = 20 * 1024;

function interactiveProblem(content: unknown): string | undefined {
  if (typeof content !== "string" || Buffer.byteLength(content) >= maxInteractiveBytes) return `Content must be under ${maxInteractiveBytes} bytes`;
  try {
    const message = JSON.parse(content) as { templateType?: unknown; version?: unknown; data?: { content?: { title?: unknown } } } | null;
    if (!interactiveTemplates.includes(String(message?.templateType))) return `templateType must be one of ${interactiveTemplates.join(", ")}`;
    if (message?.version !== "1.0") return "version must be 1.0";
    if (typeof message.data?.content?.title !== "string" || !message.data.content.title) return "data.content.title is required";
  } catch {
    return "Content must be JSON";
  }
  return undefined;
}

export function createParticipantService({ chats, origin, onAgentLeft, settings, interactive = false, quotas: initialQuotas = "default", now = () => performance.now() }: ParticipantServiceOptions) {
  const connections = new Map<string, Connection>();
  /** The open websockets, each with the connection token it was opened with. */
  const socketTokens = new Map<WebSocket, string>();
  /** Signs the pre-signed attachment URLs, as S3 checks a pre-signed URL's signature. */
  const urlKey = randomBytes(32);
  /** Every connection token handed out, for the checks that none ever reaches a log. */
  const issuedTokens = new Set<string>();
  const attachments = new Map<string, Attachment>();
  const sockets = new Set<WebSocket>();
  const websocketServer = new WebSocketServer({ noServer: true });
  const calls = new Map<string, number>();
  const rateLimited = new Map<string, number>();
  const bump = (counts: Map<string, number>, operation: string) => counts.set(operation, (counts.get(operation) ?? 0) + 1);
  let quotas: ConnectQuotas | undefined;
  let limiter: RateLimiter | undefined;
  /** Puts a setting's participant rates in force: its buckets start full. Throws, changing nothing, on a value no bucket can have. */
  function setQuotas(setting: QuotaSetting): void {
    const next = resolveQuotas(setting);
    quotas = next;
    limiter = next && createRateLimiter(next.participant, now, sharedBuckets);
  }
  setQuotas(initialQuotas);

  // A chat's connections and attachments go with it: nothing a finished chat held stays behind.
  chats.onEnded((contact) => {
    for (const [token, connection] of connections) if (connection.contact === contact) connections.delete(token);
    for (const [id, attachment] of attachments) if (attachment.contact === contact) attachments.delete(id);
  });

  const denied = () => participantError("AccessDeniedException", "Access denied");
  const bearer = (req: IncomingMessage) => String(req.headers["x-amz-bearer"] ?? "");

  function connectionOf(req: IncomingMessage): Connection {
    const connection = connections.get(bearer(req));
    if (!connection || connection.participant.left || connection.contact.disconnectTimestamp) throw denied();
    return connection;
  }

  /** CreateParticipantConnection's credential: a participant token of someone still in a live chat. */
  function participantOf(req: IncomingMessage): Connection {
    const found = chats.participantByToken(bearer(req));
    if (!found || found.participant.left || found.contact.disconnectTimestamp) throw denied();
    return found;
  }

  function createConnection(req: IncomingMessage): unknown {
    const found = participantOf(req);
    const connectionToken = newToken();
    connections.set(connectionToken, found);
    issuedTokens.add(connectionToken);
    if (!found.contact.items.some((item) => item.ContentType === contentTypes.joined && item.ParticipantId === found.participant.id)) {
      chats.post(found.contact, found.participant, { Type: "EVENT", ContentType: contentTypes.joined });
    }
    const expiry = new Date(Date.now() + day).toISOString();
    return {
      Websocket: { Url: `${origin.replace(/^http/, "ws")}/participant/ws?token=${connectionToken}`, ConnectionExpiry: expiry },
      ConnectionCredentials: { ConnectionToken: connectionToken, Expiry: expiry },
    };
  }

  function sendMessage(req: IncomingMessage, body: Record<string, string>): unknown {
    const { contact, participant } = connectionOf(req);
    if (body.ContentType === interactiveContentType && interactive && participant.role === "AGENT") {
      const problem = interactiveProblem(body.Content);
      if (problem) throw participantError("ValidationException", problem);
      const item = chats.post(contact, participant, { Type: "MESSAGE", ContentType: body.ContentType, Content: body.Content });
      return { Id: item.Id, AbsoluteTime: item.AbsoluteTime };
    }
    if (body.ContentType !== "text/plain" && body.ContentType !== "text/markdown") throw participantError("ValidationException", "Unsupported ContentType");
    // Counted in Unicode scalar values, as Smithy's length constraints count.
    const length = typeof body.Content === "string" ? [...body.Content].length : 0;
    if (length < 1 || length > maxMessageCharacters) throw participantError("ValidationException", `Content must be 1-${maxMessageCharacters} characters for ${body.ContentType}`);
    const item = chats.post(contact, participant, { Type: "MESSAGE", ContentType: body.ContentType, Content: body.Content });
    if (participant.role === "CUSTOMER") contact.onCustomerReturned?.();
    return { Id: item.Id, AbsoluteTime: item.AbsoluteTime };
  }

  function sendEvent(req: IncomingMessage, body: Record<string, string>): unknown {
    const { contact, participant } = connectionOf(req);
    let item: ChatItem;
    if (body.ContentType === contentTypes.typing) {
      item = chats.post(contact, participant, { Type: "EVENT", ContentType: contentTypes.typing });
    } else if (body.ContentType === contentTypes.read || body.ContentType === contentTypes.delivered) {
      // Connect turns receipts into message metadata; the recipient is who sent the receipt.
      let messageId: unknown;
      try {
        messageId = (JSON.parse(body.Content ?? "{}") as { messageId?: unknown } | null)?.messageId;
      } catch {
        // Not JSON: refused below like JSON without a messageId.
      }
      if (typeof messageId !== "string" || !messageId) throw participantError("ValidationException", "Content must name the messageId");
      const at = new Date().toISOString();
      item = chats.post(contact, participant, {
        Type: "MESSAGEMETADATA",
        ContentType: contentTypes.metadata,
        MessageMetadata: { MessageId: messageId, Receipts: [{ RecipientParticipantId: participant.id, ...(body.ContentType === contentTypes.read ? { ReadTimestamp: at } : { DeliveredTimestamp: at }) }] },
      });
    } else {
      throw participantError("ValidationException", `Unsupported event ContentType ${body.ContentType}`);
    }
    return { Id: item.Id, AbsoluteTime: item.AbsoluteTime };
  }

  function getTranscript(req: IncomingMessage, body: Record<string, any>): unknown {
    const { contact } = connectionOf(req);
    const all = chats.history(contact);
    const max = Math.min(Math.max(Number(body.MaxResults ?? 15), 1), 100);
    const forward = body.ScanDirection === "FORWARD";
    // The page position: how many items from the newest (backward) or oldest (forward) were already given.
    const offset = body.NextToken ? Number(Buffer.from(String(body.NextToken), "base64url").toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw participantError("ValidationException", "Invalid NextToken");
    const page = forward ? all.slice(offset, offset + max) : all.slice(Math.max(all.length - offset - max, 0), all.length - offset);
    const more = offset + page.length < all.length;
    return {
      InitialContactId: contact.id,
      Transcript: body.SortOrder === "DESCENDING" ? [...page].reverse() : page,
      ...(more && { NextToken: Buffer.from(String(offset + page.length)).toString("base64url") }),
    };
  }

  /**
   * DisconnectParticipant. After it the participant is out of the chat: its connection tokens are
   * refused like any dead token (403 AccessDeniedException, as every operation's `errors` allow),
   * its participant token opens no new connection, and its websockets are closed, so nothing said
   * afterwards reaches it ("Disconnects a participant", API reference; CreateParticipantConnection:
   * "The participant token is valid for the lifetime of the participant – until they are part of a
   * contact").
   */
  function disconnect(req: IncomingMessage): unknown {
    const { contact, participant } = connectionOf(req);
    participant.left = true;
    for (const [token, connection] of connections) if (connection.participant === participant) connections.delete(token);
    chats.post(contact, participant, { Type: "EVENT", ContentType: contentTypes.left });
    if (participant.role === "AGENT") onAgentLeft(contact);
    else chats.end(contact);
    // Closed once its own "left" (and a customer's chat.ended) went out on it: ws sends in order.
    for (const [ws, token] of socketTokens) if (!connections.has(token)) ws.close(1000, "participant disconnected");
    return {};
  }

  /**
   * A pre-signed URL for one attachment and one method, valid `seconds`: X-Amz-Date, X-Amz-Expires
   * and X-Amz-Signature as S3's pre-signed URLs carry them, the signature covering all three.
   */
  function presign(method: "PUT" | "GET", id: string, seconds: number): { Url: string; UrlExpiry: string } {
    const date = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const signature = createHmac("sha256", urlKey).update(`${method}\n${id}\n${date}\n${seconds}`).digest("hex");
    const query = new URLSearchParams({ "X-Amz-Date": date, "X-Amz-Expires": String(seconds), "X-Amz-Signature": signature });
    return { Url: `${origin}/participant/attachments/${id}?${query}`, UrlExpiry: new Date(Date.now() + seconds * 1000).toISOString() };
  }

  /** S3's answer to a pre-signed URL that is altered, expired, or for another method: 403, or undefined when it is good. */
  function presignedProblem(req: IncomingMessage, id: string): string | undefined {
    const query = new URL(`http://local${req.url ?? "/"}`).searchParams;
    const date = query.get("X-Amz-Date") ?? "";
    const seconds = query.get("X-Amz-Expires") ?? "";
    const given = Buffer.from(query.get("X-Amz-Signature") ?? "");
    const expected = Buffer.from(createHmac("sha256", urlKey).update(`${req.method}\n${id}\n${date}\n${seconds}`).digest("hex"));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "SignatureDoesNotMatch";
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    const signedAt = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
    if (!(Date.now() <= signedAt + Number(seconds) * 1000)) return "Request has expired";
    return undefined;
  }

  /**
   * StartAttachmentUpload, with the instance's switch and the documented limits: the feature
   * specification's file types and 20 MB, and the model's AttachmentName @length(1, 256) and
   * AttachmentSizeInBytes @range(min: 1). What breaks them is the model's ValidationException ("The
   * input fails to satisfy the constraints specified by Amazon Connect").
   */
  function startAttachmentUpload(req: IncomingMessage, body: Record<string, any>): unknown {
    const { contact, participant } = connectionOf(req);
    // Connect documents no error for an instance with attachments off. Of StartAttachmentUpload's
    // errors in the model, AccessDeniedException ("You do not have sufficient access to perform
    // this action") is the one that says so; it is also what ChatJS shows as a failed upload.
    if (!settings.attachments) throw participantError("AccessDeniedException", "Attachments are not enabled for this instance");
    const size = Number(body.AttachmentSizeInBytes);
    const name = typeof body.AttachmentName === "string" ? body.AttachmentName : "";
    const contentType = typeof body.ContentType === "string" ? body.ContentType.toLowerCase() : "";
    if (!Number.isInteger(size) || size < 1 || size > maxAttachmentBytes) throw participantError("ValidationException", `AttachmentSizeInBytes must be 1 to ${maxAttachmentBytes}`);
    const nameLength = [...name].length;
    if (nameLength < 1 || nameLength > maxAttachmentNameLength) throw participantError("ValidationException", `AttachmentName must be 1-${maxAttachmentNameLength} characters`);
    if (!attachmentTypes.has(contentType)) throw participantError("ValidationException", `ContentType ${contentType || "(none)"} is not a supported attachment type`);
    const id = randomUUID();
    attachments.set(id, { id, name, contentType, size, contact, uploader: participant });
    const { Url, UrlExpiry } = presign("PUT", id, maxUrlExpirySeconds);
    return { AttachmentId: id, UploadMetadata: { Url, UrlExpiry, HeadersToInclude: {} } };
  }

  function completeAttachmentUpload(req: IncomingMessage, body: Record<string, any>): unknown {
    const { contact } = connectionOf(req);
    // The model's AttachmentIdList: @length(min: 1, max: 1).
    if (!Array.isArray(body.AttachmentIds) || body.AttachmentIds.length !== 1) throw participantError("ValidationException", "AttachmentIds must hold one attachment id");
    for (const id of body.AttachmentIds) {
      const attachment = attachments.get(id);
      if (!attachment?.body || attachment.contact !== contact) throw participantError("ValidationException", "The attachment was not uploaded");
      chats.post(contact, attachment.uploader, {
        Type: "ATTACHMENT",
        Attachments: [{ AttachmentId: id, AttachmentName: attachment.name, ContentType: attachment.contentType, Status: "APPROVED" }],
      });
    }
    return {};
  }

  function getAttachment(req: IncomingMessage, body: Record<string, any>): unknown {
    const { contact } = connectionOf(req);
    const attachment = attachments.get(body.AttachmentId);
    // GetAttachment's errors in the model are AccessDenied, InternalServer, Throttling and Validation:
    // an unknown attachment, or another chat's, is a ValidationException (never ResourceNotFound).
    if (!attachment?.body || attachment.contact !== contact) throw participantError("ValidationException", "No such attachment in this chat");
    const seconds = body.UrlExpiryInSeconds ?? maxUrlExpirySeconds;
    if (!Number.isInteger(seconds) || seconds < minUrlExpirySeconds || seconds > maxUrlExpirySeconds) {
      throw participantError("ValidationException", `UrlExpiryInSeconds must be ${minUrlExpirySeconds}-${maxUrlExpirySeconds}`);
    }
    return { ...presign("GET", attachment.id, seconds), AttachmentSizeInBytes: attachment.size };
  }

  /** The pre-signed upload and download URLs: PUT stores the bytes once, GET returns them. */
  async function attachmentBytes(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    // S3 evaluates CORS before the object: a preflight never depends on the attachment.
    res.setHeader("vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
    if (req.method === "OPTIONS") {
      const method = String(req.headers["access-control-request-method"] ?? "");
      if (!req.headers.origin || !attachmentCorsMethods.includes(method)) return void res.writeHead(403).end();
      const requested = req.headers["access-control-request-headers"];
      return void res.writeHead(200, {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": attachmentCorsMethods.join(", "),
        ...(requested && { "access-control-allow-headers": requested }),
      }).end();
    }
    if (req.headers.origin) res.setHeader("access-control-allow-origin", "*");
    const attachment = attachments.get(id);
    if (!attachment) return void res.writeHead(404).end();
    const s3Error = (status: number, code: string, message: string) => void res.writeHead(status, { "content-type": "application/xml" })
      .end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
    // The URL is the credential, as a pre-signed S3 URL is: signed for this method, and not expired.
    const problem = presignedProblem(req, id);
    if (problem) return s3Error(403, "AccessDenied", problem);
    if (req.method === "PUT" && !attachment.body) {
      // Exactly the AttachmentSizeInBytes the upload was started with, not a byte more or less.
      const received = await readBody(req, attachment.size).catch(() => undefined);
      if (received?.length !== attachment.size) return s3Error(400, "InvalidRequest", `The upload must be the ${attachment.size} bytes StartAttachmentUpload declared`);
      attachment.body = received;
      return void res.writeHead(200).end();
    }
    if (req.method === "GET" && attachment.body) {
      for (const [name, value] of Object.entries(downloadHeaders)) res.setHeader(name, value);
      return void res.writeHead(200, { "content-type": attachment.contentType, "content-disposition": attachmentDisposition(attachment.name) }).end(attachment.body);
    }
    res.writeHead(403).end();
  }

  const routes: Record<string, { operation: string; run: (req: IncomingMessage, body: any) => unknown }> = {
    "/participant/connection": { operation: "CreateParticipantConnection", run: createConnection },
    "/participant/message": { operation: "SendMessage", run: sendMessage },
    "/participant/event": { operation: "SendEvent", run: sendEvent },
    "/participant/transcript": { operation: "GetTranscript", run: getTranscript },
    "/participant/disconnect": { operation: "DisconnectParticipant", run: disconnect },
    "/participant/start-attachment-upload": { operation: "StartAttachmentUpload", run: startAttachmentUpload },
    "/participant/complete-attachment-upload": { operation: "CompleteAttachmentUpload", run: completeAttachmentUpload },
    "/participant/attachment": { operation: "GetAttachment", run: getAttachment },
  };

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const attachment = /^\/participant\/attachments\/([0-9a-f-]+)$/.exec(path);
    if (attachment) return attachmentBytes(req, res, attachment[1]);
    if (req.method === "OPTIONS") return void res.writeHead(200, preflightHeaders).end();
    // writeHead in serveRestJson keeps these: CORS on every answer, errors included.
    for (const [name, value] of Object.entries(corsHeaders)) res.setHeader(name, value);
    return serveRestJson(req, res, "ValidationException", async (body) => {
      const route = req.method === "POST" ? routes[path] : undefined;
      bump(calls, route?.operation ?? "Unknown");
      // Not an operation of the model, so no model shape: what an unknown route gets.
      if (!route) throw new ConnectError(404, "UnknownOperationException", `${req.method} ${path} is not emulated`);
      // The rate is the instance's ("the quotas are by instance"), so a call is charged to it once its
      // token shows which instance it is for: a wrong or dead token gets its 403 and costs nothing.
      // Then, before the operation runs, a call beyond the rate is refused and changes nothing.
      try {
        if (route.operation === "CreateParticipantConnection") participantOf(req);
        else connectionOf(req);
        if (limiter && !limiter.take(route.operation)) {
          bump(rateLimited, route.operation);
          throw participantError("ThrottlingException", "Rate exceeded");
        }
        return await route.run(req, body);
      } catch (error) {
        // A failure of the emulator itself is the model's InternalServerException, not a client error.
        if (error instanceof ConnectError) throw error;
        console.error(`participant service: ${path} failed: ${error instanceof Error ? error.stack : String(error)}`);
        throw participantError("InternalServerException", "Internal server error");
      }
    });
  }

  /**
   * The websocket ChatJS opens at Websocket.Url: subscribe, heartbeats, and the chat's items.
   * Like Connect's, it takes any Origin and no cookies: the token in the URL is the credential.
   */
  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const token = new URL(req.url ?? "", origin).searchParams.get("token") ?? "";
    const connection = connections.get(token);
    // A participant who left, like a chat that ended, has no connection to open.
    if (!connection || connection.participant.left || connection.contact.disconnectTimestamp) {
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    websocketServer.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      socketTokens.set(ws, token);
      const frame = (value: unknown) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(value));
      let stopListening: (() => void) | undefined;
      ws.on("message", (data) => {
        let message: { topic?: string };
        try {
          message = JSON.parse(String(data));
        } catch {
          return;
        }
        if (message.topic === "aws/subscribe") {
          frame({ topic: "aws/subscribe", content: { status: "success", topics: ["aws/chat"] } });
          stopListening ??= chats.listen(connection.contact.id, (item) => {
            frame({ topic: "aws/chat", contentType: "application/json", content: JSON.stringify(item) });
            // After chat.ended Connect closes the connection.
            if (item.ContentType === contentTypes.ended) setTimeout(() => ws.close(1000), 50);
          });
        } else if (message.topic === "aws/heartbeat") frame({ topic: "aws/heartbeat" });
        else if (message.topic === "aws/ping") frame({ topic: "aws/ping", statusCode: 200 });
      });
      ws.on("close", () => {
        stopListening?.();
        sockets.delete(ws);
        socketTokens.delete(ws);
      });
    });
  }

  return {
    handle,
    upgrade,
    issuedConnectionTokens: () => [...issuedTokens],
    /** How many times each operation was called, refused ones included (not preflights, the websocket or attachment URLs). */
    callCounts: () => Object.fromEntries(calls) as Record<string, number>,
    /** Per operation, the calls its rate refused (`rateLimited`); the active chat quota is the control plane's, so `activeChatQuota` stays empty here. */
    throttledCounts: (): ThrottledCounts => ({ rateLimited: Object.fromEntries(rateLimited), activeChatQuota: {} }),
    /** Forgets the calls and refusals counted so far. */
    resetCallCounts() {
      calls.clear();
      rateLimited.clear();
    },
    /** Puts other limits in force now (their `participant` rates), every bucket full. */
    setQuotas,
    /** The limits in force: undefined when they are off. */
    quotas: (): ConnectQuotas | undefined => quotas && structuredClone(quotas),
    /** Drops every websocket, as a network failure would; clients reconnect on their own. */
    dropConnections() {
      for (const ws of sockets) ws.terminate();
    },
    close() {
      for (const ws of sockets) ws.terminate();
      websocketServer.close();
    },
  };
}

export type ParticipantService = ReturnType<typeof createParticipantService>;
