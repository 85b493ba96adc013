/** TranscriptWatcher and ContactFlows under Pulumi's mocks. */
import { expect } from "chai";
import { transcriptSettingsToEnv } from "../handlers/transcript-landed/settings";
import { ContactFlows, TranscriptWatcher, type TranscriptWatcherArgs } from "../infra";
import { allRegistered, archiveFiles, mockAccount, roleStatements, useMocks, valueOf, type MockResource } from "./support/pulumi-mocks";

const { region, accountId } = mockAccount;
const instanceId = "11111111-1111-4111-8111-111111111111";
const tableArn = `arn:aws:dynamodb:${region}:${accountId}:table/chats`;

async function deploy(args: Omit<TranscriptWatcherArgs, "chatsTable">) {
  const resources = useMocks();
  const watcher = new TranscriptWatcher("tw", { chatsTable: { name: "chats", arn: tableArn }, ...args });
  await allRegistered();
  const all = (type: string) => resources.filter((r) => r.type === type);
  const one = (type: string): MockResource["inputs"] => {
    const found = all(type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0].inputs;
  };
  return { resources, watcher, all, one };
}

describe("TranscriptWatcher (Pulumi mocks)", () => {
  describe("on the instance's existing transcript bucket", () => {
    let deployed: Awaited<ReturnType<typeof deploy>>;
    before(async () => {
      deployed = await deploy({ existingStorage: { bucket: "connect-1a2b3c", prefix: "/connect/shop/ChatTranscripts/" } });
    });

    it("catches Object Created events for that bucket and prefix only", () => {
      expect(JSON.parse(deployed.one("aws:cloudwatch/eventRule:EventRule").eventPattern)).to.deep.equal({
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: ["connect-1a2b3c"] }, object: { key: [{ prefix: "connect/shop/ChatTranscripts/" }] } },
      });
    });

    it("leaves the bucket's notification settings alone", () => {
      expect(deployed.all("aws:s3/bucketNotification:BucketNotification")).to.deep.equal([]);
      expect(deployed.all("aws:s3/bucket:Bucket")).to.deep.equal([]);
    });

    it("queues events, lets only this rule send them, and dead-letters what keeps failing", () => {
      const [dead, landed] = deployed.all("aws:sqs/queue:Queue");
      expect(dead.name).to.equal("tw-dead-letters");
      expect(landed.inputs).to.deep.include({ visibilityTimeoutSeconds: 180, sqsManagedSseEnabled: true });
      expect(JSON.parse(landed.inputs.redrivePolicy)).to.deep.equal({ deadLetterTargetArn: `arn:aws:sqs:${region}:${accountId}:tw-dead-letters`, maxReceiveCount: 5 });
      const policy = JSON.parse(deployed.one("aws:sqs/queuePolicy:QueuePolicy").policy);
      expect(policy.Statement).to.deep.equal([{
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: `arn:aws:sqs:${region}:${accountId}:tw-landed`,
        Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:cloudwatch:${region}:${accountId}:tw-transcript-created` } },
      }]);
      expect(deployed.one("aws:cloudwatch/eventTarget:EventTarget").arn).to.equal(`arn:aws:sqs:${region}:${accountId}:tw-landed`);
    });

    it("feeds the function in batches that report partial failures", () => {
      expect(deployed.one("aws:lambda/eventSourceMapping:EventSourceMapping")).to.deep.include({
        eventSourceArn: `arn:aws:sqs:${region}:${accountId}:tw-landed`,
        batchSize: 10,
        functionResponseTypes: ["ReportBatchItemFailures"],
      });
    });

    it("tells the function the bucket, the prefix and the table", () => {
      const fn = deployed.one("aws:lambda/function:Function");
      expect(fn.environment.variables).to.deep.equal(transcriptSettingsToEnv({ bucket: "connect-1a2b3c", prefix: "connect/shop/ChatTranscripts", chatsTableName: "chats" }));
      expect(fn).to.deep.include({ runtime: "nodejs22.x", architectures: ["arm64"], timeout: 30 });
    });

    it("ships the serialized handler and its SDK bundle, nothing else", async () => {
      const files = await archiveFiles(deployed.one("aws:lambda/function:Function").code);
      expect(Object.keys(files)).to.deep.equal(["__index.js", "handlers/dist/transcript-landed-aws-sdk.js"]);
      expect(files["__index.js"]).to.not.match(/require\("@(pulumi|aws-sdk)\//);
    });

    it("grants exactly: its logs, its queue, the contact index, ending chats, reading transcripts", () => {
      expect(roleStatements(deployed.resources, "tw-transcript-landed-role")).to.deep.equal([
        { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/tw-transcript-landed-tw-transcript-landed-logs:*` },
        { Sid: "TakeEvents", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], Resource: `arn:aws:sqs:${region}:${accountId}:tw-landed` },
        { Sid: "FindChat", Effect: "Allow", Action: ["dynamodb:Query"], Resource: `${tableArn}/index/byContactId` },
        { Sid: "EndChat", Effect: "Allow", Action: ["dynamodb:UpdateItem"], Resource: tableArn },
        { Sid: "ReadTranscripts", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::connect-1a2b3c/connect/shop/ChatTranscripts/*" },
      ]);
    });
  });

  it("turns on EventBridge on an existing bucket only when told to", async () => {
    const { one } = await deploy({ existingStorage: { bucket: "connect-1a2b3c", prefix: "t", enableEventBridge: true } });
    expect(one("aws:s3/bucketNotification:BucketNotification")).to.deep.equal({ bucket: "connect-1a2b3c", eventbridge: true });
  });

  describe("with managed transcript storage", () => {
    let deployed: Awaited<ReturnType<typeof deploy>>;
    before(async () => {
      deployed = await deploy({ manageTranscriptStorage: { instanceId } });
    });

    it("creates a private, encrypted, TLS-only bucket", () => {
      const bucket = deployed.one("aws:s3/bucket:Bucket");
      expect(bucket.forceDestroy).to.equal(false);
      expect(deployed.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")).to.deep.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
      expect(deployed.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
      expect(deployed.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }]);
      const policy = JSON.parse(deployed.one("aws:s3/bucketPolicy:BucketPolicy").policy);
      expect(policy.Statement).to.deep.equal([{
        Sid: "DenyWithoutTls", Effect: "Deny", Principal: "*", Action: "s3:*",
        Resource: ["arn:aws:s3:::tw-transcripts", "arn:aws:s3:::tw-transcripts/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }]);
    });

    it("keeps transcripts until told otherwise, encrypted with S3's own keys", () => {
      expect(deployed.all("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")).to.deep.equal([]);
      expect(deployed.all("aws:kms/key:Key")).to.deep.equal([]);
    });

    it("makes it the instance's chat-transcript storage, with EventBridge on", () => {
      expect(deployed.one("aws:connect/instanceStorageConfig:InstanceStorageConfig")).to.deep.equal({
        instanceId,
        resourceType: "CHAT_TRANSCRIPTS",
        storageConfig: { storageType: "S3", s3Config: { bucketName: "tw-transcripts", bucketPrefix: "ChatTranscripts" } },
      });
      expect(deployed.one("aws:s3/bucketNotification:BucketNotification")).to.deep.equal({ bucket: "tw-transcripts", eventbridge: true });
      expect(JSON.parse(deployed.one("aws:cloudwatch/eventRule:EventRule").eventPattern).detail.object.key).to.deep.equal([{ prefix: "ChatTranscripts/" }]);
    });
  });
  describe("with a retention and a KMS key of its own", () => {
    let deployed: Awaited<ReturnType<typeof deploy>>;
    before(async () => {
      deployed = await deploy({ manageTranscriptStorage: { instanceId, retentionDays: 365, kms: {} } });
    });

    it("deletes transcripts under the prefix once they are that many days old", () => {
      expect(deployed.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")).to.deep.equal({
        bucket: "tw-transcripts",
        rules: [{ id: "expire-transcripts", status: "Enabled", filter: { prefix: "ChatTranscripts/" }, expiration: { days: 365 } }],
      });
    });

    it("creates a rotating key, encrypts the bucket with it, and names it in the instance's storage config", () => {
      expect(deployed.one("aws:kms/key:Key")).to.deep.include({ enableKeyRotation: true, deletionWindowInDays: 30, keyUsage: "ENCRYPT_DECRYPT", customerMasterKeySpec: "SYMMETRIC_DEFAULT" });
      const keyArn = `arn:aws:kms:${region}:${accountId}:key/tw-transcripts-key-id`;
      expect(deployed.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules).to.deep.equal([
        { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true },
      ]);
      expect(deployed.one("aws:connect/instanceStorageConfig:InstanceStorageConfig").storageConfig).to.deep.equal({
        storageType: "S3",
        s3Config: { bucketName: "tw-transcripts", bucketPrefix: "ChatTranscripts", encryptionConfig: { encryptionType: "KMS", keyId: keyArn } },
      });
    });

    it("lets the function decrypt what it reads with that key, and nothing more", () => {
      const statements = roleStatements(deployed.resources, "tw-transcript-landed-role") as { Sid?: string }[];
      expect(statements.find((s) => s.Sid === "DecryptTranscripts")).to.deep.equal({
        Sid: "DecryptTranscripts", Effect: "Allow", Action: ["kms:Decrypt"], Resource: `arn:aws:kms:${region}:${accountId}:key/tw-transcripts-key-id`,
        Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
      });
    });
  });

  it("uses a given KMS key instead of creating one", async () => {
    const keyArn = `arn:aws:kms:${region}:${accountId}:key/0a1b2c3d-0000-4000-8000-000000000000`;
    const { all, one } = await deploy({ manageTranscriptStorage: { instanceId, kms: { keyArn } } });
    expect(all("aws:kms/key:Key")).to.deep.equal([]);
    expect(one("aws:connect/instanceStorageConfig:InstanceStorageConfig").storageConfig.s3Config.encryptionConfig).to.deep.equal({ encryptionType: "KMS", keyId: keyArn });
  });
});

describe("ContactFlows (Pulumi mocks)", () => {
  async function deployFlows(defaultQueueName?: string) {
    const resources = useMocks();
    const flows = new ContactFlows("flows", { instanceId, defaultQueueName });
    await allRegistered();
    const flow = (name: string) => resources.find((r) => r.type === "aws:connect/contactFlow:ContactFlow" && r.name === name)!.inputs;
    return { flows, flow };
  }
  const instanceArn = `arn:aws:connect:${region}:${accountId}:instance/${instanceId}`;

  it("creates both flows with the default queue and the disconnect flow filled in", async () => {
    const { flows, flow } = await deployFlows();
    const disconnect = flow("flows-chat-disconnect");
    const chat = flow("flows-chat");
    expect(disconnect).to.deep.include({ instanceId, name: "connect-chat test chat disconnect", type: "CONTACT_FLOW" });
    expect(chat).to.deep.include({ instanceId, name: "connect-chat test chat", type: "CONTACT_FLOW" });
    const chatContent = JSON.parse(chat.content);
    const byId = (id: string) => chatContent.Actions.find((a: { Identifier: string }) => a.Identifier === id);
    expect(byId("hook-disconnect-flow").Parameters.EventHooks.CustomerRemaining).to.equal(`${instanceArn}/contact-flow/flows-chat-disconnect-flow-id`);
    expect(byId("set-default-queue").Parameters.QueueId).to.equal(`${instanceArn}/queue/BasicQueue-queue-id`);
    expect(disconnect.content).to.include(`${instanceArn}/queue/BasicQueue-queue-id`).and.not.include("{{");
    expect(await valueOf(flows.chatFlowId)).to.equal("flows-chat-flow-id");
  });

  it("falls back to the queue the stack names", async () => {
    const { flow } = await deployFlows("Support");
    expect(flow("flows-chat").content).to.include("/queue/Support-queue-id");
  });
});
