/**
 * Every text the customer widget shows, in English. Language packs (`lang/*.ts`) translate all of
 * them; a deployer's `strings` option overrides any of them, in any language. `{name}`-style
 * placeholders are filled in by `format`; a translation may leave one out, never add one.
 */
export const english = {
  // The header and the launcher.
  title: "Chat with us",
  subtitle: "",
  openChat: "Chat with us",
  unreadCount: "{count} unread",
  minimise: "Minimise chat",
  close: "Close chat",
  // The form.
  nameLabel: "Your name",
  agentLabel: "Agent username",
  optional: "(optional)",
  start: "Start chat",
  starting: "Starting your chat…",
  /** While the service is busy and the widget tries again by itself (patience.ts): calm, and no place in a queue. */
  waiting: "Lots of people are contacting us right now. Connecting you…",
  /** {problem} is the API's own rule, in English (handlers/start-chat/rules.ts). */
  nameInvalid: "Your name {problem}.",
  agentInvalid: "The agent username {problem}.",
  notAvailableHere: "Chat is not available on this site.",
  notAvailable: "Chat is not available right now. Please try again later.",
  // What went wrong, for the customer.
  /** The service stayed busy (429/503) for the whole patience, or asked for a longer wait than it. */
  errorThrottled: "We could not connect you right now. Please try again in a few minutes.",
  errorCapacity: "All our agents are busy. Please try again in a few minutes.",
  errorUnauthorized: "Please sign in to start a chat.",
  errorNetwork: "We could not reach the chat service. Check your connection and try again.",
  errorStart: "The chat could not be started. Please try again.",
  connectFailed: "We could not connect to your chat. Check your connection, then select Reconnect.",
  sendFailed: "Your message was not sent. Check your connection and send it again.",
  attachFailed: "{file} could not be sent. Attachments are limited in size and type.",
  downloadFailed: "{file} could not be downloaded.",
  // The chat.
  messages: "Messages",
  messageLabel: "Message",
  messagePlaceholder: "Write a message",
  send: "Send",
  attach: "Attach a file",
  downloadTranscript: "Download transcript",
  end: "End chat",
  newChat: "Start a new chat",
  reconnect: "Reconnect",
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  lost: "Connection lost",
  offline: "You are offline",
  ended: "Chat ended",
  typing: "{name} is typing…",
  theAgent: "The agent",
  someone: "Someone",
  system: "System",
  joined: "{name} joined the chat",
  left: "{name} left the chat",
  chatEnded: "The chat has ended",
  earlierChatEnded: "An earlier chat ended here",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  downloadFile: "Download {file}",
  attachment: "Attachment: {file}",
  // The composer's formatting, when the deployment allows markdown.
  formatting: "Formatting",
  bold: "Bold",
  italic: "Italic",
  bulletList: "Bulleted list",
  numberedList: "Numbered list",
  link: "Link",
  emoji: "Emoji",
  // Noticed while away.
  newMessages: "({count}) New message",
  notificationTitle: "New message from {name}",
};

export type StringKey = keyof typeof english;
export type Strings = Record<StringKey, string>;

/** The template with each `{placeholder}` replaced; unknown placeholders stay as they are. */
export function format(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/** The placeholders a template uses, for checking translations. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
}
