/**
 * Every component checks its args when constructed: a bad value fails `pulumi preview` at once, as a
 * Pulumi ResourceError without a stack trace, naming the arg and why.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ChatAlarms, ChatApi, ChatSite, ContactFlows, InvalidArgsError, TranscriptWatcher, type ChatAlarmsArgs, type ChatApiArgs, type ChatSiteArgs, type ContactFlowsArgs, type TranscriptWatcherArgs } from "../infra";
import { useMocks } from "./support/pulumi-mocks";

const instanceId = "11111111-1111-4111-8111-111111111111";
const contactFlowId = "22222222-2222-4222-8222-222222222222";
const instanceArn = `arn:aws:connect:us-east-1:123456789012:instance/${instanceId}`;
const chatsTable = { name: "chats", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/chats" };
/** ChatSite only needs the page's entry script to be there. */
const siteDir = join("test-output", "args-site");

function constructed(create: () => unknown): InvalidArgsError | undefined {
  useMocks();
  try {
    create();
    return undefined;
  } catch (error) {
    if (error instanceof InvalidArgsError) return error;
    throw error;
  }
}

type Case<Args> = [what: string, args: Partial<Args>, problem: string];

function refuses<Args>(component: string, create: (args: Partial<Args>) => unknown, cases: Case<Args>[]) {
  describe(component, () => {
    it("accepts its defaults", () => {
      expect(constructed(() => create({}))).to.equal(undefined);
    });
    for (const [what, args, problem] of cases) {
      it(`refuses ${what}`, () => {
        const error = constructed(() => create(args));
        expect(error, "no InvalidArgsError").to.be.instanceOf(InvalidArgsError);
        expect(error!.message).to.include(problem);
      });
    }
  });
}

describe("component args, checked at construction", () => {
  before(() => {
    mkdirSync(siteDir, { recursive: true });
    writeFileSync(join(siteDir, "connect-chat.js"), "");
  });

  refuses<ChatApiArgs>("ChatApi", (args) => new ChatApi("bad", { instanceId, contactFlowId, allowedOrigins: [], ...args }), [
    ["an instance ARN for the instance id", { instanceId: instanceArn }, "instanceId must be a UUID (the UUID at the end of the ARN, not the ARN)"],
    ["a flow name for the flow id", { contactFlowId: "Sample inbound flow" }, 'contactFlowId must be a UUID, got "Sample inbound flow"'],
    ["a wildcard origin", { allowedOrigins: ["*"] }, 'allowedOrigins entry "*" is not an origin'],
    ["a wildcard subdomain origin", { allowedOrigins: ["https://*.example.com"] }, 'allowedOrigins entry "https://*.example.com"'],
    ["an origin with a path", { allowedOrigins: ["https://shop.example.com/chat"] }, 'allowedOrigins entry "https://shop.example.com/chat"'],
    ["a plain-http origin on the network", { allowedOrigins: ["http://shop.example.com"] }, 'allowedOrigins entry "http://shop.example.com" must be https:// (plain http only on loopback'],
    ["a plain-http origin on a private address", { allowedOrigins: ["http://192.168.1.20:8080"] }, 'allowedOrigins entry "http://192.168.1.20:8080" must be https://'],
    ["a 30-minute chat", { chatDurationMinutes: 30 }, "chatDurationMinutes must be a whole number from 60 to 10080"],
    ["an unknown rehydration mode", { rehydration: "ALWAYS" as never }, "rehydration must be one of"],
    ["an attribute the server sets", { allowedAttributes: ["agentId"] }, 'allowedAttributes: "agentId" is set by the server'],
    ["a plain-http JWT issuer", { jwt: { issuer: "http://idp.example.com", audience: ["app"] } }, "jwt.issuer must be an https:// URL"],
    ["a JWT without audiences", { jwt: { issuer: "https://idp.example.com", audience: [] } }, "jwt.audience must name at least one audience"],
    ["a zero rate limit", { throttle: { rateLimit: 0, burstLimit: 5 } }, "throttle.rateLimit must be a number of requests per second above 0"],
    ["a fractional burst", { throttle: { rateLimit: 5, burstLimit: 2.5 } }, "throttle.burstLimit must be a whole number from 1 up"],
    ["a retention CloudWatch does not offer", { logRetentionDays: 10 }, "logRetentionDays must be one of 1, 3, 5, 7, 14, 30"],
    ["a concurrency of zero", { reservedConcurrency: 0 }, "reservedConcurrency must be a whole number from 1 up"],
  ]);

  refuses<ChatSiteArgs>("ChatSite", (args) => new ChatSite("bad", { apiUrl: "https://api.example.com/chat", siteDir, ...args }), [
    ["a plain-http API", { apiUrl: "http://api.example.com/chat" }, "apiUrl must be an https:// URL"],
    ["a folder with no built page", { siteDir: join("test-output", "no-such-site") }, "siteDir test-output/no-such-site holds no built page (no connect-chat.js)"],
    ["an unknown price class", { priceClass: "PriceClass_Cheap" as never }, 'priceClass must be one of PriceClass_100, PriceClass_200, PriceClass_All, got "PriceClass_Cheap"'],
    ["a frame ancestor with a path", { frameAncestors: ["https://*.example.com", "https://shop.example.com/help"] }, 'frameAncestors entry "https://shop.example.com/help"'],
    ["a plain-http frame ancestor", { frameAncestors: ["http://*.example.com"] }, 'frameAncestors entry "http://*.example.com" must be https://'],
    ["a WAF rate limit under WAF's minimum of 10", { waf: { apiRequestsPer5Minutes: 5 } }, "waf.apiRequestsPer5Minutes must be a whole number from 10 to 2000000000"],
    ["a WAF rate limit over WAF's maximum", { waf: { apiRequestsPer5Minutes: 3e9 } }, "waf.apiRequestsPer5Minutes must be a whole number from 10 to 2000000000"],
    ["a WAF with no rules at all", { apiBehindSite: false, waf: { managedRules: false } }, "waf would have no rules"],
    ["a domain without names", { domain: { names: [], certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" } }, "domain.names must name at least one domain"],
    ["a certificate outside us-east-1", { domain: { names: ["chat.example.com"], certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } }, "domain.certificateArn must be an ACM certificate ARN in us-east-1"],
  ]);

  const existingStorage = { bucket: "connect-transcripts", prefix: "connect/shop/ChatTranscripts" };
  refuses<TranscriptWatcherArgs>("TranscriptWatcher", (args) => new TranscriptWatcher("bad", { chatsTable, existingStorage, ...args }), [
    ["no storage", { existingStorage: undefined }, "existingStorage or manageTranscriptStorage is required"],
    ["both storages", { manageTranscriptStorage: { instanceId } }, "manageTranscriptStorage cannot go with existingStorage"],
    ["an s3:// URL for the bucket", { existingStorage: { ...existingStorage, bucket: "s3://connect-transcripts" } }, 'existingStorage.bucket must be a bucket name (not an s3:// URL or ARN), got "s3://connect-transcripts"'],
    ["an empty prefix", { existingStorage: { ...existingStorage, prefix: "/" } }, "existingStorage.prefix must name the folder"],
    ["a bad instance id for managed storage", { existingStorage: undefined, manageTranscriptStorage: { instanceId: "shop" } }, "manageTranscriptStorage.instanceId must be a UUID"],
    ["a retention of 0 days", { existingStorage: undefined, manageTranscriptStorage: { instanceId, retentionDays: 0 } }, "manageTranscriptStorage.retentionDays must be a whole number from 1 up"],
    ["a KMS key alias where Connect needs the key's ARN", { existingStorage: undefined, manageTranscriptStorage: { instanceId, kms: { keyArn: "alias/transcripts" } } }, 'manageTranscriptStorage.kms.keyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; Connect takes no alias or bare id), got "alias/transcripts"'],
  ]);

  refuses<ContactFlowsArgs>("ContactFlows", (args) => new ContactFlows("bad", { instanceId, ...args }), [
    ["an instance alias for the id", { instanceId: "my-shop" }, 'instanceId must be a UUID, got "my-shop"'],
    ["an empty queue name", { defaultQueueName: "" }, "defaultQueueName must not be empty"],
  ]);

  const chatApi = { apiId: "api", functionName: "fn", tableName: "chats" };
  refuses<ChatAlarmsArgs>("ChatAlarms", (args) => new ChatAlarms("bad", { chatApi, ...args }), [
    ["a malformed email", { email: "oncall" }, 'email must be an email address, got "oncall"'],
    ["an email with a given topic", { email: "oncall@example.com", topicArn: "arn:aws:sns:us-east-1:123456789012:ops" }, "email goes with the topic created here"],
    ["a topic name for its ARN", { topicArn: "ops" }, 'topicArn must be an SNS topic ARN, got "ops"'],
    ["a threshold of 0 %", { api5xxPercent: 0 }, "api5xxPercent must be above 0"],
    ["an active-chats threshold over 100 %", { instanceId, activeChatsPercent: 120 }, "activeChatsPercent must be above 0 and at most 100"],
    ["an active-chats threshold without an instance", { activeChatsPercent: 50 }, "activeChatsPercent needs instanceId"],
    ["an instance ARN for the instance id", { instanceId: instanceArn }, "instanceId must be a UUID (the UUID at the end of the ARN, not the ARN)"],
  ]);

  it("accepts plain http only on loopback: localhost, 127.0.0.1 and [::1], any port", () => {
    const loopback = ["http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:8080", "http://localhost"];
    expect(constructed(() => new ChatApi("local", { instanceId, contactFlowId, allowedOrigins: loopback }))).to.equal(undefined);
    expect(constructed(() => new ChatSite("local", { apiUrl: "https://api.example.com/chat", siteDir, frameAncestors: loopback }))).to.equal(undefined);
  });

  it("reports every problem at once, as a ResourceError without a stack trace", () => {
    const error = constructed(() => new ChatApi("bad", { instanceId: "shop", contactFlowId, allowedOrigins: ["*"], chatDurationMinutes: 5 }))!;
    expect(error.problems).to.have.length(3);
    expect(error.message).to.match(/^invalid args: instanceId .*; allowedOrigins .*; chatDurationMinutes /);
    expect(pulumi.ResourceError.isInstance(error)).to.equal(true);
    expect(error.hideStack).to.equal(true);
  });

  it("leaves values known only at deploy time to the provider", () => {
    expect(constructed(() => new ChatApi("later", { instanceId: pulumi.output("from-another-stack"), contactFlowId: pulumi.output("x"), allowedOrigins: [] }))).to.equal(undefined);
  });
});
