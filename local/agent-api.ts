/**
 * What the local agent console needs, standing in for the Connect agent application (CCP): which
 * chats are offered to an agent (routed to them by the flow, or waiting in a queue they serve), and
 * accepting one, which makes the agent a participant with a token of their own. From there the
 * console is a participant like the customer, on the same participant service.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { bodyLimits, readBody } from "./request-body";
import { newToken, type ChatState, type Contact, type Participant } from "./chat-state";
import { localUserId, type LocalAgent } from "./connect-emulator";

export function createAgentApi({ chats, agents }: { chats: ChatState; agents: LocalAgent[] }) {
  const agentNamed = (username: string | null) => agents.find((agent) => agent.username === username);
  const live = () => chats.all().filter((contact) => !contact.disconnectTimestamp);
  // Every local agent works the default queue; a chat routed to an agent is offered to them only.
  const offeredTo = (contact: Contact, agent: LocalAgent) =>
    contact.routing !== undefined && (contact.routing.agentId ? contact.routing.agentId === localUserId(agent.username) : true);
  // What tells two waiting chats apart, even from customers of the same name: how long each has
  // waited, and what the customer wrote first.
  const firstMessage = (contact: Contact) => contact.items.find((item) => item.Type === "MESSAGE" && item.ParticipantRole === "CUSTOMER")?.Content?.slice(0, 200);
  const summary = (contact: Contact) => ({
    contactId: contact.id,
    customerName: contact.participants[0].displayName,
    waitingSince: contact.routing?.since,
    forYou: Boolean(contact.routing?.agentId),
    firstMessage: firstMessage(contact),
  });

  function accept(contactId: string, agent: LocalAgent): { status: number; body: unknown } {
    const contact = chats.contact(contactId);
    if (!contact || contact.disconnectTimestamp || !offeredTo(contact, agent)) return { status: 409, body: { message: "That chat is no longer waiting for you." } };
    const offer = summary(contact);
    contact.routing = undefined;
    const participant: Participant = { id: randomUUID(), role: "AGENT", displayName: agent.displayName, username: agent.username, token: newToken() };
    contact.participants.push(participant);
    // Kept (--data) before the agent is answered: a restart still knows the agent's token.
    chats.changed();
    return { status: 200, body: { ...offer, participantId: participant.id, participantToken: participant.token } };
  }

  return async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://local");
    const send = (status: number, body: unknown) => void res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
    if (req.method === "GET" && path === "/agent-api/agents") return send(200, agents);
    const agent = agentNamed(url.searchParams.get("agent"));
    if (!agent) return send(404, { message: "No such agent in local/agents.json." });
    if (req.method === "GET" && path === "/agent-api/contacts") {
      return send(200, {
        offered: live().filter((contact) => offeredTo(contact, agent)).map(summary),
        active: live().flatMap((contact) => contact.participants
          .filter((p) => p.username === agent.username && !p.left)
          .map((p) => ({ ...summary(contact), participantId: p.id, participantToken: p.token }))),
      });
    }
    const accepting = /^\/agent-api\/contacts\/([0-9a-f-]+)\/accept$/.exec(path);
    if (req.method === "POST" && accepting) {
      // Over the limit: a RequestError, which the stack answers 413.
      await readBody(req, bodyLimits.jsonApi);
      const { status, body } = accept(accepting[1], agent);
      return send(status, body);
    }
    send(404, { message: `${req.method} ${path} is not part of the agent API.` });
  };
}
