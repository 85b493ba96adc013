/**
 * Amazon Connect's participant service, emulated: the REST-JSON API and the websocket that ChatJS
 * (and @aws-sdk/client-connectparticipant) use, as ChatJS 5 speaks them. Tokens travel in
 * `X-Amz-Bearer` and are checked: a participant token opens connections, a connection token does
 * the rest; a wrong or dead token gets 403 AccessDeniedException, as from Connect.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { ChatItem } from "../www/src/transcript";
import { readBody } from "./api-gateway";
import { contentTypes, newToken, type ChatState, type Contact, type Participant } from "./chat-state";
import { ConnectError, serveRestJson } from "./connect-emulator";

const day = 24 * 3600 * 1000;
const maxAttachmentBytes = 20 * 1024 * 1024;

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
}

export function createParticipantService({ chats, origin, onAgentLeft }: ParticipantServiceOptions) {
  const connections = new Map<string, Connection>();
  /** Every connection token handed out, for the checks that none ever reaches a log. */
  const issuedTokens = new Set<string>();
  const attachments = new Map<string, Attachment>();
  const sockets = new Set<WebSocket>();
  const websocketServer = new WebSocketServer({ noServer: true });

  // A chat's connections and attachments go with it: nothing a finished chat held stays behind.
  chats.onEnded((contact) => {
    for (const [token, connection] of connections) if (connection.contact === contact) connections.delete(token);
    for (const [id, attachment] of attachments) if (attachment.contact === contact) attachments.delete(id);
  });

  const denied = () => new ConnectError(403, "AccessDeniedException", "Access denied");
  const bearer = (req: IncomingMessage) => String(req.headers["x-amz-bearer"] ?? "");

  function connectionOf(req: IncomingMessage): Connection {
    const connection = connections.get(bearer(req));
    if (!connection || connection.participant.left || connection.contact.disconnectTimestamp) throw denied();
    return connection;
  }

  function createConnection(req: IncomingMessage): unknown {
    const found = chats.participantByToken(bearer(req));
    if (!found || found.participant.left || found.contact.disconnectTimestamp) throw denied();
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
    if (body.ContentType !== "text/plain" && body.ContentType !== "text/markdown") throw new ConnectError(400, "ValidationException", "Unsupported ContentType");
    if (typeof body.Content !== "string" || body.Content.length < 1 || body.Content.length > 16384) throw new ConnectError(400, "ValidationException", "Content must be 1-16384 characters");
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
      const messageId = (JSON.parse(body.Content ?? "{}") as { messageId?: string }).messageId;
      if (!messageId) throw new ConnectError(400, "ValidationException", "Content must name the messageId");
      const at = new Date().toISOString();
      item = chats.post(contact, participant, {
        Type: "MESSAGEMETADATA",
        ContentType: contentTypes.metadata,
        MessageMetadata: { MessageId: messageId, Receipts: [{ RecipientParticipantId: participant.id, ...(body.ContentType === contentTypes.read ? { ReadTimestamp: at } : { DeliveredTimestamp: at }) }] },
      });
    } else {
      throw new ConnectError(400, "ValidationException", `Unsupported event ContentType ${body.ContentType}`);
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
    if (!Number.isInteger(offset) || offset < 0) throw new ConnectError(400, "ValidationException", "Invalid NextToken");
    const page = forward ? all.slice(offset, offset + max) : all.slice(Math.max(all.length - offset - max, 0), all.length - offset);
    const more = offset + page.length < all.length;
    return {
      InitialContactId: contact.id,
      Transcript: body.SortOrder === "DESCENDING" ? [...page].reverse() : page,
      ...(more && { NextToken: Buffer.from(String(offset + page.length)).toString("base64url") }),
    };
  }

  function disconnect(req: IncomingMessage): unknown {
    const { contact, participant } = connectionOf(req);
    participant.left = true;
    chats.post(contact, participant, { Type: "EVENT", ContentType: contentTypes.left });
    if (participant.role === "AGENT") onAgentLeft(contact);
    else chats.end(contact);
    return {};
  }

  function startAttachmentUpload(req: IncomingMessage, body: Record<string, any>): unknown {
    const { contact, participant } = connectionOf(req);
    const size = Number(body.AttachmentSizeInBytes);
    if (!body.AttachmentName || !Number.isInteger(size) || size < 1 || size > maxAttachmentBytes) {
      throw new ConnectError(400, "ValidationException", `Attachments must be 1 byte to ${maxAttachmentBytes} bytes`);
    }
    const id = randomUUID();
    attachments.set(id, { id, name: String(body.AttachmentName), contentType: String(body.ContentType ?? "application/octet-stream"), size, contact, uploader: participant });
    return { AttachmentId: id, UploadMetadata: { Url: `${origin}/participant/attachments/${id}`, UrlExpiry: new Date(Date.now() + 300000).toISOString(), HeadersToInclude: {} } };
  }

  function completeAttachmentUpload(req: IncomingMessage, body: Record<string, any>): unknown {
    const { contact } = connectionOf(req);
    for (const id of body.AttachmentIds ?? []) {
      const attachment = attachments.get(id);
      if (!attachment?.body || attachment.contact !== contact) throw new ConnectError(400, "ValidationException", "The attachment was not uploaded");
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
    if (!attachment?.body || attachment.contact !== contact) throw new ConnectError(404, "ResourceNotFoundException", "No such attachment");
    return { Url: `${origin}/participant/attachments/${attachment.id}`, UrlExpiry: new Date(Date.now() + 300000).toISOString(), AttachmentSizeInBytes: attachment.size };
  }

  /** The pre-signed upload and download URLs: PUT stores the bytes once, GET returns them. */
  async function attachmentBytes(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const attachment = attachments.get(id);
    if (!attachment) return void res.writeHead(404).end();
    if (req.method === "PUT" && !attachment.body) {
      attachment.body = await readBody(req, maxAttachmentBytes);
      return void res.writeHead(200).end();
    }
    if (req.method === "GET" && attachment.body) {
      return void res.writeHead(200, { "content-type": attachment.contentType, "content-disposition": `attachment; filename="${attachment.name.replace(/"/g, "")}"` }).end(attachment.body);
    }
    res.writeHead(403).end();
  }

  const routes: Record<string, (req: IncomingMessage, body: any) => unknown> = {
    "/participant/connection": createConnection,
    "/participant/message": sendMessage,
    "/participant/event": sendEvent,
    "/participant/transcript": getTranscript,
    "/participant/disconnect": disconnect,
    "/participant/start-attachment-upload": startAttachmentUpload,
    "/participant/complete-attachment-upload": completeAttachmentUpload,
    "/participant/attachment": getAttachment,
  };

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const attachment = /^\/participant\/attachments\/([0-9a-f-]+)$/.exec(path);
    if (attachment) return attachmentBytes(req, res, attachment[1]);
    return serveRestJson(req, res, "ValidationException", (body) => {
      const route = routes[path];
      if (req.method !== "POST" || !route) throw new ConnectError(404, "UnknownOperationException", `${req.method} ${path} is not emulated`);
      return route(req, body);
    });
  }

  /** The websocket ChatJS opens at Websocket.Url: subscribe, heartbeats, and the chat's items. */
  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const connection = connections.get(new URL(req.url ?? "", origin).searchParams.get("token") ?? "");
    if (!connection || connection.contact.disconnectTimestamp) {
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    websocketServer.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
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
      });
    });
  }

  return {
    handle,
    upgrade,
    issuedConnectionTokens: () => [...issuedTokens],
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
