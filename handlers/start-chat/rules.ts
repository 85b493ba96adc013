/**
 * The rules for what a customer types, shared by the API (request.ts) and the page (www/), so the
 * form refuses exactly what the API would. Pure: no Node or browser APIs.
 */
export const displayNameLength = { min: 1, max: 256 };
/** Connect user names: 1–100 characters of letters, digits and `_ - . @`. */
export const agentUsernamePattern = /^[A-Za-z0-9_.@-]{1,100}$/;
/** C0 and C1 controls, and the Unicode line/paragraph separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Why a display name (already trimmed) is refused, or undefined when it is fine. */
export function displayNameProblem(name: string): string | undefined {
  const length = [...name].length;
  if (length < displayNameLength.min || length > displayNameLength.max) {
    return `must be ${displayNameLength.min} to ${displayNameLength.max} characters (not counting surrounding spaces)`;
  }
  return controlCharacters.test(name) ? "must not contain control characters" : undefined;
}

/** Why an agent username (already trimmed) is refused, or undefined when it is fine. */
export function agentUsernameProblem(username: string): string | undefined {
  return agentUsernamePattern.test(username) ? undefined : "must be an Amazon Connect username: 1 to 100 letters, digits or _ - . @";
}
