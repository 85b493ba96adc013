/**
 * The one module that knows ChatJS (amazon-connect-chatjs): it loads the library when a chat
 * starts, opens the customer's session, and turns ChatJS callbacks into a small interface.
 */
import type { StartChatData } from "./api";
import { loadGlobal } from "./load-script";
import { contentTypes, type ChatItem } from "./transcript";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "lost";

export interface ChatConnection {
  participantId: string;
  contactId: string;
  /**
   * Sends a message and returns it as an item: shown at once, whether or not the websocket echoes it.
   * In the writer's content type (`self.contentType`) unless another is given.
   */
  send(text: string, contentType?: string): Promise<ChatItem>;
  sendTyping(): void;
  /** Tells the sender their message was seen. (Delivered receipts go out by themselves, as each message arrives.) */
  markRead(messageId: string): void;
  sendAttachment(file: File): Promise<void>;
  downloadAttachment(attachmentId: string): Promise<Blob>;
  /** The whole transcript so far, including a previous chat this one continues. */
  history(): Promise<ChatItem[]>;
  /** Leaves the chat: the receipts still waiting in ChatJS's throttle go out first, and none after. */
  end(): Promise<void>;
  /** Stops listening without leaving the chat (another connection to it takes over, or the view goes). */
  close(): void;
}

export interface ChatHandlers {
  item(item: ChatItem): void;
  typing(item: ChatItem): void;
  ended(): void;
  state(state: ConnectionState): void;
}

export interface ChatJsOptions {
  /** URL of the ChatJS script (served beside the widget). */
  scriptUrl: string;
  /** CSP nonce for the script element, when the host page's policy asks for one. */
  nonce?: string;
  /** Who is chatting, and in which format they write. */
  self: { role: "CUSTOMER" | "AGENT"; displayName: string; contentType: "text/plain" | "text/markdown" };
  region: string;
  /** Participant service URL; only the local stack sets it. */
  participantEndpoint?: string;
}

/**
 * ChatJS sends message receipts at most once per this many ms (features.messageReceipts.throttleTime;
 * its README: "default: 5000, customize time to wait before sending Read/Delivered receipts").
 */
const receiptThrottleMs = 5000;

/**
 * ChatJS's websocket manager sends aws/ping every 10 s and reports each answer as a deep heartbeat.
 * A connection with no sign of life for staleMs while the page is visible and online is dead; after
 * the page comes back online or into view, for graceMs.
 */
const staleMs = 35_000;
const graceMs = 20_000;

/**
 * The participant service's HTTP status in a ChatJS failure: on the error itself (a call on the
 * session), or two `_debug`s down (connect(), which wraps CreateParticipantConnection's).
 */
function statusOf(error: unknown): number | undefined {
  const failure = error as { statusCode?: number; _debug?: { _debug?: { statusCode?: number } } } | undefined;
  return failure?.statusCode ?? failure?._debug?._debug?.statusCode;
}

/** A 403 from the participant service: this participant is out of the chat (ChatJS reads it so too). */
export const chatOver = (error: unknown): boolean => statusOf(error) === 403;

/**
 * A 429 ThrottlingException from the participant service (its rates are per instance, so a crowd
 * meets them), left after the SDK's own retries: the same call may pass a moment later.
 */
export const throttled = (error: unknown): boolean => statusOf(error) === 429;

/* eslint-disable @typescript-eslint/no-explicit-any -- ChatJS is a global without usable module types */
/** Opens a participant's chat: the customer's (from the start-chat API) or, locally, an agent's. */
export async function openChat(data: Pick<StartChatData, "startChatResult">, options: ChatJsOptions, on: ChatHandlers): Promise<ChatConnection> {
  const connect = await loadGlobal<any>(options.scriptUrl, "connect", options.nonce);
  connect.ChatSession.setGlobalConfig({
    region: options.region,
    ...(options.participantEndpoint && { endpoint: options.participantEndpoint }),
    loggerConfig: { level: connect.ChatSession.LogLevel.WARN },
    features: { messageReceipts: { shouldSendMessageReceipts: true, throttleTime: receiptThrottleMs } },
  });
  const { ContactId, ParticipantId, ParticipantToken } = data.startChatResult;
  const session = connect.ChatSession.create({
    chatDetails: { contactId: ContactId, participantId: ParticipantId, participantToken: ParticipantToken },
    options: { region: options.region },
    type: connect.ChatSession.SessionTypes.CUSTOMER,
    disableCSM: true,
  });
  /** Receipts ChatJS holds back in its throttle, by kind and message; none are sent once leaving starts. */
  const pending = new Map<string, Promise<unknown>>();
  let leaving = false;
  const receipt = (contentType: string, messageId: string) => {
    if (leaving || !messageId) return;
    // ChatJS sends a Read instead of a Delivered for the same message (MessageReceiptUtil), and then
    // settles only the Read: the Delivered is no longer waited for.
    if (contentType === contentTypes.read) pending.delete(`${contentTypes.delivered} ${messageId}`);
    const key = `${contentType} ${messageId}`;
    const sent: Promise<unknown> = session.sendEvent({ contentType, content: JSON.stringify({ messageId }) }).catch(() => undefined)
      .finally(() => pending.get(key) === sent && pending.delete(key));
    pending.set(key, sent);
  };
  /*
   * Recovery (amazon-connect-chatjs 5.0.0, read from dist/amazon-connect-chat.js and its source map).
   * ChatJS reconnects by itself when the websocket closes (Lost, then Established) and, silently,
   * when a heartbeat goes unanswered (DeepHeartbeatFailure, then a new websocket with no Lost or
   * Established). It fetches nothing said in between (its README: call getTranscript on
   * reconnect), so after any gap the transcript is read again. It gives up for good when
   * CreateParticipantConnection fails once (Broken), and an offline spell that catches a heartbeat
   * in flight leaves it with no heartbeat and no reconnect, though the socket looks open: both are
   * "lost", for the widget to open the chat again.
   */
  let lastAlive = Date.now();
  let gap = false;
  let closed = false;
  async function history(): Promise<ChatItem[]> {
    const items: ChatItem[] = [];
    let nextToken: string | undefined;
    do {
      const { data } = await session.getTranscript({ maxResults: 100, sortOrder: "ASCENDING", scanDirection: "BACKWARD", ...(nextToken && { nextToken }) });
      items.push(...(data?.Transcript ?? []));
      nextToken = data?.NextToken;
    } while (nextToken && items.length < 1000);
    return items;
  }
  const backfill = async () => {
    try {
      for (const item of await history()) on.item(item);
    } catch {
      gap = true;
    }
  };
  const alive = () => {
    lastAlive = Date.now();
    if (gap && !closed) {
      gap = false;
      void backfill();
    }
  };
  const close = () => {
    if (closed) return;
    closed = true;
    leaving = true;
    clearInterval(watchdog);
    // A customer session has no public close (cleanUpOnParticipantDisconnect is AgentChatSession's):
    // its controller's cleanup (no more callbacks) and breakConnection (the websocket closed).
    try {
      session.controller?.cleanUpOnParticipantDisconnect?.();
      void session.controller?.breakConnection?.()?.catch?.(() => undefined);
    } catch {
      // Torn down already (an ended chat): nothing left to close.
    }
  };
  const dead = () => {
    if (closed) return;
    close();
    on.state("lost");
  };
  const watchdog = setInterval(() => {
    if (document.visibilityState !== "visible" || navigator.onLine === false) lastAlive = Math.max(lastAlive, Date.now() - staleMs + graceMs);
    else if (Date.now() - lastAlive > staleMs) dead();
  }, 5000);
  // connect() resolves, and the widget reads the transcript, before the websocket is subscribed
  // (ChatJS's chatController fires Established at connect()): what is said in that moment reaches
  // neither. The first heartbeat answer proves the socket is up; the transcript is read once more.
  let subscribed = false;
  session.onDeepHeartbeatSuccess(() => {
    if (!subscribed) gap = subscribed = true;
    alive();
  });
  // A missed heartbeat: ChatJS is swapping in a new websocket, silently. What is said meanwhile is
  // read from the transcript (over HTTP, whatever the socket does) shortly after, and again at the
  // next answered heartbeat.
  session.onDeepHeartbeatFailure(() => {
    gap = true;
    setTimeout(() => void (!closed && backfill()), 3000);
  });
  session.onMessage((event: any) => {
    lastAlive = Date.now();
    const item = event.data as ChatItem;
    // Delivered, as Amazon's own chat widget sends it (amazon-connect-chat-interface, ChatSession
    // _handleIncomingData): for every message or attachment from someone else that reaches this
    // client over the websocket. Connect relays it to the sender; Read follows when it is seen.
    if ((item.Type === "MESSAGE" || item.Type === "ATTACHMENT") && item.ParticipantId !== ParticipantId) receipt(contentTypes.delivered, item.Id);
    on.item(item);
  });
  session.onReadReceipt((event: any) => on.item(event.data));
  session.onDeliveredReceipt((event: any) => on.item(event.data));
  session.onTyping((event: any) => on.typing(event.data));
  session.onEnded(() => {
    clearInterval(watchdog);
    on.ended();
  });
  session.onConnectionEstablished(() => {
    on.state("connected");
    alive();
  });
  session.onConnectionLost(() => {
    gap = true;
    on.state("reconnecting");
  });
  session.onConnectionBroken(() => dead());
  on.state("connecting");
  try {
    await session.connect();
  } catch (error) {
    close();
    throw error;
  }

  return {
    participantId: ParticipantId,
    contactId: ContactId,
    async send(text, contentType = options.self.contentType) {
      const { data } = await session.sendMessage({ contentType, message: text });
      return {
        Id: data.Id, AbsoluteTime: data.AbsoluteTime, Type: "MESSAGE", ContentType: contentType, Content: text, ContactId,
        ParticipantId, ParticipantRole: options.self.role, DisplayName: options.self.displayName,
      };
    },
    sendTyping() {
      // ChatJS itself sends at most one typing event per 10 s.
      session.sendEvent({ contentType: contentTypes.typing }).catch(() => undefined);
    },
    markRead(messageId) {
      receipt(contentTypes.read, messageId);
    },
    async sendAttachment(file) {
      await session.sendAttachment({ attachment: file });
    },
    downloadAttachment: (attachmentId) => session.downloadAttachment({ attachmentId }),
    history,
    async end() {
      // Once DisconnectParticipant succeeds the connection token is dead (403 to anything sent with
      // it), so what the throttle still holds goes out now, or the sender's message would never
      // show Read. Bounded: one throttle period, and a second for the calls themselves.
      leaving = true;
      clearInterval(watchdog);
      await Promise.race([Promise.all(pending.values()), new Promise((resolve) => setTimeout(resolve, receiptThrottleMs + 1000))]);
      await session.disconnectParticipant();
    },
    close,
  };
}
