/** Amazon Connect as the start-chat function uses it. */
import type * as Connect from "@aws-sdk/client-connect";
import { lazy } from "../lazy";
import type { ContentType, StartChatSettings } from "./settings";

export interface StartChatInput {
  displayName: string;
  attributes: Record<string, string>;
  clientToken: string;
  chatDurationMinutes: number;
  contentTypes: ContentType[];
  persistentChat?: { rehydrationType: "FROM_SEGMENT" | "ENTIRE_PAST_SESSION"; sourceContactId: string };
  initialMessage?: { contentType: ContentType; content: string };
}

export interface StartedChat {
  contactId: string;
  participantId: string;
  participantToken: string;
}

export interface ConnectGateway {
  startChat(input: StartChatInput): Promise<StartedChat>;
  /** False once the contact has a disconnect time or no longer exists. */
  isLive(contactId: string): Promise<boolean>;
  /** The user id of an agent username, or undefined when there is no such agent. */
  agentIdFor(username: string): Promise<string | undefined>;
}

type ConnectSdk = Pick<typeof Connect, "ConnectClient" | "StartChatContactCommand" | "DescribeContactCommand" | "SearchUsersCommand">;

export interface ConnectGatewayOptions {
  loadSdk: () => ConnectSdk;
  settings: Pick<StartChatSettings, "instanceId" | "contactFlowId" | "agentCacheSeconds">;
  clientConfig?: Connect.ConnectClientConfig;
  now?: () => number;
  /** Called when an agent lookup fails; the chat then routes to the queue instead of failing. */
  onLookupError?: (error: unknown) => void;
  /** Runs each SearchUsers call, retrying it as it sees fit (SearchUsers' rate is Connect's lowest). Default: once. */
  retryLookup?: <T>(lookup: () => Promise<T>) => Promise<T>;
}

/**
 * Most agent names a function instance remembers, answers and misses alike; the oldest is forgotten
 * first. Anyone may send any name, so this is what bounds the memory that cycling names can take.
 */
const agentCacheLimit = 1000;

/** One username's lookup: pending (shared by every start that asks meanwhile) or answered. */
interface AgentLookup {
  id: Promise<string | undefined>;
  /** Milliseconds since the epoch; infinite while the answer is pending. */
  until: number;
}

export function connectGateway(options: ConnectGatewayOptions): ConnectGateway {
  const { settings, now = Date.now } = options;
  const connection = lazy(() => {
    const sdk = options.loadSdk();
    return { sdk, client: new sdk.ConnectClient(options.clientConfig ?? {}) };
  });
  const agentLookups = new Map<string, AgentLookup>();

  async function searchUser(username: string): Promise<string | undefined> {
    const { sdk, client } = connection();
    const retry = options.retryLookup ?? ((lookup) => lookup());
    const { Users } = await retry(() => client.send(new sdk.SearchUsersCommand({
      InstanceId: settings.instanceId,
      SearchCriteria: { StringCondition: { FieldName: "Username", Value: username, ComparisonType: "EXACT" } },
      MaxResults: 1,
    })));
    return Users?.[0]?.Id;
  }

  return {
    async startChat(input) {
      const { sdk, client } = connection();
      const result = await client.send(new sdk.StartChatContactCommand({
        InstanceId: settings.instanceId,
        ContactFlowId: settings.contactFlowId,
        Attributes: input.attributes,
        ParticipantDetails: { DisplayName: input.displayName },
        ClientToken: input.clientToken,
        ChatDurationInMinutes: input.chatDurationMinutes,
        SupportedMessagingContentTypes: input.contentTypes,
        ...(input.persistentChat && {
          PersistentChat: { RehydrationType: input.persistentChat.rehydrationType, SourceContactId: input.persistentChat.sourceContactId },
        }),
        ...(input.initialMessage && { InitialMessage: { ContentType: input.initialMessage.contentType, Content: input.initialMessage.content } }),
      }));
      if (!result.ContactId || !result.ParticipantId || !result.ParticipantToken) {
        throw Object.assign(new Error("StartChatContact answered without a contact, participant or token"), { name: "IncompleteResponse" });
      }
      return { contactId: result.ContactId, participantId: result.ParticipantId, participantToken: result.ParticipantToken };
    },

    async isLive(contactId) {
      const { sdk, client } = connection();
      try {
        const { Contact } = await client.send(new sdk.DescribeContactCommand({ InstanceId: settings.instanceId, ContactId: contactId }));
        return Boolean(Contact) && !Contact?.DisconnectTimestamp;
      } catch (error) {
        if ((error as Error).name === "ResourceNotFoundException") return false;
        throw error;
      }
    },

    agentIdFor(username) {
      // Looked up and remembered under the one string sent to SearchUsers, unfolded: the API model
      // documents no case folding for its Username condition, so an answer for "JDOE" is never
      // handed out for "jdoe", whichever way Connect compares.
      const remembered = agentLookups.get(username);
      if (remembered && remembered.until > now()) return remembered.id;
      const lookup: AgentLookup = {
        until: Number.POSITIVE_INFINITY,
        id: searchUser(username).then(
          (id) => {
            // A miss is remembered too, or repeating an unknown name would repeat the search.
            lookup.until = now() + settings.agentCacheSeconds * 1000;
            return id;
          },
          (error: unknown) => {
            // A failure is reported once, however many starts waited on it, and not remembered.
            if (agentLookups.get(username) === lookup) agentLookups.delete(username);
            options.onLookupError?.(error);
            return undefined;
          },
        ),
      };
      agentLookups.delete(username);
      agentLookups.set(username, lookup);
      if (agentLookups.size > agentCacheLimit) agentLookups.delete(agentLookups.keys().next().value as string);
      return lookup.id;
    },
  };
}
