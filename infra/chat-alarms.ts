import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgChecks } from "./args";

/** The start-chat side's names (a ChatApi has them all). */
export interface WatchedChatApi {
  /** `chatApi.apiId`. */
  apiId: pulumi.Input<string>;
  /** `chatApi.functionName`. */
  functionName: pulumi.Input<string>;
  /** `chatApi.tableName`. */
  tableName: pulumi.Input<string>;
}

/** The transcript side's names (a TranscriptWatcher has them all). */
export interface WatchedTranscripts {
  /** `transcriptWatcher.functionName`. */
  functionName: pulumi.Input<string>;
  /** `transcriptWatcher.deadLetterQueueName`. */
  deadLetterQueueName: pulumi.Input<string>;
}

export interface ChatAlarmsArgs {
  /** What to watch on the start-chat side: a ChatApi, or its `apiId`, `functionName` and `tableName`. */
  chatApi: WatchedChatApi;
  /** What to watch on the transcript side, when there is a TranscriptWatcher (it, or its `functionName` and `deadLetterQueueName`). */
  transcripts?: WatchedTranscripts;
  /** Send alarms to this SNS topic. Default: a topic created here. */
  topicArn?: pulumi.Input<string>;
  /** Subscribe this address to the created topic (AWS emails a confirmation link). */
  email?: string;
  /** Percentage of API requests answered 5xx over 5 minutes that raises the alarm. Default 5. */
  api5xxPercent?: number;
  /**
   * The Amazon Connect instance (the UUID at the end of its ARN): watch its concurrent active chats
   * against its quota ("Concurrent active chats per instance"). Beyond the quota, Connect refuses
   * new chats and customers get 429 `CHAT_CAPACITY`. Default: not watched.
   */
  instanceId?: pulumi.Input<string>;
  /**
   * Share of the instance's concurrent-active-chats quota, in percent, whose use raises the alarm
   * (time to ask for a quota increase, before customers are refused). Needs `instanceId`. Default 80.
   */
  activeChatsPercent?: number;
}

/**
 * The alarms a chat deployment needs, on one SNS topic: the API answering 5xx, either Lambda
 * failing or being throttled, DynamoDB throttling the chats table, transcript events that failed
 * so often they reached the dead-letter queue, and (given `instanceId`) the Connect instance
 * nearing its concurrent-active-chats quota.
 */
export class ChatAlarms extends pulumi.ComponentResource {
  /** The SNS topic alarms go to (the given one, or the one created here). */
  readonly topicArn: pulumi.Output<string>;
  /** Every alarm created, for dashboards and runbooks. */
  readonly alarmNames: pulumi.Output<string>[] = [];
  /** The alarms themselves: change a threshold's neighbours, add actions or tags. */
  readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
  /** The topic created here, unless `topicArn` was given: add subscriptions. */
  readonly topic?: aws.sns.Topic;

  constructor(name: string, args: ChatAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("connect-chat:index:ChatAlarms", name, {}, opts);
    new ArgChecks(this)
      .expect(args.email === undefined || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(args.email), "email", `must be an email address, got "${args.email}"`)
      // A given topic gets no subscription from here: the address would silently get nothing.
      .expect(args.email === undefined || args.topicArn === undefined, "email", "goes with the topic created here; subscribe it to your topicArn yourself")
      .expect(typeof args.topicArn !== "string" || /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(args.topicArn), "topicArn", `must be an SNS topic ARN, got "${args.topicArn}"`)
      .expect(args.api5xxPercent === undefined || (args.api5xxPercent > 0 && args.api5xxPercent <= 100), "api5xxPercent", "must be above 0 and at most 100")
      .connectId("instanceId", args.instanceId)
      .expect(args.activeChatsPercent === undefined || (args.activeChatsPercent > 0 && args.activeChatsPercent <= 100), "activeChatsPercent", "must be above 0 and at most 100")
      .expect(args.activeChatsPercent === undefined || args.instanceId !== undefined, "activeChatsPercent", "needs instanceId: the alarm watches that instance")
      .done();
    const parent = { parent: this };
    const topic = args.topicArn === undefined ? new aws.sns.Topic(`${name}-topic`, {}, parent) : undefined;
    this.topic = topic;
    this.topicArn = topic ? topic.arn : pulumi.output(args.topicArn!);
    if (topic && args.email) new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: "email", endpoint: args.email }, parent);

    const alarm = (id: string, description: string, alarmArgs: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "alarmDescription">) => {
      const created = new aws.cloudwatch.MetricAlarm(`${name}-${id}`, {
        alarmDescription: description,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
        alarmActions: [this.topicArn],
        okActions: [this.topicArn],
        ...alarmArgs,
      }, parent);
      this.alarms.push(created);
      this.alarmNames.push(created.name);
    };
    const sum = (namespace: string, metricName: string, dimensions: Record<string, pulumi.Input<string>>) =>
      ({ namespace, metricName, dimensions, statistic: "Sum", period: 300 });
    const functions: [string, pulumi.Input<string>][] = [["start-chat", args.chatApi.functionName], ...(args.transcripts ? [["transcript-landed", args.transcripts.functionName] as [string, pulumi.Input<string>]] : [])];

    alarm("api-5xx", `More than ${args.api5xxPercent ?? 5}% of start-chat requests failed with 5xx in 5 minutes`, {
      comparisonOperator: "GreaterThanThreshold",
      threshold: args.api5xxPercent ?? 5,
      metricQueries: [
        { id: "errors", metric: { namespace: "AWS/ApiGateway", metricName: "5xx", dimensions: { ApiId: args.chatApi.apiId, Stage: "$default" }, stat: "Sum", period: 300 } },
        { id: "requests", metric: { namespace: "AWS/ApiGateway", metricName: "Count", dimensions: { ApiId: args.chatApi.apiId, Stage: "$default" }, stat: "Sum", period: 300 } },
        { id: "percent", expression: "IF(requests > 0, 100 * errors / requests, 0)", label: "5xx %", returnData: true },
      ],
    });
    for (const [label, functionName] of functions) {
      alarm(`${label}-errors`, `The ${label} function failed`, { comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1, ...sum("AWS/Lambda", "Errors", { FunctionName: functionName }) });
      alarm(`${label}-throttles`, `The ${label} function was throttled`, { comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1, ...sum("AWS/Lambda", "Throttles", { FunctionName: functionName }) });
    }
    alarm("table-throttles", "DynamoDB throttled the chats table", {
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      metricQueries: [
        { id: "reads", metric: { namespace: "AWS/DynamoDB", metricName: "ReadThrottleEvents", dimensions: { TableName: args.chatApi.tableName }, stat: "Sum", period: 300 } },
        { id: "writes", metric: { namespace: "AWS/DynamoDB", metricName: "WriteThrottleEvents", dimensions: { TableName: args.chatApi.tableName }, stat: "Sum", period: 300 } },
        { id: "throttles", expression: "reads + writes", label: "throttle events", returnData: true },
      ],
    });
    if (args.instanceId !== undefined) {
      const percent = args.activeChatsPercent ?? 80;
      // AWS/Connect's ConcurrentActiveChatsPercentage (dimensions InstanceId, MetricGroup=Chats): the
      // share of the quota in use, as a whole percentage (80 is 80 %), sent every minute while chats
      // are active, so no data means no chats. Connect admin guide, "Monitoring your instance using
      // CloudWatch"; an instance created in or before October 2018 must first let Connect publish it.
      alarm("active-chats", `The Connect instance's concurrent active chats reached ${percent}% of its quota`, {
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: percent,
        namespace: "AWS/Connect",
        metricName: "ConcurrentActiveChatsPercentage",
        dimensions: { InstanceId: args.instanceId, MetricGroup: "Chats" },
        statistic: "Maximum",
        period: 60,
      });
    }
    if (args.transcripts) {
      alarm("transcript-dead-letters", "Transcript events failed five times and wait in the dead-letter queue", {
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: args.transcripts.deadLetterQueueName },
        statistic: "Maximum",
        period: 300,
      });
    }
    this.registerOutputs({ topicArn: this.topicArn, alarmNames: this.alarmNames, alarms: this.alarms, topic });
  }
}
