/** The package's entry point: `import { ChatApi, ChatSite, TranscriptWatcher, ContactFlows } from "@connect-chat/pulumi"`. */
export { InvalidArgsError } from "./args";
export { ChatAlarms, type ChatAlarmsArgs } from "./chat-alarms";
export { ChatApi, type ChatApiArgs } from "./chat-api";
export { ChatSite, type ChatSiteArgs } from "./chat-site";
export { ContactFlows, type ContactFlowsArgs } from "./contact-flows";
export { OriginSecret, type OriginSecretArgs } from "./origin-secret";
export { PrivateBucket, type PrivateBucketArgs } from "./private-bucket";
export { TranscriptWatcher, type TranscriptWatcherArgs } from "./transcript-watcher";
export type { ContentType, RehydrationMode } from "../handlers/start-chat/settings";
