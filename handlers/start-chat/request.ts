/**
 * Parses and checks a start-chat request body. Two shapes are accepted (design §2): ours, and the
 * one the AWS sample widget (amazon-connect-chat-interface) posts, so existing pages keep working.
 * Every rejection names the field and the rule; nothing here touches AWS.
 */
import { fail } from "../http";
import { agentUsernameProblem, attributeValueProblem, displayNameProblem } from "./rules";
import { chatDurationRange, contentTypes, serverAttributes, type ContentType, type StartChatSettings } from "./settings";

export const maxBodyBytes = 16 * 1024;
/** Resume tokens are 32 random bytes, base64url. */
export const resumeTokenPattern = /^[A-Za-z0-9_-]{43}$/;
const contactIdPattern = /^[A-Za-z0-9-]{1,256}$/;
const initialMessageLength = { min: 1, max: 1024 };
/**
 * Connect takes up to 32,768 UTF-8 bytes across a contact's attributes (StartChatContact's
 * `Attributes`, aws/aws-sdk-js-v3 codegen/sdk-codegen/aws-models/connect.json). The client's
 * attributes may fill half; those the server sets need under 2 KB. Only a body of invalid UTF-8 can
 * reach it within 16 KB: each bad byte is read as U+FFFD, three bytes.
 */
const clientAttributeBytes = 16 * 1024;

export interface StartChatRequest {
  displayName: string;
  agentUsername?: string;
  attributes: Record<string, string>;
  resumeToken?: string;
  /**
   * The contact the API last handed back, which the participant service then said had ended (the
   * page's ChatJS was refused it): this request must not be answered with it again unless Connect
   * says it is live.
   */
  endedChat?: string;
  contentTypes?: ContentType[];
  chatDurationMinutes?: number;
  persistentChat?: { rehydrationType: "FROM_SEGMENT" | "ENTIRE_PAST_SESSION"; sourceContactId: string };
  initialMessage?: { contentType: ContentType; content: string };
}

type Json = Record<string, unknown>;

const ourFields = ["name", "agent", "attributes", "resumeToken", "endedChat"];
const sampleFields = [
  "ParticipantDetails", "Username", "InstanceId", "ContactFlowId", "Attributes",
  "SupportedMessagingContentTypes", "ChatDurationInMinutes", "PersistentChat", "InitialMessage", "resumeToken",
];

function invalid(field: string, message: string): never {
  return fail({ status: 400, code: "INVALID_REQUEST", field, message: `${field}: ${message}` });
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Decodes the body (API Gateway may base64 it) and parses it as JSON whatever the Content-Type. */
export function parseBody(body: string | undefined, isBase64Encoded = false): Json {
  const raw = Buffer.from(body ?? "", isBase64Encoded ? "base64" : "utf8");
  if (raw.length > maxBodyBytes) {
    fail({ status: 413, code: "PAYLOAD_TOO_LARGE", message: `The request body is ${raw.length} bytes; the limit is ${maxBodyBytes}.` });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    fail({ status: 400, code: "INVALID_JSON", message: "The request body is not valid JSON." });
  }
  if (!isObject(parsed)) fail({ status: 400, code: "INVALID_JSON", message: "The request body must be a JSON object." });
  return parsed;
}

export function parseStartChatRequest(body: Json, settings: StartChatSettings): StartChatRequest {
  const sampleShape = "ParticipantDetails" in body;
  const known = sampleShape ? sampleFields : ourFields;
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) invalid(key, sampleShape ? "is not a field of the AWS sample request" : "is not a known field");
  }
  return sampleShape ? parseSampleShape(body, settings) : parseOurShape(body, settings);
}

function parseOurShape(body: Json, settings: StartChatSettings): StartChatRequest {
  return {
    displayName: displayName(body.name, "name"),
    agentUsername: agentUsername(body.agent, "agent"),
    attributes: attributes(body.attributes, "attributes", settings),
    resumeToken: resumeToken(body.resumeToken),
    endedChat: body.endedChat === undefined ? undefined : contactId(body.endedChat, "endedChat"),
  };
}

function parseSampleShape(body: Json, settings: StartChatSettings): StartChatRequest {
  // The sample let the caller pick any instance and flow; we only serve the deployed ones.
  sameAsDeployed(body.InstanceId, "InstanceId", settings.instanceId);
  sameAsDeployed(body.ContactFlowId, "ContactFlowId", settings.contactFlowId);
  const participant = objectWith(body.ParticipantDetails, "ParticipantDetails", ["DisplayName"]);
  return {
    displayName: displayName(participant.DisplayName, "ParticipantDetails.DisplayName"),
    // The widget always sends Username; an empty one means "no particular agent".
    agentUsername: body.Username === "" ? undefined : agentUsername(body.Username, "Username"),
    attributes: attributes(body.Attributes, "Attributes", settings),
    resumeToken: resumeToken(body.resumeToken),
    contentTypes: messagingContentTypes(body.SupportedMessagingContentTypes, settings),
    chatDurationMinutes: chatDuration(body.ChatDurationInMinutes),
    persistentChat: persistentChat(body.PersistentChat),
    initialMessage: initialMessage(body.InitialMessage, settings),
  };
}

/**
 * The instance and flow are the deployment's. The AWS sample's pages send them, and its Lambda read
 * "" as "the deployed one" (its startChatContact.js), so "" is accepted as that too; any other
 * value is refused rather than forwarded.
 */
function sameAsDeployed(value: unknown, field: string, deployed: string): void {
  if (value !== undefined && value !== "" && value !== deployed) {
    fail({ status: 400, code: "FOREIGN_RESOURCE", field, message: `${field}: this API serves only its own Connect instance and flow.` });
  }
}

/** An object whose keys are all among `keys` (each may still be missing). */
function objectWith(value: unknown, field: string, keys: string[]): Json {
  if (!isObject(value)) invalid(field, `must be an object with ${keys.join(" and ")}`);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) invalid(`${field}.${key}`, "is not a known field");
  }
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string") invalid(field, "must be a string");
  return value;
}

function displayName(value: unknown, field: string): string {
  const name = text(value, field).trim();
  const problem = displayNameProblem(name);
  if (problem) invalid(field, problem);
  return name;
}

function agentUsername(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  const username = text(value, field).trim();
  const problem = agentUsernameProblem(username);
  if (problem) invalid(field, problem);
  return username;
}

function attributes(value: unknown, field: string, settings: StartChatSettings): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) invalid(field, "must be an object of string values");
  const result: Record<string, string> = {};
  for (const [key, attribute] of Object.entries(value)) {
    if ((serverAttributes as readonly string[]).includes(key)) invalid(`${field}.${key}`, "is set by the server, not the client");
    if (!settings.allowedAttributes.includes(key)) {
      invalid(`${field}.${key}`, `is not an allowed attribute (allowed: ${settings.allowedAttributes.join(", ") || "none"})`);
    }
    const stringValue = text(attribute, `${field}.${key}`);
    const problem = attributeValueProblem(stringValue);
    if (problem) invalid(`${field}.${key}`, problem);
    result[key] = stringValue;
  }
  const bytes = Object.entries(result).reduce((sum, [key, attribute]) => sum + Buffer.byteLength(key) + Buffer.byteLength(attribute), 0);
  if (bytes > clientAttributeBytes) invalid(field, `must total at most ${clientAttributeBytes} bytes of UTF-8`);
  return result;
}

function resumeToken(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !resumeTokenPattern.test(value)) invalid("resumeToken", "is not a token this API issued");
  return value;
}

function messagingContentTypes(value: unknown, settings: StartChatSettings): ContentType[] | undefined {
  if (value === undefined) return undefined;
  const field = "SupportedMessagingContentTypes";
  if (!Array.isArray(value) || value.length === 0) invalid(field, "must be a non-empty array");
  // The sample widget splits a comma-separated string without trimming: "text/plain, text/markdown".
  const types = value.map((item) => text(item, field).trim());
  for (const type of types) {
    if (!(contentTypes as readonly string[]).includes(type)) invalid(field, `${JSON.stringify(type)} is not supported (supported: ${contentTypes.join(", ")})`);
  }
  if (!types.includes("text/plain")) invalid(field, "must include text/plain");
  // Narrowed to the deployer's contentTypes, never widened, rather than refused: the AWS sample
  // widget always asks for text/markdown, and must keep working on a plain-text-only deployment.
  // text/plain, which both lists hold, always remains.
  return settings.contentTypes.filter((type) => types.includes(type));
}

function chatDuration(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const { min, max } = chatDurationRange;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    invalid("ChatDurationInMinutes", `must be a whole number of minutes from ${min} to ${max}`);
  }
  return value;
}

function persistentChat(value: unknown): StartChatRequest["persistentChat"] {
  if (value === undefined) return undefined;
  const field = "PersistentChat";
  const { RehydrationType: rehydrationType, SourceContactId } = objectWith(value, field, ["RehydrationType", "SourceContactId"]);
  if (rehydrationType !== "FROM_SEGMENT" && rehydrationType !== "ENTIRE_PAST_SESSION") {
    invalid(`${field}.RehydrationType`, "must be FROM_SEGMENT or ENTIRE_PAST_SESSION");
  }
  return { rehydrationType, sourceContactId: contactId(SourceContactId, `${field}.SourceContactId`) };
}

function contactId(value: unknown, field: string): string {
  const id = text(value, field);
  if (!contactIdPattern.test(id)) invalid(field, "is not a contact id");
  return id;
}

function initialMessage(value: unknown, settings: StartChatSettings): StartChatRequest["initialMessage"] {
  if (value === undefined) return undefined;
  const field = "InitialMessage";
  const { ContentType: contentType, Content } = objectWith(value, field, ["ContentType", "Content"]);
  if (!settings.contentTypes.includes(contentType as ContentType)) {
    invalid(`${field}.ContentType`, `must be one of ${settings.contentTypes.join(", ")}`);
  }
  const content = text(Content, `${field}.Content`);
  const length = [...content].length;
  if (length < initialMessageLength.min || length > initialMessageLength.max || content.trim() === "") {
    invalid(`${field}.Content`, `must be ${initialMessageLength.min} to ${initialMessageLength.max} characters and not blank`);
  }
  return { contentType: contentType as ContentType, content };
}
