/**
 * What Connect does when a chat ends: write its transcript in Connect's layout
 * (`<prefix>/YYYY/MM/DD/<contactId>_<YYYYMMDD>T<HH:MM>_UTC.json`) to the transcript bucket, which
 * here sends an S3 event straight to the transcript-landed handler.
 */
import type { ChatState, Contact } from "./chat-state";
import type { S3Emulator } from "./s3-emulator";

export interface TranscriptWriterOptions {
  chats: ChatState;
  s3: S3Emulator;
  bucket: string;
  prefix: string;
  instanceId: string;
  accountId: string;
  /** The transcript-landed Lambda handler, given an S3 notification as Lambda would. */
  deliver(event: unknown): Promise<unknown>;
  onError(error: Error): void;
}

export function transcriptKey(prefix: string, contactId: string, at: Date): string {
  const iso = at.toISOString();
  const date = iso.slice(0, 10);
  return `${prefix}/${date.replace(/-/g, "/")}/${contactId}_${date.replace(/-/g, "")}T${iso.slice(11, 16)}_UTC.json`;
}

export function createTranscriptWriter(options: TranscriptWriterOptions) {
  const pending = new Set<Promise<void>>();
  let delivering = true;

  async function write(contact: Contact): Promise<void> {
    const endedAt = new Date((contact.disconnectTimestamp ?? Date.now() / 1000) * 1000);
    const key = transcriptKey(options.prefix, contact.id, endedAt);
    options.s3.put(options.bucket, key, JSON.stringify({
      Version: "2019-08-26",
      AWSAccountId: options.accountId,
      InstanceId: options.instanceId,
      InitialContactId: contact.id,
      ContactId: contact.id,
      Participants: contact.participants.map((participant) => ({ ParticipantId: participant.id })),
      Transcript: contact.items.map(({ Id, Type, ContentType, Content, AbsoluteTime, ParticipantId, ParticipantRole, DisplayName, Attachments }) =>
        ({ Id, Type, ContentType, Content, AbsoluteTime, ParticipantId, ParticipantRole, DisplayName, Attachments })),
    }));
    if (!delivering) return;
    const encodedKey = encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
    await options.deliver({
      Records: [{
        eventVersion: "2.1", eventSource: "aws:s3", awsRegion: "us-east-1", eventTime: endedAt.toISOString(), eventName: "ObjectCreated:Put",
        s3: { s3SchemaVersion: "1.0", bucket: { name: options.bucket, arn: `arn:aws:s3:::${options.bucket}` }, object: { key: encodedKey } },
      }],
    });
  }

  options.chats.onEnded((contact) => {
    const job = write(contact).catch((error: Error) => options.onError(error)).finally(() => pending.delete(job));
    pending.add(job);
  });

  return {
    /** Resolves when every transcript written so far has been delivered. */
    async settled(): Promise<void> {
      while (pending.size) await Promise.all([...pending]);
    },
    /** Tests of the transcript handler deliver their own events; this stops the automatic ones. */
    setDelivery(on: boolean) {
      delivering = on;
    },
  };
}
