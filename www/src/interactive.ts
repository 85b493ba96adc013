/**
 * Interactive messages (list picker, quick replies, time picker) reduced to what the page shows:
 * a title and choices. The customer's pick goes back as a plain text message, as in Connect's widget.
 */
export interface Picker {
  title: string;
  subtitle?: string;
  /** `label` is shown; `value` is what the reply says (a time slot's ISO date, for instance). */
  choices: { label: string; value: string }[];
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json => (typeof value === "object" && value !== null ? (value as Json) : {});
const asText = (value: unknown): string | undefined => (typeof value === "string" && value.trim() ? value : undefined);

export function parsePicker(content: string | undefined, locale?: string): Picker | undefined {
  let message: Json;
  try {
    message = asObject(JSON.parse(content ?? ""));
  } catch {
    return undefined;
  }
  const body = asObject(asObject(message.data).content);
  const title = asText(body.title);
  if (!title) return undefined;
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  const choices = message.templateType === "TimePicker"
    ? list(body.timeslots).map((slot) => asText(asObject(slot).date)).filter((date): date is string => Boolean(date) && !Number.isNaN(Date.parse(date!)))
      .map((date) => ({ label: new Date(date).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" }), value: date }))
    : list(body.elements).map((element) => asText(asObject(element).title)).filter((title): title is string => Boolean(title))
      .map((title) => ({ label: title, value: title }));
  return choices.length ? { title, subtitle: asText(body.subtitle), choices } : undefined;
}
