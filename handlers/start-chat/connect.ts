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
}

/** Most agent names a function instance remembers; the oldest is forgotten first. */
const agentCacheLimit = 1000;

export function connectGateway(options: ConnectGatewayOptions): ConnectGateway {
  const { settings, now = Date.now } = options;
  const connection = lazy(() => {
    const sdk = options.loadSdk();
    return { sdk, client: new sdk.ConnectClient(options.clientConfig ?? {}) };
  });
  const agentIds = new Map<string, { id: string | undefined; until: number }>();

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

    async agentIdFor(username) {
      const key = username.toLowerCase();
      const cached = agentIds.get(key);
      if (cached && cached.until > now()) return cached.id;
      const { sdk, client } = connection();
      let id: string | undefined;
      try {
        const { Users } = await client.send(new sdk.SearchUsersCommand({
          InstanceId: settings.instanceId,
          SearchCriteria: { StringCondition: { FieldName: "Username", Value: username, ComparisonType: "EXACT" } },
          MaxResults: 1,
        }));
        id = Users?.[0]?.Id;
      } catch (error) {
        options.onLookupError?.(error);
        return undefined;
      }
      agentIds.delete(key);
      agentIds.set(key, { id, until: now() + settings.agentCacheSeconds * 1000 });
      if (agentIds.size > agentCacheLimit) agentIds.delete(agentIds.keys().next().value as string);
      return id;
    },
  };
}
