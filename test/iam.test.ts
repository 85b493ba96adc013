/**
 * Every role the stack creates, evaluated by an IAM policy simulator (@cloud-copilot/iam-simulate,
 * test-only): what each function needs is allowed, its neighbours are denied, and every action
 * named in a policy is a real IAM action.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { expect } from "chai";
import { ChatApi, TranscriptWatcher } from "../infra";
import { allRegistered, mockAccount, resourceOf, roleStatements, useMocks, type MockResource } from "./support/pulumi-mocks";

const { region, accountId } = mockAccount;
const instanceId = "11111111-1111-4111-8111-111111111111";
const otherInstance = "99999999-9999-4999-8999-999999999999";
const flowId = "22222222-2222-4222-8222-222222222222";
const instance = `arn:aws:connect:${region}:${accountId}:instance/${instanceId}`;

/** An action on a resource, with the request's condition keys where a policy depends on them. */
type Access = [action: string, resource: string, context?: Record<string, string | string[]>];

async function decide(statements: unknown[], [action, resource, context = {}]: Access): Promise<string> {
  const response = await runSimulation({
    request: { principal: `arn:aws:iam::${accountId}:role/function`, action, resource: { resource, accountId }, contextVariables: context },
    identityPolicies: [{ name: "inline", policy: { Version: "2012-10-17", Statement: statements } }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  } as never, {});
  if (response.resultType === "error") return `error: ${JSON.stringify(response.errors)}`;
  return response.overallResult;
}

describe("IAM (policy simulator)", function () {
  this.timeout(60000);
  let resources: MockResource[];
  before(async () => {
    resources = useMocks();
    const api = new ChatApi("iam", { instanceId, contactFlowId: flowId, allowedOrigins: [] });
    new TranscriptWatcher("iam", { chatsTable: { name: api.tableName, arn: api.tableArn }, existingStorage: { bucket: "connect-1a2b3c", prefix: "connect/shop/ChatTranscripts" } });
    await allRegistered();
  });

  const table = `arn:aws:dynamodb:${region}:${accountId}:table/iam-chats`;
  const roles: { role: string; logGroup: string; needs: Access[]; neighbours: Access[] }[] = [
    {
      role: "iam-start-chat-role",
      logGroup: "/aws/lambda/iam-start-chat-iam-start-chat-logs",
      needs: [
        ["connect:StartChatContact", `${instance}/contact-flow/${flowId}`],
        ["connect:DescribeContact", `${instance}/contact/3f0c6a1e-0000-4000-8000-000000000001`],
        ["connect:SearchUsers", instance],
        ["connect:SearchUsers", `${instance}/agent/1b8f6c2e-0000-4000-8000-000000000001`],
        ["dynamodb:GetItem", table],
        ["dynamodb:PutItem", table],
        ["dynamodb:UpdateItem", table, { "dynamodb:LeadingKeys": ["client#2c26b46b#1795852800"] }],
        ["dynamodb:DeleteItem", table, { "dynamodb:LeadingKeys": ["sub#user-1"] }],
      ],
      neighbours: [
        ["connect:StartChatContact", `${instance}/contact-flow/33333333-3333-4333-8333-333333333333`],
        ["connect:StartChatContact", `arn:aws:connect:${region}:${accountId}:instance/${otherInstance}/contact-flow/${flowId}`],
        ["connect:DescribeContact", `arn:aws:connect:${region}:${accountId}:instance/${otherInstance}/contact/3f0c6a1e-0000-4000-8000-000000000001`],
        ["connect:StopContact", `${instance}/contact/3f0c6a1e-0000-4000-8000-000000000001`],
        ["connect:UpdateContactAttributes", `${instance}/contact/3f0c6a1e-0000-4000-8000-000000000001`],
        ["connect:DescribeUser", `${instance}/agent/1b8f6c2e-0000-4000-8000-000000000001`],
        ["dynamodb:Scan", table],
        ["dynamodb:DeleteItem", table],
        // The per-client counters only: never a customer's chat, nor a request naming no key.
        ["dynamodb:UpdateItem", table],
        ["dynamodb:UpdateItem", table, { "dynamodb:LeadingKeys": ["anon#2c26b46b"] }],
        ["dynamodb:UpdateItem", table, { "dynamodb:LeadingKeys": ["sub#user-1"] }],
        ["dynamodb:DeleteItem", table, { "dynamodb:LeadingKeys": ["anon#2c26b46b"] }],
        ["dynamodb:GetItem", `arn:aws:dynamodb:${region}:${accountId}:table/someone-elses`],
        ["s3:GetObject", "arn:aws:s3:::connect-1a2b3c/connect/shop/ChatTranscripts/2026/11/21/x.json"],
        ["logs:CreateLogGroup", `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/anything`],
      ],
    },
    {
      role: "iam-transcript-landed-role",
      logGroup: "/aws/lambda/iam-transcript-landed-iam-transcript-landed-logs",
      needs: [
        ["sqs:ReceiveMessage", `arn:aws:sqs:${region}:${accountId}:iam-landed`],
        ["sqs:DeleteMessage", `arn:aws:sqs:${region}:${accountId}:iam-landed`],
        ["sqs:GetQueueAttributes", `arn:aws:sqs:${region}:${accountId}:iam-landed`],
        ["dynamodb:Query", `${table}/index/byContactId`],
        ["dynamodb:UpdateItem", table],
        ["s3:GetObject", "arn:aws:s3:::connect-1a2b3c/connect/shop/ChatTranscripts/2026/11/21/3f0c6a1e_20261121T09:05_UTC.json"],
      ],
      neighbours: [
        ["sqs:SendMessage", `arn:aws:sqs:${region}:${accountId}:iam-landed`],
        ["sqs:ReceiveMessage", `arn:aws:sqs:${region}:${accountId}:iam-dead-letters`],
        ["dynamodb:Query", table],
        ["dynamodb:PutItem", table],
        ["dynamodb:DeleteItem", table],
        ["dynamodb:UpdateItem", `arn:aws:dynamodb:${region}:${accountId}:table/someone-elses`],
        ["s3:GetObject", "arn:aws:s3:::connect-1a2b3c/connect/other/ChatTranscripts/x.json"],
        ["s3:GetObject", "arn:aws:s3:::another-bucket/connect/shop/ChatTranscripts/x.json"],
        ["s3:PutObject", "arn:aws:s3:::connect-1a2b3c/connect/shop/ChatTranscripts/x.json"],
        ["s3:ListBucket", "arn:aws:s3:::connect-1a2b3c"],
        ["connect:DescribeContact", `${instance}/contact/3f0c6a1e-0000-4000-8000-000000000001`],
      ],
    },
  ];

  for (const { role, logGroup, needs, neighbours } of roles) {
    const logStream = `arn:aws:logs:${region}:${accountId}:log-group:${logGroup}:log-stream:2026/11/21/[$LATEST]abc`;
    it(`${role}: allows exactly what the function does`, async () => {
      const statements = roleStatements(resources, role);
      for (const access of [...needs, ["logs:CreateLogStream", logStream], ["logs:PutLogEvents", logStream]] as Access[]) {
        expect(await decide(statements, access), access.join(" on ")).to.equal("Allowed");
      }
    });
    it(`${role}: denies its neighbours`, async () => {
      const statements = roleStatements(resources, role);
      const otherLogs = `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/other:log-stream:x`;
      for (const access of [...neighbours, ["logs:PutLogEvents", otherLogs]] as Access[]) {
        expect(await decide(statements, access), access.join(" on ")).to.equal("ImplicitlyDenied");
      }
    });
    it(`${role}: names only real IAM actions`, async () => {
      const statements = roleStatements(resources, role) as { Action: string | string[]; Resource: string | string[] }[];
      for (const statement of statements) {
        for (const action of ([] as string[]).concat(statement.Action)) {
          // A concrete resource the statement covers: a log group's `:*` means its streams.
          const resource = ([] as string[]).concat(statement.Resource)[0].replace(/:\*$/, ":log-stream:x").replace(/\/\*$/, "/x");
          expect(await decide(statements, [action, resource]), action).to.not.match(/^error/);
        }
      }
    });
  }

  it("the simulator does tell a made-up action from a real one", async () => {
    expect(await decide([{ Effect: "Allow", Action: "connect:StartChatContact", Resource: "*" }], ["connect:StartChatContacts", instance])).to.match(/^error: .*invalid.action/);
  });
});

describe("IAM (policy simulator): signed-in mode's token key (KMS)", function () {
  this.timeout(60000);
  let resources: MockResource[];
  before(async () => {
    resources = useMocks();
    const api = new ChatApi("kms", { instanceId, contactFlowId: flowId, allowedOrigins: [], jwt: { issuer: "https://idp.example.com/pool", audience: ["app"] } });
    new TranscriptWatcher("kms", { chatsTable: { name: api.tableName, arn: api.tableArn }, existingStorage: { bucket: "connect-1a2b3c", prefix: "connect/shop/ChatTranscripts" } });
    await allRegistered();
  });

  const key = `arn:aws:kms:${region}:${accountId}:key/kms-tokens-id`;
  const startChat = `arn:aws:iam::${accountId}:role/kms-start-chat-role`;
  const admin = `arn:aws:iam::${accountId}:role/administrator`;

  /**
   * KMS decides with the key's policy and the caller's IAM policies together. The simulator drops
   * `kms:EncryptionContext:<key>` request keys (it matches only `/`-separated variable keys), so
   * Discovery mode reports the conditions under which a call would be allowed; the caller's ARN is
   * known. Answers "ImplicitlyDenied", or "Allowed" and its conditions.
   */
  async function onKey(principal: string, statements: unknown[], action: string, resource = key): Promise<string> {
    const response = await runSimulation({
      request: { principal, action, resource: { resource, accountId }, contextVariables: { "aws:PrincipalArn": principal } },
      identityPolicies: [{ name: "inline", policy: { Version: "2012-10-17", Statement: statements } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: JSON.parse(resourceOf(resources, "aws:kms/key:Key").inputs.policy),
    } as never, { simulationMode: "Discovery", discoveryContextKeyConstraints: [{ keyName: "aws:PrincipalArn", presenceIsKnown: true, valueIsKnown: true }] });
    if (response.resultType !== "single") return `error: ${JSON.stringify(response)}`;
    const conditions = new Set<string>();
    const collect = (node: { op?: string; key?: string; values?: string[]; conditions?: unknown[] } | undefined): void => {
      if (node?.key) conditions.add(`${node.op} ${node.key} ${node.values?.join(",")}`);
      node?.conditions?.forEach((child) => collect(child as typeof node));
    };
    collect((response.result.analysis as { conditions?: Parameters<typeof collect>[0] }).conditions);
    return [response.overallResult, ...conditions].join(" if ");
  }

  it("start-chat may Encrypt and Decrypt with it, only for a signed-in customer's item", async () => {
    for (const action of ["kms:Encrypt", "kms:Decrypt"]) {
      expect(await onKey(startChat, roleStatements(resources, "kms-start-chat-role"), action), action).to.equal("Allowed if StringLike kms:EncryptionContext:customerKey sub#*");
    }
  });

  it("start-chat may do nothing else with it, and use no other key", async () => {
    const statements = roleStatements(resources, "kms-start-chat-role");
    for (const action of ["kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:CreateGrant", "kms:DescribeKey", "kms:ScheduleKeyDeletion"]) {
      expect(await onKey(startChat, statements, action), action).to.equal("ImplicitlyDenied");
    }
    expect(await onKey(startChat, statements, "kms:Decrypt", `arn:aws:kms:${region}:${accountId}:key/another`)).to.equal("ImplicitlyDenied");
  });

  it("transcript-landed may not use it", async () => {
    for (const action of ["kms:Encrypt", "kms:Decrypt"]) {
      expect(await onKey(`arn:aws:iam::${accountId}:role/kms-transcript-landed-role`, roleStatements(resources, "kms-transcript-landed-role"), action), action).to.equal("ImplicitlyDenied");
    }
  });

  it("an administrator allowed kms:* may manage the key, but not use it", async () => {
    const everything = [{ Effect: "Allow", Action: "kms:*", Resource: "*" }];
    for (const action of ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom"]) expect(await onKey(admin, everything, action), action).to.equal("ImplicitlyDenied");
    for (const action of ["kms:DescribeKey", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:ScheduleKeyDeletion"]) expect(await onKey(admin, everything, action), action).to.equal("Allowed");
  });
});
