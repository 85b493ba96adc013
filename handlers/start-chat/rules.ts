/**
 * The rules for what a customer types, shared by the API (request.ts) and the page (www/), so the
 * form refuses exactly what the API would. Pure: no Node or browser APIs.
 */
/**
 * Lengths count Unicode code points, as Connect counts them: ParticipantDetails.DisplayName is
 * `com.amazonaws.connect#DisplayName`, `@length(min: 1, max: 256)` (aws/aws-sdk-js-v3,
 * codegen/sdk-codegen/aws-models/connect.json), and Smithy's `@length` on a string counts Unicode
 * scalar values (smithy-lang/smithy, docs/source-2.0/spec/constraint-traits.rst, "length trait").
 * So 256 emoji (512 UTF-16 units) fit, and a lone surrogate, which is no scalar value, is refused.
 */
export const displayNameLength = { min: 1, max: 256 };
/**
 * A client-set contact attribute value. Connect allows 0 to 32767 characters a value
 * (`com.amazonaws.connect#AttributeValue`, same model) and 32,768 UTF-8 bytes across a contact's
 * attributes (StartChatContact's `Attributes` documentation). Ours is far lower: room for a URL or
 * an order reference, while one value cannot fill the agent's contact panel.
 */
export const attributeValueLength = { min: 0, max: 1024 };
/** Connect user names: 1–100 characters of letters, digits and `_ - . @`. */
export const agentUsernamePattern = /^[A-Za-z0-9_.@-]{1,100}$/;
/** C0 and C1 controls (tab and line breaks among them), and the Unicode line/paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** A UTF-16 surrogate without its pair: not a Unicode scalar value, so not text at all. */
const loneSurrogate = /\p{Surrogate}/u;
/**
 * Text that shows nothing: white space and Unicode's default-ignorable code points, which include
 * the zero-width space, joiners and word joiner (U+200B–U+200D, U+2060), U+FEFF, the bidi marks,
 * embeddings, overrides and isolates (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069), the
 * soft hyphen, variation selectors and the Hangul fillers. A name of only these reads as blank.
 */
const invisibleOnly = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}]*$/u;

/** Why a text breaks the rules every value a customer sends keeps, or undefined when it keeps them. */
function textProblem(text: string, { min, max }: { min: number; max: number }, lengthNote = ""): string | undefined {
  if (loneSurrogate.test(text)) return "must be valid Unicode text";
  const length = [...text].length;
  if (length < min || length > max) return `must be ${min ? `${min} to ${max}` : `at most ${max}`} characters${lengthNote}`;
  return controlCharacters.test(text) ? "must not contain control characters or line breaks" : undefined;
}

/** Why a display name (already trimmed) is refused, or undefined when it is fine. */
export function displayNameProblem(name: string): string | undefined {
  return textProblem(name, displayNameLength, " (not counting surrounding spaces)")
    ?? (invisibleOnly.test(name) ? "must contain a visible character, not only spaces or invisible or text-direction characters" : undefined);
}

/** Why a contact attribute value from the client is refused, or undefined when it is fine. */
export function attributeValueProblem(value: string): string | undefined {
  return textProblem(value, attributeValueLength);
}

/** Why an agent username (already trimmed) is refused, or undefined when it is fine. */
export function agentUsernameProblem(username: string): string | undefined {
  return agentUsernamePattern.test(username) ? undefined : "must be an Amazon Connect username: 1 to 100 letters, digits or _ - . @";
}
