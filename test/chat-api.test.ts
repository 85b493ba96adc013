/** ChatApi's resources under Pulumi's mocks: what `pulumi preview` would create, checked exactly. */
import { expect } from "chai";
import { ChatApi, type ChatApiArgs } from "../infra";
import { settingsToEnv } from "../handlers/start-chat/settings";
import { localSettings } from "../local/stack";
import { allRegistered, archiveFiles, mockAccount, resourceOf, roleStatements, useMocks, valueOf, type MockResource } from "./support/pulumi-mocks";

const instanceId = "11111111-1111-4111-8111-111111111111";
const contactFlowId = "22222222-2222-4222-8222-222222222222";
const instanceArn = `arn:aws:connect:${mockAccount.region}:${mockAccount.accountId}:instance/${instanceId}`;

async function deploy(name: string, extra: Partial<ChatApiArgs> = {}) {
  const resources = useMocks();
  const api = new ChatApi(name, { instanceId, contactFlowId, allowedOrigins: ["https://shop.example.com"], ...extra });
  await allRegistered();
  const outputs = {
    url: await valueOf(api.url),
    tableName: await valueOf(api.tableName),
    functionName: await valueOf(api.functionName),
    functionArn: await valueOf(api.functionArn),
  };
  const of = (type: string, resourceName?: string) => resourceOf(resources, type, resourceName);
  return { resources, outputs, of };
}

describe("ChatApi (Pulumi mocks)", () => {
  let deployed: Awaited<ReturnType<typeof deploy>>;
  before(async () => {
    deployed = await deploy("shop");
  });

  it("declares the chats table from the shared schema: on demand, TTL, PITR, encrypted", () => {
    const { inputs } = deployed.of("aws:dynamodb/table:Table");
    expect(inputs).to.deep.include({
      billingMode: "PAY_PER_REQUEST",
      hashKey: "customerKey",
      attributes: [{ name: "customerKey", type: "S" }, { name: "contactId", type: "S" }],
      ttl: { attributeName: "expiresAt", enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: false,
    });
    expect(inputs.globalSecondaryIndexes).to.deep.equal([{ name: "byContactId", hashKey: "contactId", projectionType: "KEYS_ONLY" }]);
  });

  it("runs start-chat on nodejs22.x arm64 with JSON logs into a log group it retains", () => {
    const fn = deployed.of("aws:lambda/function:Function").inputs;
    expect(fn).to.deep.include({ runtime: "nodejs22.x", architectures: ["arm64"], handler: "__index.handler", timeout: 29, memorySize: 512 });
    const logs = deployed.of("aws:cloudwatch/logGroup:LogGroup", "shop-start-chat-logs").inputs;
    expect(logs).to.deep.include({ namePrefix: "/aws/lambda/shop-start-chat-", retentionInDays: 30 });
    expect(fn.loggingConfig).to.deep.equal({ logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "WARN", logGroup: "/aws/lambda/shop-start-chat-shop-start-chat-logs" });
  });

  it("gives the function its settings through the environment", () => {
    const { variables } = deployed.of("aws:lambda/function:Function").inputs.environment;
    // Anonymous mode seals participant tokens with the customer's resume token: no KMS key. The
    // local stack's settings are the component's defaults but for what a local stack does differently.
    expect(variables).to.deep.equal(settingsToEnv({
      ...localSettings, tokenKeyId: "", instanceId, contactFlowId, chatsTableName: deployed.outputs.tableName,
      allowedOrigins: ["https://shop.example.com"], newChatsPerClientPerMinute: 5, allowedAttributes: ["customerName"], liveCheckSeconds: 60,
    }));
  });

  it("ships the serialized handler and its SDK bundle, nothing else: the runtime's own SDK is never loaded", async () => {
    const files = await archiveFiles(deployed.of("aws:lambda/function:Function").inputs.code);
    expect(Object.keys(files)).to.deep.equal(["__index.js", "handlers/dist/start-chat-aws-sdk.js"]);
    expect(files["__index.js"]).to.not.match(/require\("@(pulumi|aws-sdk)\//);
    expect(files["__index.js"]).to.include('"./handlers/dist/start-chat-aws-sdk.js"');
  });

  it("grants exactly the actions start-chat uses, on this instance and table only", () => {
    const role = deployed.of("aws:iam/role:Role").inputs;
    expect(role.assumeRolePolicy.Statement).to.deep.equal([{ Sid: "AllowAssumeRole", Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" } }]);
    const table = `arn:aws:dynamodb:${mockAccount.region}:${mockAccount.accountId}:table/${deployed.outputs.tableName}`;
    expect(roleStatements(deployed.resources, "shop-start-chat-role")).to.deep.equal([
      { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `arn:aws:logs:${mockAccount.region}:${mockAccount.accountId}:log-group:/aws/lambda/shop-start-chat-shop-start-chat-logs:*` },
      { Sid: "StartChat", Effect: "Allow", Action: ["connect:StartChatContact"], Resource: `${instanceArn}/contact-flow/${contactFlowId}` },
      { Sid: "CheckChatIsLive", Effect: "Allow", Action: ["connect:DescribeContact"], Resource: `${instanceArn}/contact/*` },
      { Sid: "FindAgent", Effect: "Allow", Action: ["connect:SearchUsers"], Resource: [instanceArn, `${instanceArn}/agent/*`] },
      { Sid: "Chats", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: table },
      {
        Sid: "CountNewChats", Effect: "Allow", Action: ["dynamodb:UpdateItem"], Resource: table,
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["client#*"] }, "Null": { "dynamodb:LeadingKeys": "false" } },
      },
      {
        Sid: "ReleaseClaims", Effect: "Allow", Action: ["dynamodb:DeleteItem"], Resource: table,
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["sub#*"] }, "Null": { "dynamodb:LeadingKeys": "false" } },
      },
    ]);
    expect(deployed.resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.deep.equal([]);
    expect(deployed.resources.filter((r) => r.type === "aws:kms/key:Key"), "anonymous mode needs no KMS key").to.deep.equal([]);
    expect(deployed.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy").map((r) => r.inputs.role)).to.deep.equal(["shop-start-chat-role-id", "shop-start-chat-role-id"]);
  });

  it("serves POST /chat on an HTTP API with CORS for the configured origins only", () => {
    const api = deployed.of("aws:apigatewayv2/api:Api").inputs;
    expect(api.protocolType).to.equal("HTTP");
    expect(api.corsConfiguration).to.deep.equal({ allowOrigins: ["https://shop.example.com"], allowMethods: ["POST"], allowHeaders: ["content-type"], exposeHeaders: ["retry-after"], maxAge: 3600 });
    const route = deployed.of("aws:apigatewayv2/route:Route").inputs;
    expect(route).to.deep.include({ routeKey: "POST /chat", target: "integrations/shop-start-chat-id" });
    expect(route).to.not.have.property("authorizationType");
    expect(deployed.of("aws:apigatewayv2/integration:Integration").inputs).to.deep.include({ integrationType: "AWS_PROXY", payloadFormatVersion: "2.0" });
    expect(deployed.outputs.url).to.equal(`https://shop-api.execute-api.${mockAccount.region}.amazonaws.com/chat`);
  });

  it("throttles the stage and writes access logs", () => {
    const stage = deployed.of("aws:apigatewayv2/stage:Stage").inputs;
    expect(stage).to.deep.include({ name: "$default", autoDeploy: true });
    expect(stage.defaultRouteSettings).to.deep.equal({ throttlingRateLimit: 10, throttlingBurstLimit: 20 });
    expect(stage.accessLogSettings.destinationArn).to.match(/:log-group:\/aws\/apigateway\/shop-/);
    expect(JSON.parse(stage.accessLogSettings.format)).to.include({ requestId: "$context.requestId", status: "$context.status" });
  });

  it("lets only this API's POST /chat invoke the function", () => {
    expect(deployed.of("aws:lambda/permission:Permission").inputs).to.deep.include({
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      sourceArn: `arn:aws:execute-api:${mockAccount.region}:${mockAccount.accountId}:shop-api/*/POST/chat`,
    });
  });

  it("parents every resource to the component", () => {
    const names = deployed.resources.map((r: MockResource) => r.name);
    expect(names).to.include("shop");
    expect(names.filter((n) => n !== "shop").every((n) => n.startsWith("shop-"))).to.equal(true);
  });

  describe("options", () => {
    it("signed-in mode puts a JWT authorizer on the route and tells the function", async () => {
      const { of } = await deploy("members", { jwt: { issuer: "https://cognito-idp.us-east-1.amazonaws.com/pool", audience: ["app-client"] } });
      const authorizer = of("aws:apigatewayv2/authorizer:Authorizer").inputs;
      expect(authorizer).to.deep.include({ authorizerType: "JWT", identitySources: ["$request.header.Authorization"] });
      expect(authorizer.jwtConfiguration).to.deep.equal({ issuer: "https://cognito-idp.us-east-1.amazonaws.com/pool", audiences: ["app-client"] });
      expect(of("aws:apigatewayv2/route:Route").inputs).to.deep.include({ authorizationType: "JWT", authorizerId: "members-jwt-id" });
      expect(of("aws:apigatewayv2/api:Api").inputs.corsConfiguration.allowHeaders).to.deep.equal(["content-type", "authorization"]);
      expect(of("aws:lambda/function:Function").inputs.environment.variables.AUTH_MODE).to.equal("jwt");
    });

    it("signed-in mode seals participant tokens with a rotated KMS key that only start-chat may use", async () => {
      const { resources, of } = await deploy("members", { jwt: { issuer: "https://cognito-idp.us-east-1.amazonaws.com/pool", audience: ["app-client"] } });
      const { region, accountId } = mockAccount;
      const keyArn = `arn:aws:kms:${region}:${accountId}:key/members-tokens-id`;
      const key = of("aws:kms/key:Key", "members-tokens").inputs;
      expect(key.enableKeyRotation).to.equal(true);
      const root = `arn:aws:iam::${accountId}:root`;
      const signedIn = { "kms:EncryptionContext:customerKey": "sub#*" };
      expect(JSON.parse(key.policy)).to.deep.equal({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: root }, Resource: "*",
            Action: ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand"],
          },
          {
            Sid: "StartChatSealsTokens", Effect: "Allow", Principal: { AWS: root }, Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "*",
            Condition: { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${accountId}:role/members-start-chat-role` }, StringLike: signedIn },
          },
        ],
      });
      expect(roleStatements(resources, "members-start-chat-role").at(-1)).to.deep.equal({ Sid: "SealTokens", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt"], Resource: keyArn, Condition: { StringLike: signedIn } });
      expect(of("aws:lambda/function:Function").inputs.environment.variables.TOKEN_KEY_ID).to.equal(keyArn);
    });

    it("takes throttling, retention, protection and concurrency from args", async () => {
      const { of } = await deploy("tuned", { throttle: { rateLimit: 3, burstLimit: 6 }, logRetentionDays: 7, deletionProtection: true, reservedConcurrency: 5 });
      expect(of("aws:apigatewayv2/stage:Stage").inputs.defaultRouteSettings).to.deep.equal({ throttlingRateLimit: 3, throttlingBurstLimit: 6 });
      expect(of("aws:cloudwatch/logGroup:LogGroup", "tuned-start-chat-logs").inputs.retentionInDays).to.equal(7);
      expect(of("aws:dynamodb/table:Table").inputs.deletionProtectionEnabled).to.equal(true);
      expect(of("aws:lambda/function:Function").inputs.reservedConcurrentExecutions).to.equal(5);
    });

    it("without origins sets no CORS at all", async () => {
      const { of } = await deploy("server-only", { allowedOrigins: [] });
      expect(of("aws:apigatewayv2/api:Api").inputs).to.not.have.property("corsConfiguration");
    });
  });
});
