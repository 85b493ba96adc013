export { ChatApi, type ChatApiArgs } from "./chat-api";
