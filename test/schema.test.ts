/**
 * The component provider as `pulumi package add` meets it: the plugin's identity, the schema Pulumi
 * infers from our TypeScript types (built in-process, as the provider builds it for the CLI), the
 * committed schema.json, and each component constructed through the provider as another language's
 * program would have it constructed.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { expect } from "chai";
import { parse } from "yaml";
import { packageManifest, providedComponents, providerIdentity, providerSchema, schemaFile, schemaText, type PackageSpec } from "../scripts/provider-schema";
import { allRegistered, useMocks, valueOf } from "./support/pulumi-mocks";

const root = join(__dirname, "..");
const components = ["ChatAlarms", "ChatApi", "ChatSite", "ContactFlows", "OriginSecret", "TranscriptWatcher"];

// The schema's property records, as the analyzer writes them (provider/experimental/analyzer.ts).
interface SchemaProperty { type?: string; $ref?: string; items?: SchemaProperty; optional?: boolean; plain?: boolean; description?: string }
interface SchemaObject { properties: Record<string, SchemaProperty>; required?: string[]; enum?: { name: string; value: string | number }[] }
interface SchemaResource { inputProperties: Record<string, SchemaProperty>; requiredInputs: string[]; properties: Record<string, SchemaProperty>; required: string[]; description?: string }

/**
 * One property in a line: `plain ` when the SDKs take a plain value (not an Output), the type (`#X`
 * one of ours, `aws:…` a resource of the AWS provider, `[…]` a list, whose items may be plain
 * too), `?` when optional.
 */
function shapeOf(property: SchemaProperty): string {
  const type = property.$ref
    ? property.$ref.replace("#/types/connect-chat:index:", "#").replace(/^\/aws\/v[\d.]+\/schema\.json#\/resources\//, "").replace("%2F", "/")
    : property.type === "array" ? `[${shapeOf(property.items!)}]` : property.type!;
  return `${property.plain ? "plain " : ""}${type}${property.optional ? "?" : ""}`;
}
const shapes = (properties: Record<string, SchemaProperty>) => Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, shapeOf(property)]));

/**
 * The API every language sees. A change here is a change to users' programs: a new optional arg
 * or a new output is compatible; a renamed, retyped or newly required one breaks them (see the
 * README's "Versioning").
 */
const expectedApi: Record<string, { inputs: Record<string, string>; outputs: Record<string, string> }> = {
  ChatApi: {
    inputs: {
      instanceId: "string", contactFlowId: "string", allowedOrigins: "plain [plain string]", allowedAttributes: "plain [plain string]?",
      chatDurationMinutes: "plain number?", maxChatDurationMinutes: "plain number?", continuationMinutes: "plain number?",
      newChatsPerClientPerMinute: "plain number?", originSecrets: "plain [string]?", rehydration: "plain #RehydrationMode?",
      contentTypes: "plain [plain #ContentType]?", attachments: "plain boolean?", jwt: "plain #JwtAuthorizer?", throttle: "plain #StageThrottle?",
      agentCacheSeconds: "plain number?", liveCheckSeconds: "plain number?", logRetentionDays: "plain number?",
      deletionProtection: "plain boolean?", reservedConcurrency: "plain number?",
    },
    outputs: {
      url: "string", tableName: "string", tableArn: "string", functionName: "string", functionArn: "string", apiId: "string",
      table: "aws:dynamodb/table:Table", startChatFunction: "aws:lambda/function:Function", startChatRole: "aws:iam/role:Role",
      api: "aws:apigatewayv2/api:Api", stage: "aws:apigatewayv2/stage:Stage",
    },
  },
  ChatSite: {
    inputs: {
      apiUrl: "string", region: "string?", apiBehindSite: "plain boolean?", siteDir: "plain string?", priceClass: "plain #PriceClass?",
      frameAncestors: "plain [plain string]?", embedOrigins: "plain [plain string]?", pageContext: "plain [plain string]?", domain: "plain #SiteDomain?",
      forceDestroy: "plain boolean?", apiOriginSecret: "string?", waf: "plain #SiteWaf?",
    },
    outputs: {
      url: "string", scriptUrl: "string", distributionId: "string", bucketName: "string",
      bucket: "aws:s3/bucket:Bucket", distribution: "aws:cloudfront/distribution:Distribution", webAcl: "aws:wafv2/webAcl:WebAcl?",
    },
  },
  TranscriptWatcher: {
    inputs: {
      chatsTable: "plain #ChatsTableRef", existingStorage: "plain #ExistingTranscriptStorage?",
      manageTranscriptStorage: "plain #ManagedTranscriptStorage?", logRetentionDays: "plain number?",
    },
    outputs: {
      bucketName: "string", prefix: "string", functionName: "string", queueUrl: "string", deadLetterQueueUrl: "string", deadLetterQueueName: "string",
      transcriptLandedFunction: "aws:lambda/function:Function", transcriptLandedRole: "aws:iam/role:Role",
      queue: "aws:sqs/queue:Queue", deadLetterQueue: "aws:sqs/queue:Queue",
    },
  },
  ContactFlows: {
    inputs: { instanceId: "string", defaultQueueName: "string?", namePrefix: "plain string?" },
    outputs: {
      chatFlowId: "string", chatFlowArn: "string", disconnectFlowId: "string",
      chatFlow: "aws:connect/contactFlow:ContactFlow", disconnectFlow: "aws:connect/contactFlow:ContactFlow",
    },
  },
  OriginSecret: {
    inputs: { rotation: "plain number?" },
    outputs: { current: "string", accepted: "[string]" },
  },
  ChatAlarms: {
    inputs: {
      chatApi: "plain #WatchedChatApi", transcripts: "plain #WatchedTranscripts?", topicArn: "string?", email: "plain string?",
      api5xxPercent: "plain number?", instanceId: "string?", activeChatsPercent: "plain number?",
    },
    outputs: { topicArn: "string", alarmNames: "[string]", alarms: "[aws:cloudwatch/metricAlarm:MetricAlarm]", topic: "aws:sns/topic:Topic?" },
  },
};

const expectedTypes: Record<string, Record<string, string> | string[]> = {
  JwtAuthorizer: { issuer: "string", audience: "plain [string]" },
  StageThrottle: { rateLimit: "plain number", burstLimit: "plain number" },
  SiteDomain: { names: "plain [plain string]", certificateArn: "string" },
  SiteWaf: { apiRequestsPer5Minutes: "plain number?", managedRules: "plain boolean?" },
  ChatsTableRef: { name: "string", arn: "string" },
  ExistingTranscriptStorage: { bucket: "string", prefix: "string", enableEventBridge: "plain boolean?" },
  ManagedTranscriptStorage: { instanceId: "string", prefix: "plain string?", retentionDays: "plain number?", kms: "plain #TranscriptEncryption?" },
  TranscriptEncryption: { keyArn: "string?" },
  WatchedChatApi: { apiId: "string", functionName: "string", tableName: "string" },
  WatchedTranscripts: { functionName: "string", deadLetterQueueName: "string" },
  // Enums: their members' names (what Python, Go, C# and Java programs write) and values.
  RehydrationMode: ["FromSegment=FROM_SEGMENT", "EntirePastSession=ENTIRE_PAST_SESSION", "None=NONE"],
  ContentType: ["TextPlain=text/plain", "TextMarkdown=text/markdown"],
  PriceClass: ["PriceClass100=PriceClass_100", "PriceClass200=PriceClass_200", "PriceClassAll=PriceClass_All"],
};

describe("the component provider (pulumi package add)", function () {
  this.timeout(120000);
  let schema: PackageSpec;
  // One provider for every construct below: it analyzes our types once, as the plugin process does.
  let provider: ComponentProvider;
  const resource = (component: string) => schema.resources[`connect-chat:index:${component}`] as unknown as SchemaResource;
  const types = () => schema.types as unknown as Record<string, SchemaObject>;

  before(async () => {
    schema = await providerSchema();
    provider = new ComponentProvider({ ...providerIdentity(packageManifest().name), dirname: root, components: providedComponents() });
    await provider.getSchema();
  });

  it("is a Node.js plugin whose host serves exactly our six components, under the name our type tokens use", () => {
    // sdk/go/common/workspace/project.go PluginProject: `runtime` is required, nothing else.
    expect(parse(readFileSync(join(root, "PulumiPlugin.yaml"), "utf8"))).to.deep.equal({ runtime: "nodejs" });
    // run-plugin/run.ts requires the package folder, i.e. package.json's `main`.
    const { main, name } = packageManifest();
    expect(existsSync(join(root, main)), main).to.equal(true);
    // An npm scope would become the namespace and the rest the provider's name: "@connect-chat/pulumi",
    // the package's first name, made every type token start "pulumi:", Pulumi's own. (Added from a
    // git URL, the CLI sets the namespace to the URL's owner: test/examples.test.ts.)
    expect(providerIdentity(name)).to.deep.equal({ name: "connect-chat" });
    expect(providerIdentity("@connect-chat/pulumi")).to.deep.equal({ name: "pulumi", namespace: "connect-chat" });
    expect(providedComponents().map((component) => component.name).sort()).to.deep.equal(components);
    expect(Object.keys(schema.resources).sort()).to.deep.equal(components.map((component) => `connect-chat:index:${component}`));
  });

  it("infers every component's args and outputs with the types, required-ness and plainness we mean", () => {
    for (const component of components) {
      const { inputProperties, properties, requiredInputs, required } = resource(component);
      expect(shapes(inputProperties), `${component} args`).to.deep.equal(expectedApi[component].inputs);
      expect(shapes(properties), `${component} outputs`).to.deep.equal(expectedApi[component].outputs);
      // The analyzer's required lists follow the `?`s (schema.ts `required`): checked, not assumed.
      expect(requiredInputs, `${component} required args`).to.deep.equal(Object.keys(inputProperties).filter((arg) => !inputProperties[arg].optional).sort());
      expect(required, `${component} required outputs`).to.deep.equal(Object.keys(properties).filter((output) => !properties[output].optional).sort());
    }
  });

  it("infers our object types and enums", () => {
    const found = Object.fromEntries(Object.entries(types()).map(([token, type]) => [
      token.replace("connect-chat:index:", ""),
      type.enum ? type.enum.map((member) => `${member.name}=${member.value}`) : shapes(type.properties),
    ]));
    expect(found).to.deep.equal(expectedTypes);
    // Outputs that are AWS resources make the generated SDKs depend on the AWS provider we build with.
    const awsVersion = JSON.parse(readFileSync(require.resolve("@pulumi/aws/package.json"), "utf8")).version;
    expect(schema.dependencies).to.deep.equal([{ name: "aws", version: awsVersion }]);
  });

  it("describes every component, arg, output and object-type property (the generated SDKs' docs)", () => {
    const undescribed: string[] = [];
    for (const component of components) {
      const { description, inputProperties, properties } = resource(component);
      if (!description) undescribed.push(component);
      for (const [name, property] of [...Object.entries(inputProperties), ...Object.entries(properties)]) if (!property.description?.trim()) undescribed.push(`${component}.${name}`);
    }
    for (const [token, type] of Object.entries(types())) {
      for (const [name, property] of Object.entries(type.properties ?? {})) if (!property.description?.trim()) undescribed.push(`${token}.${name}`);
    }
    expect(undescribed).to.deep.equal([]);
  });

  it("matches the committed schema.json (npm run schema rewrites it)", () => {
    expect(readFileSync(schemaFile, "utf8") === schemaText(schema), "schema.json is out of date: run `npm run schema` and review the diff").to.equal(true);
  });

  describe("constructs each component as another language's program would (the provider's construct, under mocks)", () => {
    const instanceId = "11111111-1111-4111-8111-111111111111";
    // Plain JSON, as the engine hands a construct request over: no Outputs, no functions.
    const requests: Record<string, pulumi.Inputs> = {
      ChatApi: {
        instanceId, contactFlowId: "22222222-2222-4222-8222-222222222222", allowedOrigins: ["https://www.example.com"],
        rehydration: "ENTIRE_PAST_SESSION", contentTypes: ["text/plain"], throttle: { rateLimit: 5, burstLimit: 10 },
        jwt: { issuer: "https://issuer.example.com", audience: ["app-client"] },
      },
      ChatSite: { apiUrl: "https://abc123.execute-api.us-east-1.amazonaws.com/chat", priceClass: "PriceClass_200", waf: { apiRequestsPer5Minutes: 200 } },
      TranscriptWatcher: {
        chatsTable: { name: "chats", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/chats" },
        existingStorage: { bucket: "connect-1a2b3c", prefix: "connect/shop/ChatTranscripts" },
      },
      ContactFlows: { instanceId },
      OriginSecret: { rotation: 2 },
      ChatAlarms: { chatApi: { apiId: "abc123", functionName: "start-chat", tableName: "chats" }, email: "ops@example.com", instanceId },
    };

    for (const component of components) {
      it(`${component}: every output in the schema comes back, AWS resources as resources`, async () => {
        useMocks();
        const { urn, state } = await provider.construct(`from-python-${component}`, `connect-chat:index:${component}`, requests[component], {});
        await allRegistered();
        expect(await valueOf(pulumi.output(urn))).to.contain(`::connect-chat:index:${component}::from-python-${component}`);
        const { properties, required } = resource(component);
        expect(Object.keys(state).sort()).to.deep.equal(Object.keys(properties).sort());
        for (const output of required) expect(state[output], `${component}.${output}`).to.not.equal(undefined);
        for (const [output, property] of Object.entries(properties)) {
          const value = state[output];
          if (property.$ref?.startsWith("/aws/")) expect(pulumi.CustomResource.isInstance(value), `${component}.${output}`).to.equal(true);
          if (property.type === "string") expect(pulumi.Output.isInstance(value), `${component}.${output}`).to.equal(true);
        }
      });
    }

    it("refuses a bad arg from another language as it refuses one from TypeScript: by name, before anything is created", async () => {
      const resources = useMocks();
      let refusal: unknown;
      try {
        await provider.construct("bad", "connect-chat:index:ChatApi", { ...requests.ChatApi, instanceId: "arn:aws:connect:us-east-1:123456789012:instance/x" }, {});
      } catch (error) {
        refusal = error;
      }
      expect(String(refusal)).to.contain("instanceId must be a UUID (the UUID at the end of the ARN, not the ARN)");
      await allRegistered();
      expect(resources.filter((r) => r.type.startsWith("aws:"))).to.deep.equal([]);
    });
  });
});
