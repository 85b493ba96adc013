/** The package's entry point for TypeScript programs: `import { ChatApi, ChatSite, TranscriptWatcher, ContactFlows } from "connect-chat"` (other languages: infra/provider.ts). */
export { InvalidArgsError } from "./args";
export { ChatAlarms, type ChatAlarmsArgs, type WatchedChatApi, type WatchedTranscripts } from "./chat-alarms";
export { ChatApi, type ChatApiArgs, type JwtAuthorizer, type StageThrottle } from "./chat-api";
export { ChatSite, PriceClass, type ChatSiteArgs, type SiteDomain, type SiteWaf } from "./chat-site";
export { ContactFlows, type ContactFlowsArgs } from "./contact-flows";
export { OriginSecret, type OriginSecretArgs } from "./origin-secret";
export { PrivateBucket, type PrivateBucketArgs } from "./private-bucket";
export { TranscriptWatcher, type ChatsTableRef, type ExistingTranscriptStorage, type ManagedTranscriptStorage, type TranscriptEncryption, type TranscriptWatcherArgs } from "./transcript-watcher";
export { ContentType, RehydrationMode } from "../handlers/start-chat/settings";
