import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { chatsTable } from "../handlers/chats-table";
import { transcriptLandedLambda } from "../handlers/transcript-landed";
import { normalizePrefix, transcriptSettingsToEnv } from "../handlers/transcript-landed/settings";
import { ArgChecks } from "./args";
import { HandlerFunction } from "./handler-function";
import { PrivateBucket } from "./private-bucket";

/** The chats table ChatApi created. */
export interface ChatsTableRef {
  /** `chatApi.tableName`. */
  name: pulumi.Input<string>;
  /** `chatApi.tableArn`. */
  arn: pulumi.Input<string>;
}

/** Transcript storage the Connect instance already has. */
export interface ExistingTranscriptStorage {
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
}

/** KMS encryption of managed transcript storage. */
export interface TranscriptEncryption {
  /** Your key's full ARN (Connect takes no alias; symmetric, in the stack's region). Default: a key created here. */
  keyArn?: pulumi.Input<string>;
}

/** Transcript storage this component creates and sets on the instance. */
export interface ManagedTranscriptStorage {
  /** Amazon Connect instance id (the UUID at the end of the instance ARN). */
  instanceId: pulumi.Input<string>;
  /** Key prefix Connect writes under. Default `ChatTranscripts`. */
  prefix?: string;
  /**
   * Delete each transcript this many days after Connect writes it (an S3 lifecycle rule on the
   * prefix; S3 removes expired objects asynchronously, after that). This stack reads a transcript only
   * when it lands, but a dead-lettered event waits up to 14 days for a redrive: keep at least
   * that. Default: kept until you delete them; set it to what your retention rules say.
   */
  retentionDays?: number;
  /**
   * Encrypt transcripts with a KMS key: the bucket's default encryption, and the key Connect is
   * told to write with (its storage config's `encryptionConfig`). Associating the key makes
   * Connect create a grant on it for the instance's service-linked role, with the deploying
   * identity's permissions, so that identity needs `kms:CreateGrant` on the key (the Connect
   * admin guide's "Key management"). The transcript function may decrypt with it through S3,
   * nothing more. `{}` creates a symmetric key with yearly rotation; `{ keyArn }` uses yours (its
   * full ARN: Connect takes no alias; symmetric, in the stack's region). Default: S3-managed keys.
   */
  kms?: TranscriptEncryption;
}

export interface TranscriptWatcherArgs {
  /** The chats table ChatApi created (`chatApi.tableName`, `chatApi.tableArn`). */
  chatsTable: ChatsTableRef;
  /**
   * Watch the transcript storage the Connect instance already has (Connect console > instance >
   * Data storage > Chat transcripts), e.g. bucket `connect-1a2b3c`, prefix
   * `connect/my-instance/ChatTranscripts`. Give this or `manageTranscriptStorage`.
   */
  existingStorage?: ExistingTranscriptStorage;
  /**
   * Create a private bucket for transcripts and make it the instance's chat-transcript storage, so
   * nobody has to set that up in the Connect console. The instance must not have chat-transcript
   * storage configured already (import that config instead).
   */
  manageTranscriptStorage?: ManagedTranscriptStorage;
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
  /** The transcript-landed function itself. */
  readonly transcriptLandedFunction: aws.lambda.Function;
  /** Its role: attach a policy for what your own additions need. */
  readonly transcriptLandedRole: aws.iam.Role;
  /** The queue itself. */
  readonly queue: aws.sqs.Queue;
  /** The dead-letter queue itself: alarm on its depth, or redrive it. */
  readonly deadLetterQueue: aws.sqs.Queue;

  constructor(name: string, args: TranscriptWatcherArgs, opts?: pulumi.ComponentResourceOptions) {
    super("connect-chat:index:TranscriptWatcher", name, {}, opts);
    checkArgs(this, args);
    const parent = { parent: this };
    const { partition, dnsSuffix } = aws.getPartitionOutput({}, parent);
    const { bucket, prefix, kmsKeyArn } = this.storage(name, args);

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
      sdkOf: "transcript-landed",
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
          // Only as S3 decrypting what the function reads: never a direct call.
          ...(kmsKeyArn ? [{
            Sid: "DecryptTranscripts", Effect: "Allow", Action: ["kms:Decrypt"], Resource: kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${aws.getRegionOutput({}, parent).region}.${dnsSuffix}` } },
          }] : []),
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
    this.transcriptLandedFunction = handler.function;
    this.transcriptLandedRole = handler.role;
    this.queue = queue;
    this.deadLetterQueue = deadLetters;
    this.registerOutputs({
      bucketName: this.bucketName, prefix: this.prefix, functionName: this.functionName, queueUrl: this.queueUrl, deadLetterQueueUrl: this.deadLetterQueueUrl,
      deadLetterQueueName: this.deadLetterQueueName, transcriptLandedFunction: handler.function, transcriptLandedRole: handler.role, queue, deadLetterQueue: deadLetters,
    });
  }

  /** The bucket and prefix to watch, with EventBridge notifications on where this stack may set them. */
  private storage(name: string, args: TranscriptWatcherArgs): { bucket: pulumi.Output<string>; prefix: pulumi.Output<string>; kmsKeyArn?: pulumi.Output<string> } {
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
    const kmsKeyArn = managed.kms && pulumi.output(managed.kms.keyArn ?? new aws.kms.Key(`${name}-transcripts-key`, {
      description: "connect-chat chat transcripts",
      keyUsage: "ENCRYPT_DECRYPT",
      // Connect takes symmetric keys only.
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    }, parent).arn);
    const store = new PrivateBucket(`${name}-transcripts`, { kmsKeyArn }, parent);
    // Our own bucket: nothing else to keep in its notification or lifecycle settings.
    new aws.s3.BucketNotification(`${name}-eventbridge`, { bucket: store.bucket.id, eventbridge: true }, parent);
    if (managed.retentionDays !== undefined) {
      new aws.s3.BucketLifecycleConfiguration(`${name}-transcripts-retention`, {
        bucket: store.bucket.id,
        rules: [{ id: "expire-transcripts", status: "Enabled", filter: { prefix: `${prefix}/` }, expiration: { days: managed.retentionDays } }],
      }, parent);
    }
    new aws.connect.InstanceStorageConfig(`${name}-chat-transcripts`, {
      instanceId: managed.instanceId,
      resourceType: "CHAT_TRANSCRIPTS",
      storageConfig: {
        storageType: "S3",
        s3Config: { bucketName: store.bucket.id, bucketPrefix: prefix, ...(kmsKeyArn ? { encryptionConfig: { encryptionType: "KMS", keyId: kmsKeyArn } } : {}) },
      },
    }, { parent: this, dependsOn: [store.policy] });
    return { bucket: store.bucket.id, prefix: pulumi.output(prefix), kmsKeyArn };
  }
}

const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const kmsKeyArnPattern = /^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;

function checkArgs(watcher: TranscriptWatcher, args: TranscriptWatcherArgs): void {
  const { existingStorage: existing, manageTranscriptStorage: managed } = args;
  // An empty prefix would watch `/…`, which no transcript key starts with: no chat would ever end.
  const hasFolder = (prefix: pulumi.Input<string> | undefined) => typeof prefix !== "string" || normalizePrefix(prefix) !== "";
  const keyArn = managed?.kms?.keyArn;
  new ArgChecks(watcher)
    .expect(Boolean(existing || managed), "existingStorage", "or manageTranscriptStorage is required")
    .expect(!(existing && managed), "manageTranscriptStorage", "cannot go with existingStorage: give one of them")
    .expect(typeof existing?.bucket !== "string" || bucketName.test(existing.bucket), "existingStorage.bucket", `must be a bucket name (not an s3:// URL or ARN), got "${existing?.bucket}"`)
    .expect(!existing || hasFolder(existing.prefix), "existingStorage.prefix", "must name the folder Connect writes transcripts to, e.g. connect/my-instance/ChatTranscripts")
    .connectId("manageTranscriptStorage.instanceId", managed?.instanceId)
    .expect(!managed || hasFolder(managed.prefix), "manageTranscriptStorage.prefix", "must not be empty")
    .wholeNumber("manageTranscriptStorage.retentionDays", managed?.retentionDays, 1)
    .expect(typeof keyArn !== "string" || kmsKeyArnPattern.test(keyArn), "manageTranscriptStorage.kms.keyArn",
      `must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; Connect takes no alias or bare id), got "${keyArn}"`)
    .logRetention("logRetentionDays", args.logRetentionDays)
    .done();
}
