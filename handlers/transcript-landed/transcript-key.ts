/**
 * Connect's chat-transcript keys: `<prefix>/YYYY/MM/DD/<contactId>_<YYYYMMDD>T<HH:MM>_UTC.json`.
 */
const transcriptFile = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_\d{8}T\d{2}:\d{2}_UTC\.json$/i;

export type KeyVerdict =
  | { kind: "transcript"; contactId: string }
  /** Under the prefix and JSON, but not in the usual layout: read the object to know. */
  | { kind: "maybe" }
  | { kind: "ignore"; reason: string };

export function classifyKey(key: string, prefix: string): KeyVerdict {
  if (prefix && !key.startsWith(`${prefix}/`)) return { kind: "ignore", reason: "outside the transcript prefix" };
  if (!key.toLowerCase().endsWith(".json")) return { kind: "ignore", reason: "not JSON" };
  const match = transcriptFile.exec(key.slice(key.lastIndexOf("/") + 1));
  return match ? { kind: "transcript", contactId: match[1] } : { kind: "maybe" };
}

/** The contact id of a transcript document, or undefined when it is not one. */
export function contactIdOfTranscript(text: string): string | undefined {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { ContactId, Transcript } = (document ?? {}) as { ContactId?: unknown; Transcript?: unknown };
  return typeof ContactId === "string" && ContactId !== "" && Array.isArray(Transcript) ? ContactId : undefined;
}
