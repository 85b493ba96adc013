import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { chatsTable } from "../handlers/chats-table";
import { startChatLambda } from "../handlers/start-chat";
import { chatCors } from "../handlers/start-chat/cors";
import { settingsProblems, settingsToEnv, type ContentType, type RehydrationMode, type StartChatSettings } from "../handlers/start-chat/settings";
import { ArgChecks } from "./args";
import { HandlerFunction } from "./handler-function";

/** Signed-in mode: the JWT API Gateway verifies before the function runs. */
export interface JwtAuthorizer {
  /** The token issuer's https URL (e.g. a Cognito user pool's). */
  issuer: pulumi.Input<string>;
  /** Accepted audiences (e.g. the app client id); at least one. */
  audience: pulumi.Input<string>[];
}

/** API Gateway stage throttling. */
export interface StageThrottle {
  /** Steady requests per second, above 0. */
  rateLimit: number;
  /** Burst: requests above the steady rate that may arrive at once, 1 or more. */
  burstLimit: number;
}

export interface ChatApiArgs {
  /** Amazon Connect instance id (the UUID at the end of the instance ARN). */
  instanceId: pulumi.Input<string>;
  /** Id of the contact flow new chats run. */
  contactFlowId: pulumi.Input<string>;
  /** Origins allowed to call the API from a browser (CORS), e.g. `https://www.example.com`. */
  allowedOrigins: string[];
  /** Contact attributes a client may set; others are refused. Default `["customerName"]`. */
  allowedAttributes?: string[];
  /** Chat duration when a request names none, in minutes, 60–10080. Default 1500 (25 h). */
  chatDurationMinutes?: number;
  /** The longest chat a request may ask for (`ChatDurationInMinutes`), in minutes; longer asks get this. Default `chatDurationMinutes`. */
  maxChatDurationMinutes?: number;
  /**
   * Anonymous mode: minutes after a chat ends during which its resume token may start a new chat
   * carrying it along; after that the customer starts afresh. 0 never continues. Default 60.
   */
  continuationMinutes?: number;
  /** New chats one client (IP address, or IPv6 /64) may start per minute; resumes are free. 0 turns the limit off. Default 5. */
  newChatsPerClientPerMinute?: number;
  /**
   * Behind ChatSite: the origin secrets CloudFront may send (see `OriginSecret`). The function then
   * refuses requests that did not come through CloudFront, and limits clients by their viewer
   * address. Default none: the API is called directly.
   */
  originSecrets?: pulumi.Input<string>[];
  /** How a new chat carries the customer's previous one along. Default `FROM_SEGMENT`. */
  rehydration?: RehydrationMode;
  /** Message content types customers may use. Default `["text/plain", "text/markdown"]`. */
  contentTypes?: ContentType[];
  /** Tell the page attachments are on (enable them on the instance too). Default false. */
  attachments?: boolean;
  /** Signed-in mode: API Gateway verifies a JWT and the chat follows its `sub`. Default: anonymous. */
  jwt?: JwtAuthorizer;
  /** Stage throttling: steady requests per second and burst. Default 10 and 20. */
  throttle?: StageThrottle;
  /** How long an agent username lookup is cached, in seconds. Default 300. */
  agentCacheSeconds?: number;
  /**
   * How long a returning customer's chat is handed back without asking Connect whether it is still
   * live (`DescribeContact`), in seconds since it started or Connect last said so; 0 asks on every
   * return. Connect's API rates are per account and low, so a crowd of returning customers costs
   * far fewer calls; a chat that ended meanwhile costs its page one more request. With a
   * `TranscriptWatcher` on the table, ended chats are marked as their transcripts land: 300 is safe
   * there. Default 60.
   */
  liveCheckSeconds?: number;
  /** Days to keep function and access logs. Default 30. */
  logRetentionDays?: number;
  /** Refuse to delete the chats table (turn on for production). Default false. */
  deletionProtection?: boolean;
  /** Caps the function's concurrency, and so the cost a flood can cause. Default: unreserved. */
  reservedConcurrency?: number;
}

/**
 * The start-chat API: `POST /chat` on an API Gateway HTTP API, a Lambda that starts or resumes a
 * customer's Amazon Connect chat, and the DynamoDB table that remembers each customer's chat.
 */
export class ChatApi extends pulumi.ComponentResource {
  /** `https://…/chat`: where the page posts. */
  readonly url: pulumi.Output<string>;
  /** The chats table: one record per customer (TranscriptWatcher's `chatsTable.name`). */
  readonly tableName: pulumi.Output<string>;
  /** The chats table's ARN (TranscriptWatcher's `chatsTable.arn`). */
  readonly tableArn: pulumi.Output<string>;
  /** The start-chat function, for logs and alarms. */
  readonly functionName: pulumi.Output<string>;
  /** The start-chat function's ARN. */
  readonly functionArn: pulumi.Output<string>;
  /** The HTTP API's id, for alarms and dashboards. */
  readonly apiId: pulumi.Output<string>;
  /** The chats table itself: add alarms, tags or a backup plan. */
  readonly table: aws.dynamodb.Table;
  /** The start-chat function itself. */
  readonly startChatFunction: aws.lambda.Function;
  /** The start-chat function's role: attach a policy for what your own additions need. */
  readonly startChatRole: aws.iam.Role;
  /** The HTTP API itself: add routes or integrations of your own. */
  readonly api: aws.apigatewayv2.Api;
  /** The API's `$default` stage (throttling, access logs). */
  readonly stage: aws.apigatewayv2.Stage;

  constructor(name: string, args: ChatApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("connect-chat:index:ChatApi", name, {}, opts);
    // The ids and table name are only known at deploy time; they are filled in below.
    const settings: StartChatSettings = {
      instanceId: "",
      contactFlowId: "",
      chatsTableName: "",
      allowedAttributes: args.allowedAttributes ?? ["customerName"],
      chatDurationMinutes: args.chatDurationMinutes ?? 1500,
      rehydration: args.rehydration ?? "FROM_SEGMENT",
      contentTypes: args.contentTypes ?? ["text/plain", "text/markdown"],
      attachments: args.attachments ?? false,
      authMode: args.jwt ? "jwt" : "anonymous",
      agentCacheSeconds: args.agentCacheSeconds ?? 300,
      liveCheckSeconds: args.liveCheckSeconds ?? 60,
      tokenKeyId: "",
      maxChatDurationMinutes: args.maxChatDurationMinutes ?? args.chatDurationMinutes ?? 1500,
      continuationMinutes: args.continuationMinutes ?? 60,
      newChatsPerClientPerMinute: args.newChatsPerClientPerMinute ?? 5,
      allowedOrigins: args.allowedOrigins,
      originSecrets: [],
    };
    checkArgs(this, args, settings);
    const parent = { parent: this };
    const region = aws.getRegionOutput({}, parent).region;
    const { partition } = aws.getPartitionOutput({}, parent);
    const { accountId } = aws.getCallerIdentityOutput({}, parent);
    const instanceArn = pulumi.interpolate`arn:${partition}:connect:${region}:${accountId}:instance/${args.instanceId}`;

    const table = new aws.dynamodb.Table(`${name}-chats`, {
      billingMode: "PAY_PER_REQUEST",
      hashKey: chatsTable.partitionKey,
      attributes: chatsTable.keyAttributes.map(({ name: attribute, type }) => ({ name: attribute, type })),
      globalSecondaryIndexes: [{
        name: chatsTable.contactIndex.name,
        hashKey: chatsTable.contactIndex.partitionKey,
        projectionType: "KEYS_ONLY",
      }],
      ttl: { attributeName: chatsTable.ttlAttribute, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: args.deletionProtection ?? false,
    }, parent);

    const retentionInDays = args.logRetentionDays ?? 30;
    // Signed-in mode's KMS key (below) names the function's role, and the function names the key:
    // its ARN reaches the environment once the key exists.
    const [tokenKeyArn, resolveTokenKeyArn] = pulumi.deferredOutput<string>();
    const environment = pulumi.all([args.instanceId, args.contactFlowId, table.name, pulumi.output(args.originSecrets ?? []), tokenKeyArn])
      .apply(([instanceId, contactFlowId, chatsTableName, originSecrets, tokenKeyId]) => settingsToEnv({ ...settings, instanceId, contactFlowId, chatsTableName, originSecrets, tokenKeyId }));
    const startChat = new HandlerFunction(`${name}-start-chat`, {
      callbackFactory: startChatLambda,
      sdkOf: "start-chat",
      environment,
      logRetentionDays: retentionInDays,
      // Just under API Gateway's 30 s: the SDK time-outs (handlers/start-chat) end a request first.
      timeoutSeconds: 29,
      reservedConcurrency: args.reservedConcurrency,
    }, parent);
    const fn = startChat.function;
    const tokenKey = args.jwt && tokenSealingKey(`${name}-tokens`, startChat.role.arn, pulumi.interpolate`arn:${partition}:iam::${accountId}:root`, parent);
    resolveTokenKeyArn(tokenKey ? tokenKey.arn : pulumi.output(""));
    new aws.iam.RolePolicy(`${name}-start-chat-policy`, {
      role: startChat.role.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "StartChat", Effect: "Allow", Action: ["connect:StartChatContact"], Resource: pulumi.interpolate`${instanceArn}/contact-flow/${args.contactFlowId}` },
          { Sid: "CheckChatIsLive", Effect: "Allow", Action: ["connect:DescribeContact"], Resource: pulumi.interpolate`${instanceArn}/contact/*` },
          { Sid: "FindAgent", Effect: "Allow", Action: ["connect:SearchUsers"], Resource: [instanceArn, pulumi.interpolate`${instanceArn}/agent/*`] },
          { Sid: "Chats", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: table.arn },
          // The per-client counters, and nothing else: their keys all start with client#.
          {
            Sid: "CountNewChats", Effect: "Allow", Action: ["dynamodb:UpdateItem"], Resource: table.arn,
            // ForAllValues alone would also match a request with no key at all: Null rules that out.
            Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${chatsTable.clientKeyPrefix}*`] }, "Null": { "dynamodb:LeadingKeys": "false" } },
          },
          // A signed-in first start's claim, removed when its start fails: signed-in customers' items only.
          {
            Sid: "ReleaseClaims", Effect: "Allow", Action: ["dynamodb:DeleteItem"], Resource: table.arn,
            Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${chatsTable.signedInKeyPrefix}*`] }, "Null": { "dynamodb:LeadingKeys": "false" } },
          },
          ...(tokenKey ? [{ Sid: "SealTokens", Effect: "Allow", Action: tokenKeyUse, Resource: tokenKey.arn, Condition: { StringLike: sealedForSignedIn } }] : []),
        ],
      }),
    }, parent);

    const api = new aws.apigatewayv2.Api(`${name}-api`, {
      protocolType: "HTTP",
      // No origins, no CORS: only same-origin pages and servers can call it.
      corsConfiguration: args.allowedOrigins.length ? chatCors(args.allowedOrigins, Boolean(args.jwt)) : undefined,
    }, parent);
    const integration = new aws.apigatewayv2.Integration(`${name}-start-chat`, {
      apiId: api.id,
      integrationType: "AWS_PROXY",
      integrationUri: fn.invokeArn,
      payloadFormatVersion: "2.0",
    }, parent);
    const authorizer = args.jwt && new aws.apigatewayv2.Authorizer(`${name}-jwt`, {
      apiId: api.id,
      authorizerType: "JWT",
      identitySources: ["$request.header.Authorization"],
      jwtConfiguration: { issuer: args.jwt.issuer, audiences: args.jwt.audience },
    }, parent);
    const route = new aws.apigatewayv2.Route(`${name}-post-chat`, {
      apiId: api.id,
      routeKey: "POST /chat",
      target: pulumi.interpolate`integrations/${integration.id}`,
      ...(authorizer ? { authorizationType: "JWT", authorizerId: authorizer.id } : {}),
    }, parent);

    const accessLogs = new aws.cloudwatch.LogGroup(`${name}-api-access-logs`, {
      namePrefix: `/aws/apigateway/${name}-`,
      retentionInDays,
    }, parent);
    const throttle = args.throttle ?? { rateLimit: 10, burstLimit: 20 };
    const stage = new aws.apigatewayv2.Stage(`${name}-stage`, {
      apiId: api.id,
      name: "$default",
      autoDeploy: true,
      defaultRouteSettings: { throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit },
      accessLogSettings: {
        destinationArn: accessLogs.arn,
        format: JSON.stringify({
          requestId: "$context.requestId", ip: "$context.identity.sourceIp", time: "$context.requestTime",
          route: "$context.routeKey", status: "$context.status", latencyMs: "$context.responseLatency",
          integrationError: "$context.integrationErrorMessage", authorizerError: "$context.authorizer.error",
        }),
      },
    }, { parent: this, dependsOn: [route] }); // auto-deploy must find the route in place

    new aws.lambda.Permission(`${name}-api-invokes-start-chat`, {
      action: "lambda:InvokeFunction",
      function: fn.name,
      principal: "apigateway.amazonaws.com",
      sourceArn: pulumi.interpolate`${api.executionArn}/*/POST/chat`,
    }, parent);

    // The $default stage serves at the API root; the URL is published once the stage exists.
    this.url = pulumi.all([api.apiEndpoint, stage.id]).apply(([endpoint]) => `${endpoint}/chat`);
    this.tableName = table.name;
    this.tableArn = table.arn;
    this.functionName = fn.name;
    this.functionArn = fn.arn;
    this.apiId = api.id;
    this.table = table;
    this.startChatFunction = fn;
    this.startChatRole = startChat.role;
    this.api = api;
    this.stage = stage;
    this.registerOutputs({
      url: this.url, tableName: this.tableName, tableArn: this.tableArn, functionName: this.functionName, functionArn: this.functionArn, apiId: this.apiId,
      table, startChatFunction: fn, startChatRole: startChat.role, api, stage,
    });
  }
}

/** What start-chat does with its key (handlers/start-chat/seal.ts), and nothing else. */
const tokenKeyUse = ["kms:Encrypt", "kms:Decrypt"];
/** Only for a signed-in customer's item: seal.ts names the customer's key in the encryption context. */
const sealedForSignedIn = { "kms:EncryptionContext:customerKey": `${chatsTable.signedInKeyPrefix}*` };
/** The key administrator actions of KMS's default console key policy: everything but using the key. */
const keyAdministration = [
  "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*",
  "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
];

/**
 * Signed-in customers hold no secret to seal their participant tokens with, so this key does
 * (handlers/start-chat/seal.ts). Its policy delegates to the account's IAM, as KMS's default does,
 * but splits the two halves: the account may administer the key, and only the start-chat role may
 * use it, through its own IAM policy, for signed-in customers' items. Anyone else, an administrator
 * included, must change this policy first, which CloudTrail records. The principal is the account
 * with a condition on the role rather than the role itself, so the key can be created while the new
 * role is still propagating through IAM. Key material rotates yearly; old ciphertexts still open.
 */
function tokenSealingKey(name: string, roleArn: pulumi.Output<string>, accountRoot: pulumi.Output<string>, parent: pulumi.ResourceOptions): aws.kms.Key {
  return new aws.kms.Key(name, {
    description: "connect-chat: seals signed-in customers' participant tokens in the chats table",
    enableKeyRotation: true,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: accountRoot }, Action: keyAdministration, Resource: "*" },
        {
          Sid: "StartChatSealsTokens", Effect: "Allow", Principal: { AWS: accountRoot }, Action: tokenKeyUse, Resource: "*",
          Condition: { ArnEquals: { "aws:PrincipalArn": roleArn }, StringLike: sealedForSignedIn },
        },
      ],
    }),
  }, parent);
}

function checkArgs(chatApi: ChatApi, args: ChatApiArgs, settings: StartChatSettings): void {
  const { throttle, jwt } = args;
  new ArgChecks(chatApi)
    .connectId("instanceId", args.instanceId)
    .connectId("contactFlowId", args.contactFlowId)
    // A wildcard would let any site start chats as its visitors.
    .origins("allowedOrigins", args.allowedOrigins)
    .add(settingsProblems(settings))
    .httpsUrl("jwt.issuer", jwt?.issuer)
    .expect(!jwt || jwt.audience.length > 0, "jwt.audience", "must name at least one audience (e.g. the app client id)")
    .expect(!throttle || (throttle.rateLimit > 0 && Number.isFinite(throttle.rateLimit)), "throttle.rateLimit", "must be a number of requests per second above 0")
    .wholeNumber("throttle.burstLimit", throttle?.burstLimit, 1)
    .logRetention("logRetentionDays", args.logRetentionDays)
    // 0 would stop every chat, not cap them.
    .wholeNumber("reservedConcurrency", args.reservedConcurrency, 1)
    .done();
}
