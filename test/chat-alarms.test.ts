/** ChatAlarms under Pulumi's mocks: what is watched, how, and where alarms go. */
import { expect } from "chai";
import { ChatAlarms, type ChatAlarmsArgs } from "../infra";
import { allRegistered, useMocks, type MockResource } from "./support/pulumi-mocks";

async function deploy(extra: Partial<ChatAlarmsArgs> = {}) {
  const resources = useMocks();
  new ChatAlarms("alarms", {
    chatApi: { apiId: "api123", functionName: "start-chat-fn", tableName: "chats" },
    transcripts: { functionName: "transcript-fn", deadLetterQueueName: "dead-letters" },
    ...extra,
  });
  await allRegistered();
  const alarms = Object.fromEntries(resources.filter((r: MockResource) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => [r.name.replace("alarms-", ""), r.inputs]));
  return { resources, alarms };
}

describe("ChatAlarms (Pulumi mocks)", () => {
  it("watches the API's 5xx rate, both functions, the table and the dead-letter queue", async () => {
    const { alarms } = await deploy();
    expect(Object.keys(alarms).sort()).to.deep.equal([
      "api-5xx", "start-chat-errors", "start-chat-throttles", "table-throttles", "transcript-dead-letters", "transcript-landed-errors", "transcript-landed-throttles",
    ]);
    expect(alarms["api-5xx"]).to.deep.include({ comparisonOperator: "GreaterThanThreshold", threshold: 5, treatMissingData: "notBreaching" });
    expect(alarms["api-5xx"].metricQueries.map((q: { id: string }) => q.id)).to.deep.equal(["errors", "requests", "percent"]);
    expect(alarms["api-5xx"].metricQueries[0].metric).to.deep.include({ namespace: "AWS/ApiGateway", metricName: "5xx", dimensions: { ApiId: "api123", Stage: "$default" } });
    expect(alarms["start-chat-errors"]).to.deep.include({ namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "start-chat-fn" }, threshold: 1 });
    expect(alarms["transcript-landed-throttles"]).to.deep.include({ metricName: "Throttles", dimensions: { FunctionName: "transcript-fn" } });
    expect(alarms["table-throttles"].metricQueries[2]).to.deep.include({ expression: "reads + writes" });
    expect(alarms["transcript-dead-letters"]).to.deep.include({ namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: "dead-letters" }, statistic: "Maximum" });
  });

  it("watches the Connect instance's concurrent active chats against its quota, at 80 % unless told otherwise", async () => {
    const instanceId = "11111111-1111-4111-8111-111111111111";
    const { alarms } = await deploy({ instanceId });
    // Connect admin guide, "Monitoring your instance using CloudWatch": a percentage shown as an integer (80 = 80 %).
    expect(alarms["active-chats"]).to.deep.include({
      namespace: "AWS/Connect", metricName: "ConcurrentActiveChatsPercentage", dimensions: { InstanceId: instanceId, MetricGroup: "Chats" },
      statistic: "Maximum", period: 60, comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 80, treatMissingData: "notBreaching",
    });
    const { alarms: tighter } = await deploy({ instanceId, activeChatsPercent: 60 });
    expect(tighter["active-chats"].threshold).to.equal(60);
  });

  it("sends alarms and recoveries to a topic it creates, mailed to the given address", async () => {
    const { resources, alarms } = await deploy({ email: "oncall@example.com" });
    expect(resources.filter((r) => r.type === "aws:sns/topic:Topic")).to.have.length(1);
    expect(resources.find((r) => r.type === "aws:sns/topicSubscription:TopicSubscription")?.inputs).to.deep.include({ protocol: "email", endpoint: "oncall@example.com" });
    for (const alarm of Object.values(alarms)) {
      expect(alarm.alarmActions).to.deep.equal(["arn:aws:sns:us-east-1:123456789012:alarms-topic"]);
      expect(alarm.okActions).to.deep.equal(alarm.alarmActions);
    }
  });

  it("uses a given topic instead, and watches no transcripts when there are none", async () => {
    const { resources, alarms } = await deploy({ topicArn: "arn:aws:sns:us-east-1:123456789012:ops", transcripts: undefined, api5xxPercent: 1 });
    expect(resources.filter((r) => r.type === "aws:sns/topic:Topic")).to.deep.equal([]);
    expect(Object.keys(alarms)).to.not.include("transcript-dead-letters");
    expect(alarms["api-5xx"].threshold).to.equal(1);
    expect(alarms["start-chat-errors"].alarmActions).to.deep.equal(["arn:aws:sns:us-east-1:123456789012:ops"]);
  });
});
