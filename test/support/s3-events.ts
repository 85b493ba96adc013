/** Events as S3, EventBridge and SQS deliver them, built the way those services build them. */
import { localTranscriptSettings } from "../../local/stack";

const region = "us-east-1";

/** Connect's transcript key for a contact: `<prefix>/YYYY/MM/DD/<contactId>_<YYYYMMDD>T<HH:MM>_UTC.json`. */
export function transcriptKey(contactId: string, at = new Date(), prefix = localTranscriptSettings.prefix): string {
  const iso = at.toISOString();
  const [date, time] = [iso.slice(0, 10), iso.slice(11, 16)];
  return `${prefix}/${date.replace(/-/g, "/")}/${contactId}_${date.replace(/-/g, "")}T${time}_UTC.json`;
}

/** S3 notifications URL-encode object keys, with `+` for a space and `/` left as is. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
}

export function s3Notification(keys: string[], options: { bucket?: string; eventName?: string; time?: string } = {}) {
  const bucket = options.bucket ?? localTranscriptSettings.bucket;
  return {
    Records: keys.map((key, i) => ({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: region,
      eventTime: options.time ?? new Date().toISOString(),
      eventName: options.eventName ?? "ObjectCreated:Put",
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "transcripts",
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { key: encodeS3Key(key), size: 1024, eTag: "0123456789abcdef", sequencer: `00${i}` },
      },
    })),
  };
}

export function eventBridgeObjectCreated(key: string, options: { bucket?: string; time?: string } = {}) {
  const bucket = options.bucket ?? localTranscriptSettings.bucket;
  return {
    version: "0",
    id: "7e2e6fd1-0000-4000-8000-000000000000",
    "detail-type": "Object Created",
    source: "aws.s3",
    account: "123456789012",
    time: options.time ?? new Date().toISOString(),
    region,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: "0", bucket: { name: bucket }, object: { key: encodeS3Key(key), size: 1024, etag: "0123456789abcdef", sequencer: "00" }, "request-id": "R", requester: "connect.amazonaws.com", reason: "PutObject" },
  };
}

export function sqsBatch(bodies: unknown[]) {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `message-${i}`,
      receiptHandle: `receipt-${i}`,
      body: typeof body === "string" ? body : JSON.stringify(body),
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: `arn:aws:sqs:${region}:123456789012:transcripts`,
      awsRegion: region,
    })),
  };
}
