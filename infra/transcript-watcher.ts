import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { chatsTable } from "../handlers/chats-table";
import { transcriptLandedLambda } from "../handlers/transcript-landed";
import { normalizePrefix, transcriptSettingsToEnv } from "../handlers/transcript-landed/settings";
import { ArgChecks } from "./args";
import { HandlerFunction } from "./handler-function";
import { PrivateBucket } from "./private-bucket";

export interface TranscriptWatcherArgs {
  /** The chats table ChatApi created (`chatApi.tableName`, `chatApi.tableArn`). */
  chatsTable: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  /**
   * Watch the transcript storage the Connect instance already has (Connect console > instance >
   * Data storage > Chat transcripts), e.g. bucket `connect-1a2b3c`, prefix
   * `connect/my-instance/ChatTranscripts`. Give this or `manageTranscriptStorage`.
   */
  existingStorage?: {
    /** The bucket's name (not an ARN or s3:// URL). */
    bucket: pulumi.Input<string>;
    /** The folder of chat transcripts in it; slashes at either end do not matter. */
    prefix: pulumi.Input<string>;
    /**
     * Turn on the bucket's EventBridge notifications from here. S3 keeps a bucket's notification
     * settings in one document, so this REPLACES any notification already set on that bucket
     * (Lambda, SQS, SNS targets). Default false: turn EventBridge on yourself, which keeps them
     * (`aws s3api put-bucket-notification-configuration` with `EventBridgeConfiguration: {}` added).
     */
    enableEventBridge?: boolean;
  };
  /**
   * Create a private bucket for transcripts and make it the instance's chat-transcript storage, so
   * nobody has to set that up in the Connect console. The instance must not have chat-transcript
   * storage configured already (import that config instead).
   */
  manageTranscriptStorage?: {
    /** Amazon Connect instance id (the UUID at the end of the instance ARN). */
    instanceId: pulumi.Input<string>;
    /** Key prefix Connect writes under. Default `ChatTranscripts`. */
    prefix?: string;
  };
  /** Days to keep the function's logs. Default 30. */
  logRetentionDays?: number;
}

/**
 * Marks a chat ended when Connect writes its transcript: S3 "Object Created" → EventBridge rule
 * (this bucket, this prefix) → SQS queue (with a dead-letter queue) → the transcript-landed Lambda,
 * which reports partial batch failures so only failed records are retried.
 */
export class TranscriptWatcher extends pulumi.ComponentResource {
  /** The bucket watched. */
  readonly bucketName: pulumi.Output<string>;
  /** The folder watched in it, without slashes at either end. */
  readonly prefix: pulumi.Output<string>;
  /** The transcript-landed function, for logs and alarms. */
  readonly functionName: pulumi.Output<string>;
  /** The queue between EventBridge and the function. */
  readonly queueUrl: pulumi.Output<string>;
  /** Where events go after 5 failed tries; redrive them from the SQS console once fixed. */
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  /** For alarms: the dead-letter queue's name. */
  readonly deadLetterQueueName: pulumi.Output<string>;

  constructor(name: string, args: TranscriptWatcherArgs, opts?: pulumi.ComponentResourceOptions) {
    super("connect-chat:index:TranscriptWatcher", name, {}, opts);
    checkArgs(this, args);
    const parent = { parent: this };
    const { partition } = aws.getPartitionOutput({}, parent);
    const { bucket, prefix } = this.storage(name, args);

    const deadLetters = new aws.sqs.Queue(`${name}-dead-letters`, { messageRetentionSeconds: 14 * 24 * 3600, sqsManagedSseEnabled: true }, parent);
    const functionTimeoutSeconds = 30;
    const queue = new aws.sqs.Queue(`${name}-landed`, {
      // Lambda's guidance: at least six times the function timeout, so retries do not overlap.
      visibilityTimeoutSeconds: 6 * functionTimeoutSeconds,
      messageRetentionSeconds: 4 * 24 * 3600,
      sqsManagedSseEnabled: true,
      redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: deadLetters.arn, maxReceiveCount: 5 }),
    }, parent);

    const rule = new aws.cloudwatch.EventRule(`${name}-transcript-created`, {
      description: "A Connect chat transcript was written",
      eventPattern: pulumi.jsonStringify({
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: [bucket] }, object: { key: [{ prefix: pulumi.interpolate`${prefix}/` }] } },
      }),
    }, parent);
    const queuePolicy = new aws.sqs.QueuePolicy(`${name}-landed-policy`, {
      queueUrl: queue.url,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: queue.arn,
          Condition: { ArnEquals: { "aws:SourceArn": rule.arn } },
        }],
      }),
    }, parent);
    new aws.cloudwatch.EventTarget(`${name}-to-queue`, { rule: rule.name, arn: queue.arn }, { parent: this, dependsOn: [queuePolicy] });

    const handler = new HandlerFunction(`${name}-transcript-landed`, {
      callbackFactory: transcriptLandedLambda,
      environment: pulumi.all([bucket, prefix, args.chatsTable.name]).apply(([bucketName, keyPrefix, chatsTableName]) =>
        transcriptSettingsToEnv({ bucket: bucketName, prefix: keyPrefix, chatsTableName })),
      logRetentionDays: args.logRetentionDays ?? 30,
      timeoutSeconds: functionTimeoutSeconds,
      memorySize: 256,
    }, parent);
    const policy = new aws.iam.RolePolicy(`${name}-transcript-landed-policy`, {
      role: handler.role.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "TakeEvents", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: queue.arn },
          { Sid: "FindChat", Effect: "Allow", Action: ["dynamodb:Query"], Resource: pulumi.interpolate`${args.chatsTable.arn}/index/${chatsTable.contactIndex.name}` },
          { Sid: "EndChat", Effect: "Allow", Action: ["dynamodb:UpdateItem"], Resource: args.chatsTable.arn },
          { Sid: "ReadTranscripts", Effect: "Allow", Action: ["s3:GetObject"], Resource: pulumi.interpolate`arn:${partition}:s3:::${bucket}/${prefix}/*` },
        ],
      }),
    }, parent);
    new aws.lambda.EventSourceMapping(`${name}-from-queue`, {
      eventSourceArn: queue.arn,
      functionName: handler.function.name,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 5,
      functionResponseTypes: ["ReportBatchItemFailures"],
    }, { parent: this, dependsOn: [policy] }); // the mapping checks the role can read the queue

    this.bucketName = pulumi.output(bucket);
    this.prefix = pulumi.output(prefix);
    this.functionName = handler.function.name;
    this.queueUrl = queue.url;
    this.deadLetterQueueUrl = deadLetters.url;
    this.deadLetterQueueName = deadLetters.name;
    this.registerOutputs({ bucketName: this.bucketName, prefix: this.prefix, functionName: this.functionName, queueUrl: this.queueUrl, deadLetterQueueUrl: this.deadLetterQueueUrl });
  }

  /** The bucket and prefix to watch, with EventBridge notifications on where this stack may set them. */
  private storage(name: string, args: TranscriptWatcherArgs): { bucket: pulumi.Output<string>; prefix: pulumi.Output<string> } {
    const parent = { parent: this };
    if (args.existingStorage) {
      const bucket = pulumi.output(args.existingStorage.bucket);
      if (args.existingStorage.enableEventBridge) {
        new aws.s3.BucketNotification(`${name}-eventbridge`, { bucket, eventbridge: true }, parent);
      }
      return { bucket, prefix: pulumi.output(args.existingStorage.prefix).apply(normalizePrefix) };
    }
    const managed = args.manageTranscriptStorage!;
    const prefix = normalizePrefix(managed.prefix ?? "ChatTranscripts");
    const store = new PrivateBucket(`${name}-transcripts`, {}, parent);
    // Our own bucket: nothing else to keep in its notification settings.
    new aws.s3.BucketNotification(`${name}-eventbridge`, { bucket: store.bucket.id, eventbridge: true }, parent);
    new aws.connect.InstanceStorageConfig(`${name}-chat-transcripts`, {
      instanceId: managed.instanceId,
      resourceType: "CHAT_TRANSCRIPTS",
      storageConfig: { storageType: "S3", s3Config: { bucketName: store.bucket.id, bucketPrefix: prefix } },
    }, { parent: this, dependsOn: [store.policy] });
    return { bucket: store.bucket.id, prefix: pulumi.output(prefix) };
  }
}

const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function checkArgs(watcher: TranscriptWatcher, args: TranscriptWatcherArgs): void {
  const { existingStorage: existing, manageTranscriptStorage: managed } = args;
  // An empty prefix would watch `/…`, which no transcript key starts with: no chat would ever end.
  const hasFolder = (prefix: pulumi.Input<string> | undefined) => typeof prefix !== "string" || normalizePrefix(prefix) !== "";
  new ArgChecks(watcher)
    .expect(Boolean(existing || managed), "existingStorage", "or manageTranscriptStorage is required")
    .expect(!(existing && managed), "manageTranscriptStorage", "cannot go with existingStorage: give one of them")
    .expect(typeof existing?.bucket !== "string" || bucketName.test(existing.bucket), "existingStorage.bucket", `must be a bucket name (not an s3:// URL or ARN), got "${existing?.bucket}"`)
    .expect(!existing || hasFolder(existing.prefix), "existingStorage.prefix", "must name the folder Connect writes transcripts to, e.g. connect/my-instance/ChatTranscripts")
    .connectId("manageTranscriptStorage.instanceId", managed?.instanceId)
    .expect(!managed || hasFolder(managed.prefix), "manageTranscriptStorage.prefix", "must not be empty")
    .logRetention("logRetentionDays", args.logRetentionDays)
    .done();
}
