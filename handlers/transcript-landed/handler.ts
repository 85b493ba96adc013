/**
 * A chat transcript landed in S3: mark that contact's chat ended, so the customer's next visit
 * starts a new chat (carrying this one along) without asking Connect. Safe to run twice.
 */
import type { Logger } from "../log";
import { eventUnits, type LandedObject } from "./events";
import type { TranscriptObjects } from "./objects";
import type { TranscriptSettings } from "./settings";
import type { EndedChats } from "./store";
import { classifyKey, contactIdOfTranscript } from "./transcript-key";

export interface TranscriptLandedDeps {
  settings: TranscriptSettings;
  chats: EndedChats;
  objects: TranscriptObjects;
  log: Logger;
}

/** Lambda's SQS partial-batch response: only these messages are retried. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export async function handleTranscriptLanded(event: unknown, deps: TranscriptLandedDeps): Promise<BatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  let unitsWithoutId = 0;
  for (const unit of eventUnits(event as Record<string, unknown>)) {
    // Every object is tried even when one fails: a bad record must not cost the others.
    const results = await Promise.allSettled(unit.objects.map((object) => recordTranscript(object, deps)));
    const failed = results.filter((result) => result.status === "rejected");
    for (const result of failed) deps.log.error("transcript not recorded; will retry", { error: (result as PromiseRejectedResult).reason });
    if (!failed.length) continue;
    if (unit.messageId) failures.push({ itemIdentifier: unit.messageId });
    else unitsWithoutId++;
  }
  // Without SQS there is no partial retry: fail the invocation so Lambda retries it (idempotent).
  if (unitsWithoutId) throw new Error(`${unitsWithoutId} transcript event(s) were not recorded`);
  return { batchItemFailures: failures };
}

async function recordTranscript(object: LandedObject, deps: TranscriptLandedDeps): Promise<void> {
  const { settings, log } = deps;
  const ignore = (reason: string) => log.info("object ignored", { key: object.key, reason });
  if (object.bucket !== settings.bucket) return ignore("another bucket");
  const verdict = classifyKey(object.key, settings.prefix);
  if (verdict.kind === "ignore") return ignore(verdict.reason);
  let contactId = verdict.kind === "transcript" ? verdict.contactId : undefined;
  if (!contactId) {
    const text = await deps.objects.read(object.bucket, object.key);
    contactId = text === undefined ? undefined : contactIdOfTranscript(text);
    if (!contactId) return ignore("not a chat transcript");
  }
  const outcome = await deps.chats.markEnded(contactId, { endedAt: object.time, transcriptLocation: `s3://${object.bucket}/${object.key}` });
  log.info("transcript landed", { contactId, outcome, key: object.key });
}
