/**
 * index.ts under Pulumi mocks: what each kind of stack config composes. The config reaches the
 * program through the Pulumi CLI's rules (support/pulumi-cli.ts), Pulumi.yaml's defaults included.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { engineConfig, loadProject, stackConfigOf } from "./support/pulumi-cli";
import { runProgramWithConfig, valueOf, type MockResource } from "./support/pulumi-mocks";

const instanceId = "11111111-1111-4111-8111-111111111111";
const project = loadProject(join(__dirname, "..", "Pulumi.yaml"));
const program = require.resolve("../index");

/** Runs the program (index.ts) afresh with the config the CLI makes of a stack file holding these keys. */
async function runStack(config: Record<string, unknown>) {
  const { resources, outputs } = await runProgramWithConfig(program, project.name, engineConfig(project, "test", stackConfigOf(project, { instanceId, ...config })));
  const ofType = (type: string) => resources.filter((r: MockResource) => r.type === type);
  const startChat = ofType("aws:lambda/function:Function").find((r) => r.name === "chat-start-chat")!.inputs;
  return { resources, outputs, ofType, startChat };
}

/** Runs the program with this config and expects it to end with this sentence (a RunError). */
async function expectRefused(config: Record<string, unknown>, sentence: string) {
  let error: unknown;
  try {
    await runStack(config);
  } catch (caught) {
    error = caught;
  }
  expect(pulumi.RunError.isInstance(error), String(error)).to.equal(true);
  expect((error as Error).message).to.include(sentence);
}

describe("the stack (index.ts under Pulumi mocks)", () => {
  it("is what Pulumi runs: Pulumi.yaml names index.ts, as package.json's exports (the library) would win otherwise", () => {
    expect(readFileSync(join(__dirname, "..", "Pulumi.yaml"), "utf8")).to.match(/^main: index\.ts$/m);
    expect(JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")).exports["."].default).to.equal("./lib/infra/index.js");
  });

  it("declares the components' own defaults in Pulumi.yaml, and \"unset\" defaults that mean unset: applied by the CLI, they change nothing", async () => {
    // Lambda code archives are assets, not data; the other tests read them. Everything else must match.
    const deployed = (resources: MockResource[]) => resources.map(({ type, name, inputs }) => ({ type, name, inputs: JSON.stringify({ ...inputs, code: undefined }) }));
    const withProjectDefaults = await runStack({});
    const withNoneAtAll = await runProgramWithConfig(program, project.name, { "connect-chat:instanceId": instanceId });
    expect(deployed(withProjectDefaults.resources)).to.deep.equal(deployed(withNoneAtAll.resources));
  });

  it("creates the chat flows and runs chats on them when no flow is named", async () => {
    const { outputs, ofType, startChat } = await runStack({ manageTranscriptStorage: true });
    expect(ofType("aws:connect/contactFlow:ContactFlow").map((r) => r.name)).to.deep.equal(["flows-chat-disconnect", "flows-chat"]);
    expect(startChat.environment.variables.CONNECT_CONTACT_FLOW_ID).to.equal("flows-chat-flow-id");
    expect(await valueOf(outputs.chatFlowId as pulumi.Output<string>)).to.equal("flows-chat-flow-id");
    expect(ofType("aws:connect/instanceStorageConfig:InstanceStorageConfig")).to.have.length(1);
    const watcher = ofType("aws:lambda/function:Function").find((r) => r.name === "transcripts-transcript-landed")!.inputs;
    expect(watcher.environment.variables.CHATS_TABLE).to.equal(startChat.environment.variables.CHATS_TABLE);
  });

  it("uses a named flow and an existing transcript bucket as they are", async () => {
    const { ofType, startChat } = await runStack({ contactFlowId: "33333333-3333-4333-8333-333333333333", transcriptBucket: "connect-1a2b3c", transcriptPrefix: "connect/shop/ChatTranscripts" });
    expect(ofType("aws:connect/contactFlow:ContactFlow")).to.deep.equal([]);
    expect(startChat.environment.variables.CONNECT_CONTACT_FLOW_ID).to.equal("33333333-3333-4333-8333-333333333333");
    expect(ofType("aws:s3/bucket:Bucket").map((r) => r.name)).to.deep.equal(["site-files"]);
    expect(ofType("aws:s3/bucketNotification:BucketNotification")).to.deep.equal([]);
    expect(JSON.parse(ofType("aws:cloudwatch/eventRule:EventRule")[0].inputs.eventPattern).detail.bucket.name).to.deep.equal(["connect-1a2b3c"]);
  });

  it("passes every ChatApi setting from config", async () => {
    const { ofType, startChat } = await runStack({
      contactFlowId: "33333333-3333-4333-8333-333333333333",
      allowedOrigins: ["https://shop.example.com"],
      allowedAttributes: ["customerName", "orderId"],
      chatDurationMinutes: 120,
      rehydration: "NONE",
      attachments: true,
      jwtIssuer: "https://issuer.example.com",
      jwtAudience: ["app"],
      throttle: { rateLimit: 2, burstLimit: 4 },
      logRetentionDays: 7,
      deletionProtection: true,
      reservedConcurrency: 3,
    });
    expect(startChat.environment.variables).to.deep.include({ ALLOWED_ATTRIBUTES: "customerName,orderId", CHAT_DURATION_MINUTES: "120", REHYDRATION: "NONE", ATTACHMENTS: "true", AUTH_MODE: "jwt" });
    expect(startChat.reservedConcurrentExecutions).to.equal(3);
    expect(ofType("aws:apigatewayv2/api:Api")[0].inputs.corsConfiguration.allowOrigins).to.deep.equal(["https://shop.example.com"]);
    expect(ofType("aws:apigatewayv2/authorizer:Authorizer")[0].inputs.jwtConfiguration).to.deep.equal({ issuer: "https://issuer.example.com", audiences: ["app"] });
    expect(ofType("aws:apigatewayv2/stage:Stage")[0].inputs.defaultRouteSettings).to.deep.equal({ throttlingRateLimit: 2, throttlingBurstLimit: 4 });
    expect(ofType("aws:dynamodb/table:Table")[0].inputs.deletionProtectionEnabled).to.equal(true);
    expect(ofType("aws:cloudwatch/logGroup:LogGroup").map((r) => r.inputs.retentionInDays)).to.deep.equal([7, 7]);
    expect(ofType("aws:sqs/queue:Queue")).to.deep.equal([]);
  });

  it("adds alarms only when told where to send them", async () => {
    const quiet = await runStack({ contactFlowId: "33333333-3333-4333-8333-333333333333" });
    expect(quiet.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")).to.deep.equal([]);
    const watched = await runStack({ contactFlowId: "33333333-3333-4333-8333-333333333333", manageTranscriptStorage: true, alarmEmail: "oncall@example.com" });
    expect(watched.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")).to.have.length(8);
    expect(await valueOf(watched.outputs.alarmsTopicArn as pulumi.Output<string>)).to.match(/^arn:aws:sns:/);
    const activeChats = watched.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((r) => r.name === "alarms-active-chats")!.inputs;
    expect(activeChats).to.deep.include({ metricName: "ConcurrentActiveChatsPercentage", dimensions: { InstanceId: instanceId, MetricGroup: "Chats" }, threshold: 80 });
    const tighter = await runStack({ contactFlowId: "33333333-3333-4333-8333-333333333333", alarmEmail: "oncall@example.com", alarmActiveChatsPercent: 60 });
    expect(tighter.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((r) => r.name === "alarms-active-chats")!.inputs.threshold).to.equal(60);
  });

  it("puts WAF in front of the site when told, with the limit and rules from config", async () => {
    const { ofType } = await runStack({ contactFlowId: "33333333-3333-4333-8333-333333333333", siteWaf: true, siteWafRateLimit: 50, siteWafManagedRules: false });
    const [acl] = ofType("aws:wafv2/webAcl:WebAcl");
    expect(acl.inputs.rules.map((rule: { name: string }) => rule.name)).to.deep.equal(["api-requests-per-ip"]);
    expect(acl.inputs.rules[0].statement.rateBasedStatement.limit).to.equal(50);
    expect(ofType("aws:cloudfront/distribution:Distribution")[0].inputs.webAclId).to.equal(`arn:aws:wafv2:us-east-1:123456789012:${acl.name}`);
    await expectRefused({ contactFlowId: "33333333-3333-4333-8333-333333333333", siteWaf: true, site: false }, "siteWaf needs the site");
  });

  it("keeps managed transcripts for the configured days, encrypted with a KMS key when told", async () => {
    const { ofType } = await runStack({ contactFlowId: "33333333-3333-4333-8333-333333333333", manageTranscriptStorage: true, transcriptRetentionDays: 400, transcriptKms: true });
    expect(ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0].inputs.rules[0].expiration).to.deep.equal({ days: 400 });
    expect(ofType("aws:kms/key:Key")).to.have.length(1);
    expect(ofType("aws:connect/instanceStorageConfig:InstanceStorageConfig")[0].inputs.storageConfig.s3Config.encryptionConfig.encryptionType).to.equal("KMS");
    // Settings for a bucket this stack does not own are refused, not silently dropped.
    const existing = { contactFlowId: "33333333-3333-4333-8333-333333333333", transcriptBucket: "connect-1a2b3c", transcriptPrefix: "connect/shop/ChatTranscripts" };
    await expectRefused({ ...existing, transcriptRetentionDays: 30 }, "transcriptRetentionDays applies only with manageTranscriptStorage");
    await expectRefused({ ...existing, transcriptKms: true }, "transcriptKms applies only with manageTranscriptStorage");
  });

  it("lets the pages allowed to call the API embed the widget too: config.json answers their origins", async () => {
    const { ofType } = await runStack({ contactFlowId: "33333333-3333-4333-8333-333333333333", allowedOrigins: ["https://shop.example.com"] });
    const cors = ofType("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").map((r) => r.inputs.corsConfig).filter(Boolean);
    expect(cors.map((config) => config.accessControlAllowOrigins.items)).to.deep.equal([["https://shop.example.com"]]);
    expect(ofType("aws:apigatewayv2/api:Api")[0].inputs.corsConfiguration.allowOrigins).to.deep.equal(["https://shop.example.com"]);
  });

  it("serves the page with the API behind it, unless told not to deploy a site", async () => {
    const withSite = await runStack({ contactFlowId: "33333333-3333-4333-8333-333333333333" });
    expect(await valueOf(withSite.outputs.siteUrl as pulumi.Output<string>)).to.equal("https://site-cdn.cloudfront.net");
    const config = withSite.ofType("aws:s3/bucketObjectv2:BucketObjectv2").find((r) => r.inputs.key === "config.json")!.inputs;
    expect(JSON.parse(config.content).apiUrl).to.equal("/api/chat");
    const withoutSite = await runStack({ contactFlowId: "33333333-3333-4333-8333-333333333333", site: false });
    expect(withoutSite.ofType("aws:cloudfront/distribution:Distribution")).to.deep.equal([]);
    expect(withoutSite.outputs.siteUrl).to.equal(undefined);
  });
});
