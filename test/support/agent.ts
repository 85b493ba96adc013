/**
 * An agent without the console: accepts a chat through the local agent API, as the console does,
 * then speaks through the participant service with the real AWS SDK client, as any participant.
 */
import { ConnectParticipantClient, CreateParticipantConnectionCommand, DisconnectParticipantCommand, SendMessageCommand } from "@aws-sdk/client-connectparticipant";

export interface TestAgent {
  say(text: string, contentType?: string): Promise<void>;
  /** The agent leaves: the disconnect flow takes over. */
  leave(): Promise<void>;
}

/** Waits for the customer's chat to be offered to `username`, then accepts it. */
export async function acceptChat(stackUrl: string, customerName: string, username = "jdoe"): Promise<TestAgent> {
  let contactId: string | undefined;
  for (let attempt = 0; attempt < 100 && !contactId; attempt++) {
    const { offered } = await (await fetch(`${stackUrl}/agent-api/contacts?agent=${username}`)).json() as { offered: { contactId: string; customerName: string }[] };
    contactId = offered.find((offer) => offer.customerName === customerName)?.contactId;
    if (!contactId) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!contactId) throw new Error(`no chat from ${customerName} was offered to ${username}`);
  const accepted = await fetch(`${stackUrl}/agent-api/contacts/${contactId}/accept?agent=${username}`, { method: "POST" });
  const { participantToken } = await accepted.json() as { participantToken: string };
  // The participant service authenticates by token, not by signature: any credentials do.
  const client = new ConnectParticipantClient({ endpoint: stackUrl, region: "us-east-1", credentials: { accessKeyId: "agent", secretAccessKey: "agent" } });
  const { ConnectionCredentials } = await client.send(new CreateParticipantConnectionCommand({ ParticipantToken: participantToken, Type: ["CONNECTION_CREDENTIALS"] }));
  const ConnectionToken = ConnectionCredentials!.ConnectionToken!;
  return {
    async say(text, contentType = "text/plain") {
      await client.send(new SendMessageCommand({ ConnectionToken, Content: text, ContentType: contentType }));
    },
    async leave() {
      await client.send(new DisconnectParticipantCommand({ ConnectionToken }));
      client.destroy();
    },
  };
}
