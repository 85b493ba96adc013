/**
 * Extending the components without forking them, as a consumer's program does (as with awsx's
 * components): resources of its own on the children a component exposes, and Pulumi `transforms`
 * that reach every resource a component creates. Under Pulumi's mocks, with transforms applied as
 * the engine applies them (support/pulumi-mocks.ts, `engineTransforms`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ChatAlarms, ChatApi, ChatSite, ContactFlows, OriginSecret, TranscriptWatcher } from "../infra";
import { buildSite } from "../www/build";
import { allRegistered, mockAccount, resourceOf, useMocks, valueOf, type MockResource } from "./support/pulumi-mocks";

const { region, accountId } = mockAccount;
const instanceId = "11111111-1111-4111-8111-111111111111";
const shop = "https://shop.example.com";

/** The page ChatSite uploads, built on first use. */
let builtSite: string | undefined;
const siteDir = () => (builtSite ??= buildSite("test-output/extending-site").dir);

/** The components' names in `composeChat`; each names its children `<name>-…`. */
const componentNames = ["flows", "origin-secret", "chat", "site", "transcripts", "alarms"] as const;
type ComponentName = (typeof componentNames)[number];

/**
 * Every component, composed as a consumer's program would (as index.ts does), with the options
 * that create the most kinds of children; each given the `transforms` that `transformsFor` returns.
 */
function composeChat(transformsFor: (component: ComponentName) => pulumi.ResourceTransform[] = () => []) {
  const options = (component: ComponentName): pulumi.ComponentResourceOptions => ({ transforms: transformsFor(component) });
  const flows = new ContactFlows("flows", { instanceId }, options("flows"));
  const originSecret = new OriginSecret("origin-secret", {}, options("origin-secret"));
  const chatApi = new ChatApi("chat", {
    instanceId,
    contactFlowId: flows.chatFlowId,
    allowedOrigins: [shop],
    originSecrets: originSecret.accepted,
    jwt: { issuer: "https://idp.example.com/pool", audience: ["app-client"] },
  }, options("chat"));
  const site = new ChatSite("site", { apiUrl: chatApi.url, siteDir: siteDir(), embedOrigins: [shop], apiOriginSecret: originSecret.current, waf: {} }, options("site"));
  const watcher = new TranscriptWatcher("transcripts", {
    chatsTable: { name: chatApi.tableName, arn: chatApi.tableArn },
    manageTranscriptStorage: { instanceId, retentionDays: 30, kms: {} },
  }, options("transcripts"));
  const alarms = new ChatAlarms("alarms", { chatApi, transcripts: watcher, email: "ops@example.com", instanceId }, options("alarms"));
  return { flows, originSecret, chatApi, site, watcher, alarms };
}

const sorted = <T>(items: Iterable<T>): T[] => [...items].sort();

/** The recorded resource with this URN. */
function recordOf(resources: MockResource[], urn: string): MockResource {
  const found = resources.filter((r) => r.urn === urn);
  if (found.length !== 1) throw new Error(`expected one resource ${urn}, found ${found.length}`);
  return found[0];
}

/** Whether the recorded resource sits under the resource with this URN, at any depth. */
function isUnder(resources: MockResource[], resource: MockResource, ancestor: string): boolean {
  return resource.parent === ancestor || (Boolean(resource.parent) && isUnder(resources, recordOf(resources, resource.parent!), ancestor));
}

/** A CloudWatch alarm on one metric, as a consumer adds them. */
function alarmOn(namespace: string, metricName: string, dimensions: Record<string, pulumi.Input<string>>): aws.cloudwatch.MetricAlarmArgs {
  return { namespace, metricName, dimensions, statistic: "Maximum", period: 300, evaluationPeriods: 1, threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold" };
}

describe("extending the components: the consumer's resources on the children they expose", () => {
  let resources: MockResource[];
  let chat: ReturnType<typeof composeChat>;
  /** The inputs of the consumer's resource of this name (the consumer's names are unique). */
  const consumer = (name: string) => {
    const [resource, ...others] = resources.filter((r) => r.name === name);
    if (!resource || others.length) throw new Error(`expected one resource named ${name}`);
    return resource.inputs;
  };
  /** The inputs of the component's resource of this type and name (names repeat across types). */
  const component = (type: string, name: string) => resourceOf(resources, type, name).inputs;

  before(async () => {
    resources = useMocks({}, "connect-chat", { engineTransforms: true });
    chat = composeChat();
    const { flows, chatApi, site, watcher, alarms } = chat;
    new aws.iam.RolePolicy("consumer-start-chat-reads-settings", {
      role: chatApi.startChatRole.id,
      policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ssm:GetParameter", Resource: `arn:aws:ssm:${region}:${accountId}:parameter/chat/*` }] }),
    });
    new aws.cloudwatch.MetricAlarm("consumer-chats-errors", alarmOn("AWS/DynamoDB", "SystemErrors", { TableName: chatApi.table.name }));
    new aws.cloudwatch.MetricAlarm("consumer-start-chat-slow", { ...alarmOn("AWS/Lambda", "Duration", { FunctionName: chatApi.startChatFunction.name }), threshold: 10000 });
    new aws.apigatewayv2.Route("consumer-health", { apiId: chatApi.api.id, routeKey: "GET /health" });
    new aws.apigatewayv2.ApiMapping("consumer-api-domain", { apiId: chatApi.api.id, domainName: "chat-api.example.com", stage: chatApi.stage.name });
    new aws.cloudwatch.MetricAlarm("consumer-site-errors", { ...alarmOn("AWS/CloudFront", "5xxErrorRate", { DistributionId: site.distribution.id, Region: "Global" }), threshold: 5 });
    new aws.s3.BucketVersioning("consumer-site-versions", { bucket: site.bucket.id, versioningConfiguration: { status: "Enabled" } });
    new aws.wafv2.WebAclLoggingConfiguration("consumer-waf-logs", {
      resourceArn: site.webAcl!.arn,
      logDestinationConfigs: [`arn:aws:logs:us-east-1:${accountId}:log-group:aws-waf-logs-chat`],
    });
    new aws.cloudwatch.MetricAlarm("consumer-dead-letters-arriving", alarmOn("AWS/SQS", "NumberOfMessagesSent", { QueueName: watcher.deadLetterQueue.name }));
    new aws.cloudwatch.MetricAlarm("consumer-transcripts-waiting", { ...alarmOn("AWS/SQS", "ApproximateAgeOfOldestMessage", { QueueName: watcher.queue.name }), threshold: 600 });
    new aws.iam.RolePolicy("consumer-transcript-landed-publishes", {
      role: watcher.transcriptLandedRole.id,
      policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "events:PutEvents", Resource: `arn:aws:events:${region}:${accountId}:event-bus/default` }] }),
    });
    new aws.ssm.Parameter("consumer-chat-flow-id", { type: "String", name: "/chat/flow-id", insecureValue: flows.chatFlow.contactFlowId });
    new aws.sns.TopicSubscription("consumer-pager", { topic: alarms.topic!.arn, protocol: "https", endpoint: "https://pager.example.com/hook" });
    new aws.cloudwatch.CompositeAlarm("consumer-chat-down", {
      alarmName: "chat-down",
      alarmRule: pulumi.all(alarms.alarms.map((alarm) => alarm.name)).apply((names) => names.map((name) => `ALARM("${name}")`).join(" OR ")),
    });
    await allRegistered();
  });

  it("ChatApi: a policy on startChatRole reaches the role start-chat runs as", async () => {
    const role = await valueOf(chat.chatApi.startChatRole.arn);
    expect(role).to.equal(`arn:aws:iam::${accountId}:role/chat-start-chat-role`);
    expect(component("aws:lambda/function:Function", "chat-start-chat").role).to.equal(role);
    expect(consumer("consumer-start-chat-reads-settings").role).to.equal("chat-start-chat-role-id");
    expect(component("aws:iam/rolePolicy:RolePolicy", "chat-start-chat-policy").role, "the component's own grants").to.equal("chat-start-chat-role-id");
  });

  it("ChatApi: alarms, a route and a domain mapping land on its table, function, API and stage", () => {
    // The same table and function as ChatAlarms watches.
    expect(consumer("consumer-chats-errors").dimensions).to.deep.equal({ TableName: "chat-chats" });
    expect(component("aws:cloudwatch/metricAlarm:MetricAlarm", "alarms-table-throttles").metricQueries[0].metric.dimensions.TableName).to.equal("chat-chats");
    expect(consumer("consumer-start-chat-slow").dimensions).to.deep.equal({ FunctionName: "chat-start-chat" });
    expect(component("aws:cloudwatch/metricAlarm:MetricAlarm", "alarms-start-chat-errors").dimensions).to.deep.equal({ FunctionName: "chat-start-chat" });
    // The API POST /chat is on, and the stage that serves it.
    expect(consumer("consumer-health")).to.deep.include({ apiId: "chat-api-id", routeKey: "GET /health" });
    expect(component("aws:apigatewayv2/route:Route", "chat-post-chat").apiId).to.equal("chat-api-id");
    expect(consumer("consumer-api-domain")).to.deep.include({ apiId: "chat-api-id", stage: "$default" });
  });

  it("ChatSite: an alarm, versioning and WAF logging land on its distribution, bucket and web ACL", async () => {
    expect(consumer("consumer-site-errors").dimensions).to.deep.equal({ DistributionId: "site-cdn-id", Region: "Global" });
    expect(await valueOf(chat.site.distributionId)).to.equal("site-cdn-id");
    expect(consumer("consumer-site-versions").bucket).to.equal(await valueOf(chat.site.bucketName));
    // The web ACL the distribution is behind.
    const webAcl = `arn:aws:wafv2:${region}:${accountId}:site-waf`;
    expect(consumer("consumer-waf-logs").resourceArn).to.equal(webAcl);
    expect(component("aws:cloudfront/distribution:Distribution", "site-cdn").webAclId).to.equal(webAcl);
  });

  it("TranscriptWatcher: alarms land on its queues, and a policy on the role its function runs as", async () => {
    // The dead-letter queue the queue redrives to, which ChatAlarms watches too.
    expect(consumer("consumer-dead-letters-arriving").dimensions).to.deep.equal({ QueueName: "transcripts-dead-letters" });
    expect(JSON.parse(component("aws:sqs/queue:Queue", "transcripts-landed").redrivePolicy).deadLetterTargetArn).to.equal(await valueOf(chat.watcher.deadLetterQueue.arn));
    expect(component("aws:cloudwatch/metricAlarm:MetricAlarm", "alarms-transcript-dead-letters").dimensions).to.deep.equal({ QueueName: "transcripts-dead-letters" });
    expect(consumer("consumer-transcripts-waiting").dimensions).to.deep.equal({ QueueName: "transcripts-landed" });
    expect(consumer("consumer-transcript-landed-publishes").role).to.equal("transcripts-transcript-landed-role-id");
    expect(component("aws:lambda/function:Function", "transcripts-transcript-landed").role).to.equal(await valueOf(chat.watcher.transcriptLandedRole.arn));
  });

  it("ContactFlows: the chat flow's id the consumer publishes is the flow ChatApi starts chats on", () => {
    expect(consumer("consumer-chat-flow-id").insecureValue).to.equal("flows-chat-flow-id");
    expect(component("aws:lambda/function:Function", "chat-start-chat").environment.variables.CONNECT_CONTACT_FLOW_ID).to.equal("flows-chat-flow-id");
  });

  it("ChatAlarms: a subscription on its topic gets every alarm, and a composite alarm combines them", () => {
    const topic = `arn:aws:sns:${region}:${accountId}:alarms-topic`;
    expect(consumer("consumer-pager")).to.deep.include({ topic, protocol: "https" });
    const alarms = resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.name.startsWith("alarms-"));
    expect(alarms.map((alarm) => alarm.inputs.alarmActions)).to.deep.equal(alarms.map(() => [topic]));
    expect(sorted(consumer("consumer-chat-down").alarmRule.split(" OR "))).to.deep.equal(sorted(alarms.map((alarm) => `ALARM("${alarm.name}")`)));
  });

  it("each exposed child is the very resource the component registered, and the only one of its type there", async () => {
    const { flows, chatApi, site, watcher, alarms } = chat;
    const exposed: [pulumi.ComponentResource, pulumi.CustomResource[]][] = [
      [chatApi, [chatApi.table, chatApi.startChatFunction, chatApi.startChatRole, chatApi.api, chatApi.stage]],
      [site, [site.bucket, site.distribution, site.webAcl!]],
      [watcher, [watcher.transcriptLandedFunction, watcher.transcriptLandedRole, watcher.queue, watcher.deadLetterQueue]],
      [flows, [flows.chatFlow, flows.disconnectFlow]],
      [alarms, [alarms.topic!, ...alarms.alarms]],
    ];
    for (const [owner, children] of exposed) {
      const ownerUrn = await valueOf(owner.urn);
      const urns = await Promise.all(children.map((child) => valueOf(child.urn)));
      const types = new Set(urns.map((urn) => recordOf(resources, urn).type));
      const registered = resources.filter((r) => types.has(r.type) && isUnder(resources, r, ownerUrn)).map((r) => r.urn);
      expect(sorted(urns), ownerUrn).to.deep.equal(sorted(registered));
    }
  });
});

/** A resource class's constructor args. */
type ArgsOf<C> = C extends abstract new (name: string, args: infer Args, ...rest: never[]) => pulumi.CustomResource ? NonNullable<Args> : never;
/** The type a resource class registers, e.g. `aws:dynamodb/table:Table`. */
const typeOf = (resourceClass: object): string => (resourceClass as { __pulumiType: string }).__pulumiType;
/** The type of a class whose args take `tags`: the compiler refuses a class whose args do not. */
const takesTags = <C extends object>(resourceClass: C & ("tags" extends keyof ArgsOf<C> ? unknown : never)) => typeOf(resourceClass);
/** The type of a class whose args take no `tags`: the compiler refuses a class whose args do. */
const takesNoTags = <C extends object>(resourceClass: C & ("tags" extends keyof ArgsOf<C> ? never : unknown)) => typeOf(resourceClass);

/** The AWS resource types the components create that take tags. */
const taggableTypes = new Set([
  takesTags(aws.apigatewayv2.Api), takesTags(aws.apigatewayv2.Stage), takesTags(aws.cloudfront.Distribution), takesTags(aws.cloudfront.Function),
  takesTags(aws.cloudwatch.EventRule), takesTags(aws.cloudwatch.LogGroup), takesTags(aws.cloudwatch.MetricAlarm), takesTags(aws.connect.ContactFlow),
  takesTags(aws.dynamodb.Table), takesTags(aws.iam.Role), takesTags(aws.kms.Key), takesTags(aws.lambda.EventSourceMapping), takesTags(aws.lambda.Function),
  takesTags(aws.s3.Bucket), takesTags(aws.s3.BucketObjectv2), takesTags(aws.sns.Topic), takesTags(aws.sqs.Queue), takesTags(aws.wafv2.WebAcl),
]);
/** Those that take none, and why: each is part, or a setting, of something tagged on its own. */
const untaggableTypes: Record<string, string> = {
  [takesNoTags(aws.apigatewayv2.Authorizer)]: "part of its API",
  [takesNoTags(aws.apigatewayv2.Integration)]: "part of its API",
  [takesNoTags(aws.apigatewayv2.Route)]: "part of its API",
  [takesNoTags(aws.cloudfront.CachePolicy)]: "a CloudFront policy: configuration the distribution uses",
  [takesNoTags(aws.cloudfront.OriginAccessControl)]: "CloudFront configuration the distribution uses",
  [takesNoTags(aws.cloudfront.OriginRequestPolicy)]: "a CloudFront policy: configuration the distribution uses",
  [takesNoTags(aws.cloudfront.ResponseHeadersPolicy)]: "a CloudFront policy: configuration the distribution uses",
  [takesNoTags(aws.cloudwatch.EventTarget)]: "part of its rule",
  [takesNoTags(aws.connect.InstanceStorageConfig)]: "a setting of the Connect instance",
  [takesNoTags(aws.iam.RolePolicy)]: "an inline policy: part of its role",
  [takesNoTags(aws.lambda.Permission)]: "a statement of its function's resource policy",
  [takesNoTags(aws.s3.BucketLifecycleConfiguration)]: "a setting of its bucket",
  [takesNoTags(aws.s3.BucketNotification)]: "a setting of its bucket",
  [takesNoTags(aws.s3.BucketOwnershipControls)]: "a setting of its bucket",
  [takesNoTags(aws.s3.BucketPolicy)]: "a setting of its bucket",
  [takesNoTags(aws.s3.BucketPublicAccessBlock)]: "a setting of its bucket",
  [takesNoTags(aws.s3.BucketServerSideEncryptionConfiguration)]: "a setting of its bucket",
  [takesNoTags(aws.sns.TopicSubscription)]: "part of its topic",
  [takesNoTags(aws.sqs.QueuePolicy)]: "a setting of its queue",
};

const costCenter = { "cost-center": "customer-chat" };
/** The consumer's tagging transform: its cost center on every AWS resource that takes tags. */
const tagCostCenter: pulumi.ResourceTransform = ({ type, props, opts }) =>
  taggableTypes.has(type) ? { props: { ...props, tags: { ...props.tags, ...costCenter } }, opts } : undefined;

describe("extending the components: transforms reach every resource a component creates", () => {
  let resources: MockResource[];
  /** The names of the resources each component's transforms were handed. */
  const seenBy = new Map<ComponentName, string[]>(componentNames.map((name) => [name, []]));
  /** The consumer's own resources: one under ChatApi, made once the table's name is known; one beside the components. */
  const addedUnderChatApi = "consumer-late-alarm";
  const outsider = "consumer-outsider";
  /** Notes each resource the component's transforms are handed. */
  const record = (component: ComponentName): pulumi.ResourceTransform => ({ name }) => {
    seenBy.get(component)!.push(name);
    return undefined;
  };
  /** A consumer keeping the chats table when the stack is destroyed: a transform may change options too. */
  const retainTheTable: pulumi.ResourceTransform = ({ type, props, opts }) => (type === typeOf(aws.dynamodb.Table) ? { props, opts: { ...opts, retainOnDelete: true } } : undefined);

  before(async () => {
    resources = useMocks({}, "connect-chat", { engineTransforms: true });
    const { chatApi } = composeChat((component) => [tagCostCenter, record(component), ...(component === "chat" ? [retainTheTable] : [])]);
    chatApi.tableName.apply((table) => new aws.cloudwatch.MetricAlarm(addedUnderChatApi, alarmOn("AWS/DynamoDB", "SystemErrors", { TableName: table }), { parent: chatApi }));
    new aws.sns.Topic(outsider, {});
    await allRegistered();
  });

  const ownedBy = (component: ComponentName) => resources.filter((r) => r.name === component || r.name.startsWith(`${component}-`)).map((r) => r.name);

  it("every resource a component registers, itself and its grandchildren included, goes through its transforms", () => {
    for (const component of componentNames) {
      const expected = [...ownedBy(component), ...(component === "chat" ? [addedUnderChatApi] : [])];
      expect(sorted(seenBy.get(component)!), component).to.deep.equal(sorted(expected));
    }
    // HandlerFunction's and PrivateBucket's own children among them.
    expect(seenBy.get("chat")).to.include.members(["chat-start-chat-role", "chat-start-chat-logs", "chat-start-chat"]);
    expect(seenBy.get("site")).to.include.members(["site-files", "site-files-policy", "site-files-public-access"]);
    expect(seenBy.get("transcripts")).to.include.members(["transcripts-transcripts", "transcripts-transcripts-encryption", "transcripts-transcript-landed-role"]);
  });

  it("every AWS resource that takes tags carries the consumer's; those that take none are listed, each with why", () => {
    const created = resources.filter((r) => r.type.startsWith("aws:") && r.name !== outsider);
    expect(sorted(new Set(created.map((r) => r.type)))).to.deep.equal(sorted([...taggableTypes, ...Object.keys(untaggableTypes)]));
    for (const { type, name, inputs } of created) {
      if (taggableTypes.has(type)) expect(inputs.tags, name).to.deep.equal(costCenter);
      else expect(inputs, name).to.not.have.property("tags");
    }
    // Not AWS resources, and untagged: the components themselves and the random provider's passwords.
    for (const { type, name, inputs } of resources.filter((r) => !r.type.startsWith("aws:"))) {
      expect(type, name).to.match(/^(connect-chat:index:|random:index\/randomPassword:)/);
      expect(inputs, name).to.not.have.property("tags");
    }
  });

  it("reaches a resource the consumer adds under a component, even inside an apply", () => {
    expect(resourceOf(resources, typeOf(aws.cloudwatch.MetricAlarm), addedUnderChatApi).inputs.tags).to.deep.equal(costCenter);
  });

  it("does not reach a resource outside the components: it is no stack transform", () => {
    expect(resourceOf(resources, typeOf(aws.sns.Topic), outsider).inputs).to.not.have.property("tags");
    expect([...seenBy.values()].flat()).to.not.include(outsider);
  });

  it("may change options as well as props", () => {
    const retained = resources.filter((r) => r.options?.retainOnDelete).map((r) => r.name);
    expect(retained).to.deep.equal(["chat-chats"]);
  });

  it("applies as the engine does: the resource's own, then each ancestor's from the nearest, then the stack's", async () => {
    useMocks({}, "connect-chat", { engineTransforms: true });
    const applied = new Map<string, string[]>();
    const noteApplied = (source: string): pulumi.ResourceTransform => ({ name }) => {
      applied.set(name, [...(applied.get(name) ?? []), source]);
      return undefined;
    };
    pulumi.runtime.registerResourceTransform(noteApplied("stack"));
    // A consumer's own component around one of ours.
    const chatStack = new pulumi.ComponentResource("consumer:index:ChatStack", "consumer-stack", {}, { transforms: [noteApplied("ChatStack")] });
    const alarms = new ChatAlarms("alarms", { chatApi: { apiId: "api", functionName: "start-chat", tableName: "chats" } }, { parent: chatStack, transforms: [noteApplied("ChatAlarms")] });
    new aws.sns.TopicSubscription("consumer-pager", { topic: alarms.topicArn, protocol: "https", endpoint: "https://pager.example.com/hook" }, { parent: alarms, transforms: [noteApplied("own")] });
    await allRegistered();
    expect(applied.get("consumer-pager")).to.deep.equal(["own", "ChatAlarms", "ChatStack", "stack"]);
    expect(applied.get("alarms-topic")).to.deep.equal(["ChatAlarms", "ChatStack", "stack"]);
    expect(applied.get("alarms")).to.deep.equal(["ChatAlarms", "ChatStack", "stack"]);
    expect(applied.get("consumer-stack")).to.deep.equal(["ChatStack", "stack"]);
  });

  it("needs the engine: Pulumi's own mock monitor applies no transforms at all", async () => {
    const registered = useMocks();
    new ContactFlows("flows", { instanceId }, { transforms: [tagCostCenter] });
    await allRegistered();
    expect(resourceOf(registered, typeOf(aws.connect.ContactFlow), "flows-chat").inputs).to.not.have.property("tags");
  });

  it("legacy transformations (applied by the SDK) reach every resource a component creates too", async () => {
    const registered = useMocks();
    const seen: string[] = [];
    const recordName: pulumi.ResourceTransformation = ({ name }) => {
      seen.push(name);
      return undefined;
    };
    new ChatSite("site", { apiUrl: "https://abc123.execute-api.us-east-1.amazonaws.com/chat", siteDir: siteDir() }, { transformations: [recordName] });
    await allRegistered();
    expect(sorted(seen)).to.deep.equal(sorted(registered.map((r) => r.name)));
  });
});
