/** What the host page can listen to: `ConnectChat.on(event, handler)`, or an instance's `on`. */
export interface ChatEvents {
  /** A new chat was started. */
  started: { contactId: string };
  /** The customer came back to their open chat (reload, another tab, another device). */
  resumed: { contactId: string };
  /** An agent joined the chat. */
  agentJoined: { name: string };
  /** A message from the agent (or the flow) arrived. */
  message: { id: string; from: string; role: "agent" | "system"; text: string; time: string };
  /** The chat ended, by either side. */
  ended: { contactId: string };
  /** Something the customer was told went wrong (`code` as the API gives it, or NETWORK / CONNECTION / LANGUAGE). */
  error: { code: string; message: string };
  /** The launcher's panel was opened or minimised. */
  open: Record<string, never>;
  close: Record<string, never>;
}

export type EventName = keyof ChatEvents;
export type Handler<E extends EventName> = (detail: ChatEvents[E]) => void;

export interface Emitter {
  on<E extends EventName>(event: E, handler: Handler<E>): () => void;
  emit<E extends EventName>(event: E, detail: ChatEvents[E]): void;
}

/** A small event emitter; a handler that throws is reported and never stops the chat or other handlers. */
export function createEmitter(forward?: Emitter): Emitter {
  const handlers = new Map<EventName, Set<(detail: unknown) => void>>();
  return {
    on(event, handler) {
      const set = handlers.get(event) ?? new Set();
      handlers.set(event, set.add(handler as (detail: unknown) => void));
      return () => void set.delete(handler as (detail: unknown) => void);
    },
    emit(event, detail) {
      for (const handler of handlers.get(event) ?? []) {
        try {
          handler(detail);
        } catch (error) {
          console.error(`connect-chat: a "${event}" handler failed`, error);
        }
      }
      forward?.emit(event, detail);
    },
  };
}
