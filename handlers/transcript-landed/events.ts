/**
 * The events that announce a new object, reduced to what the handler needs. Three carriers:
 * SQS messages holding EventBridge "Object Created" events (what TranscriptWatcher deploys), plain
 * S3 notifications (a bucket wired the classic way), and EventBridge events sent straight to the
 * function. Each unit is retried as a whole, so an SQS message is one unit.
 */
export interface LandedObject {
  bucket: string;
  /** Decoded: S3 notifications URL-encode keys (`:` as `%3A`, space as `+`). */
  key: string;
  /** When the object was written, in epoch seconds. */
  time: number;
}

export interface EventUnit {
  /** The SQS message id, for partial batch failure reports. */
  messageId?: string;
  objects: LandedObject[];
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- wire JSON

export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

function seconds(time: unknown): number {
  const parsed = typeof time === "string" ? Date.parse(time) : NaN;
  return Math.floor((Number.isNaN(parsed) ? Date.now() : parsed) / 1000);
}

/** The objects one event body announces; none for test events and other noise. */
function objectsOf(body: Json): LandedObject[] {
  if (Array.isArray(body.Records)) {
    return body.Records
      .filter((record: Json) => record?.eventSource === "aws:s3" && String(record.eventName ?? "").startsWith("ObjectCreated:"))
      .map((record: Json) => ({ bucket: record.s3.bucket.name, key: decodeS3Key(record.s3.object.key), time: seconds(record.eventTime) }));
  }
  if (body.source === "aws.s3" && body["detail-type"] === "Object Created" && body.detail?.object?.key) {
    // EventBridge carries the same URL-encoded form of the key as S3 notifications.
    return [{ bucket: body.detail.bucket.name, key: decodeS3Key(body.detail.object.key), time: seconds(body.time) }];
  }
  return [];
}

export function eventUnits(event: Json): EventUnit[] {
  if (Array.isArray(event.Records) && event.Records.every((record: Json) => record?.eventSource === "aws:sqs")) {
    return event.Records.map((record: Json) => {
      let body: Json;
      try {
        body = JSON.parse(record.body);
      } catch {
        body = {};
      }
      return { messageId: record.messageId, objects: objectsOf(body) };
    });
  }
  return [{ objects: objectsOf(event) }];
}
