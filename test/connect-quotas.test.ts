/**
 * The local Connect emulator enforces Amazon Connect's default limits (local/connect-quotas.ts), as
 * the real AWS SDK v3 clients meet them: each operation's token bucket lets its burst through and
 * refuses the next call with the error its API model names (429, no Retry-After), refills at its
 * rate, and a refused call changes nothing; the concurrent active chat quota answers
 * LimitExceededException; participant refusals carry CORS a browser can read; overrides and "off"
 * work, at run time and from `npm start`. The buckets run on a clock the tests set, so every count
 * here is exact.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  ConnectClient, DescribeContactCommand, SearchUsersCommand, StartChatContactCommand, StopContactCommand, type ConnectServiceException,
} from "@aws-sdk/client-connect";
import {
  CompleteAttachmentUploadCommand, ConnectParticipantClient, CreateParticipantConnectionCommand, DisconnectParticipantCommand,
  GetAttachmentCommand, GetTranscriptCommand, SendEventCommand, SendMessageCommand, StartAttachmentUploadCommand,
  type ConnectParticipantServiceException,
} from "@aws-sdk/client-connectparticipant";
import { expect } from "chai";
import {
  connectDefaultQuotas, createRateLimiter, createTokenBucket, describeQuotas, quotaSettingFromFlags, resolveQuotas, sharedBuckets,
} from "../local/connect-quotas";
import type { LocalStack } from "../local/stack";
import { launchChromium } from "./support/browser";
import { localStack } from "./support/hooks";
import { hostSite } from "./support/host-site";
import { withNpmStart } from "./support/npm-start";

describe("Connect's limits: the token bucket", () => {
  it("lets the burst through, refuses the next without taking a token, and refills continuously at the rate", () => {
    let now = 1000;
    const bucket = createTokenBucket({ rate: 5, burst: 8 }, () => now);
    for (let i = 0; i < 8; i++) expect(bucket.take(), `call ${i + 1}`).to.equal(true);
    expect(bucket.take()).to.equal(false);
    // Refused calls took nothing: 199 ms later there is still not a whole token, at 200 ms one.
    for (let i = 0; i < 5; i++) expect(bucket.take()).to.equal(false);
    now += 199;
    expect(bucket.take()).to.equal(false);
    now += 1;
    expect(bucket.take()).to.equal(true);
    expect(bucket.take()).to.equal(false);
    // A long idle spell fills it to its burst, never beyond.
    now += 60_000;
    expect(bucket.tokens()).to.equal(8);
    // A clock that steps back gives nothing and takes nothing.
    now -= 10_000;
    expect(bucket.tokens()).to.equal(8);
  });

  it("refills exactly at fractional and uneven rates", () => {
    let now = 0;
    const half = createTokenBucket({ rate: 0.5, burst: 1 }, () => now);
    expect(half.take()).to.equal(true);
    now = 1999;
    expect(half.take()).to.equal(false);
    now = 2000;
    expect(half.take()).to.equal(true);
    const six = createTokenBucket({ rate: 6, burst: 9 }, () => now);
    for (let i = 0; i < 9; i++) six.take();
    now += 166;
    expect(six.take()).to.equal(false);
    now += 1;
    expect(six.take()).to.equal(true);
  });

  it("keeps one bucket per operation, the default's for operations not named, and shares SendMessage's with SendEvent", () => {
    const now = () => 0;
    const connect = createRateLimiter(connectDefaultQuotas.connect, now);
    const passes = (limiter: ReturnType<typeof createRateLimiter>, operation: string, calls: number) => {
      let passed = 0;
      for (let i = 0; i < calls; i++) if (limiter.take(operation)) passed++;
      return passed;
    };
    expect(passes(connect, "StartChatContact", 20)).to.equal(8);
    expect(passes(connect, "DescribeContact", 20)).to.equal(15);
    expect(passes(connect, "StopContact", 20)).to.equal(15);
    expect(passes(connect, "SearchUsers", 20)).to.equal(5);
    expect(passes(connect, "ListQueues", 20), "another operation: its own bucket at the default rate").to.equal(5);
    const participant = createRateLimiter(connectDefaultQuotas.participant, now, sharedBuckets);
    expect(passes(participant, "SendMessage", 10) + passes(participant, "SendEvent", 10)).to.equal(15);
    expect(passes(participant, "GetTranscript", 20)).to.equal(12);
    expect(passes(createRateLimiter({}, now), "Anything", 100), "no rate, no limit").to.equal(100);
  });

  it("has Connect's documented defaults", () => {
    expect(connectDefaultQuotas).to.deep.equal({
      connect: { default: { rate: 2, burst: 5 }, StartChatContact: { rate: 5, burst: 8 }, DescribeContact: { rate: 10, burst: 15 }, StopContact: { rate: 10, burst: 15 } },
      participant: {
        CreateParticipantConnection: { rate: 6, burst: 9 }, SendMessage: { rate: 10, burst: 15 }, GetTranscript: { rate: 8, burst: 12 },
        DisconnectParticipant: { rate: 3, burst: 5 }, StartAttachmentUpload: { rate: 2, burst: 5 }, CompleteAttachmentUpload: { rate: 2, burst: 5 },
        GetAttachment: { rate: 8, burst: 12 },
      },
      activeChats: 500,
    });
  });

  it("applies overrides over the defaults, and refuses values no bucket can have", () => {
    const resolved = resolveQuotas({ connect: { StartChatContact: { rate: 20, burst: 40 } }, participant: { SendEvent: { rate: 12, burst: 18 } }, activeChats: 1000 })!;
    expect(resolved.connect.StartChatContact).to.deep.equal({ rate: 20, burst: 40 });
    expect(resolved.connect.DescribeContact).to.deep.equal({ rate: 10, burst: 15 });
    expect(resolved.participant.SendMessage, "SendEvent names the bucket it shares").to.deep.equal({ rate: 12, burst: 18 });
    expect(resolved.activeChats).to.equal(1000);
    expect(resolveQuotas("off")).to.equal(undefined);
    expect(resolveQuotas("default")).to.deep.equal(connectDefaultQuotas);
    expect(() => resolveQuotas({ connect: { StartChatContact: { rate: 0, burst: 5 } } })).to.throw(/rate must be a number above 0/);
    expect(() => resolveQuotas({ connect: { StartChatContact: { rate: 1, burst: 0.5 } } })).to.throw(/burst must be a whole number/);
    expect(() => resolveQuotas({ participant: { StartChatContact: { rate: 1, burst: 1 } } })).to.throw(/No such operation/);
  });

  it("reads --quotas and --quota, and says what is wrong with a bad one in one line", () => {
    expect(quotaSettingFromFlags(undefined)).to.equal("default");
    expect(quotaSettingFromFlags("off")).to.equal("off");
    expect(quotaSettingFromFlags("default", ["StartChatContact=20/40", "CreateParticipantConnection=12/18", "activeChats=1000", "default=0.5/1"])).to.deep.equal({
      connect: { StartChatContact: { rate: 20, burst: 40 }, default: { rate: 0.5, burst: 1 } },
      participant: { CreateParticipantConnection: { rate: 12, burst: 18 } },
      activeChats: 1000,
    });
    for (const [mode, changes, message] of [
      [undefined, ["StartChatContact=abc"], "--quota StartChatContact=abc: give RATE/BURST (requests a second / bucket size), for example --quota StartChatContact=20/40"],
      [undefined, ["StartChatContact=0/5"], "--quota StartChatContact=0/5: the rate must be a number above 0, got 0"],
      [undefined, ["StartChatContact=5/0"], "--quota StartChatContact=5/0: the burst must be a whole number of 1 or more, got 0"],
      [undefined, ["activeChats=many"], "--quota activeChats=many: activeChats takes a whole number, for example --quota activeChats=1000"],
      ["some", [], "--quotas takes default or off, got some"],
      ["off", ["StartChatContact=5/8"], "--quota changes Connect's limits, which --quotas off lifts: use one or the other"],
    ] as const) {
      expect(() => quotaSettingFromFlags(mode, changes)).to.throw(message);
    }
    expect(() => quotaSettingFromFlags(undefined, ["StartChat=5/8"])).to.throw(/^--quota StartChat=5\/8: no such limit; limits: default, StartChatContact, .*activeChats$/);
  });

  it("describes the limits in force in one line", () => {
    const line = describeQuotas("default");
    expect(line).to.match(/^Connect's defaults \(StartChatContact 5\/s burst 8, DescribeContact 10\/s burst 15, StopContact 10\/s burst 15, other Connect operations 2\/s burst 5, CreateParticipantConnection 6\/s burst 9, SendMessage\+SendEvent 10\/s burst 15, .*, 500 active chats\)$/);
    expect(line).to.not.include("\n");
    expect(describeQuotas({ connect: { StartChatContact: { rate: 20, burst: 40 } }, activeChats: 1000 }))
      .to.match(/^Connect's defaults, changed: StartChatContact 20\/s burst 40, 1000 active chats \(StartChatContact 20\/s burst 40, /);
    expect(describeQuotas("off")).to.equal("off: no rate limits and no active chat quota");
    // What a stack reports in force reads the same as the setting that put it there.
    expect(describeQuotas(resolveQuotas("default")!)).to.equal(line);
  });
});

describe("Connect's limits in the local stack (AWS SDK v3 clients)", function () {
  this.timeout(60000);
  let stack: LocalStack;
  let connect: ConnectClient;
  let participant: ConnectParticipantClient;
  /** The buckets' clock: it moves only when a test moves it. */
  let now = 0;
  const clock = () => now;

  before(async () => {
    stack = await localStack();
    const config = {
      endpoint: stack.env.AWS_ENDPOINT_URL_CONNECT,
      region: stack.env.AWS_REGION,
      credentials: { accessKeyId: stack.env.AWS_ACCESS_KEY_ID, secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY },
      // One attempt each: the SDK would retry a 429, and each refusal is what is under test.
      maxAttempts: 1,
    };
    connect = new ConnectClient(config);
    participant = new ConnectParticipantClient({ ...config, endpoint: stack.env.AWS_ENDPOINT_URL_CONNECTPARTICIPANT });
  });
  beforeEach(() => {
    now = 0;
    stack.setQuotas("default", clock);
    stack.emulator.resetCallCounts();
    stack.participants.resetCallCounts();
  });
  afterEach(() => {
    stack.settings.attachments = false;
    stack.setQuotas("default");
  });
  after(() => {
    connect.destroy();
    participant.destroy();
  });

  /** An error as the SDK parsed it: its name (x-amzn-ErrorType), status, and whether it carried Retry-After. */
  const refusal = (promise: Promise<unknown>) => promise.then(
    () => expect.fail("expected a refusal"),
    (error: ConnectServiceException | ConnectParticipantServiceException) => ({ name: error.name, status: error.$metadata.httpStatusCode }),
  );
  /** Runs `call` `times` times, none of which may be throttled (other errors are fine: a throttled call is refused before the operation runs). */
  const notThrottled = async (times: number, call: () => Promise<unknown>) => {
    for (let i = 0; i < times; i++) {
      const status = await call().then(() => 200, (error: ConnectServiceException) => error.$metadata.httpStatusCode);
      expect(status, `call ${i + 1} of ${times}`).to.not.equal(429);
    }
  };
  const startChat = (name = "Quota Test", ClientToken?: string) => connect.send(new StartChatContactCommand({
    InstanceId: stack.settings.instanceId, ContactFlowId: stack.settings.contactFlowId, ParticipantDetails: { DisplayName: name }, ClientToken,
  }));
  const activeChats = () => stack.emulator.contacts().filter((contact) => !contact.disconnectTimestamp).length;
  /** A customer's connection token in a new chat (StartChatContact's rate raised: only the participant service's is under test). */
  const connection = async () => {
    const { ParticipantToken } = await startChat();
    const created = await participant.send(new CreateParticipantConnectionCommand({ ParticipantToken, Type: ["CONNECTION_CREDENTIALS"] }));
    return created.ConnectionCredentials!.ConnectionToken!;
  };
  const roomy = { connect: { StartChatContact: { rate: 1000, burst: 1000 } } };

  it("lets each Connect operation's burst through, then refuses with the error its model names: 429, no Retry-After", async () => {
    const { ContactId } = await startChat();
    const cases = [
      // StartChatContact: 8, the first above; "API TPS throttling returns a TooManyRequests exception".
      { operation: "StartChatContact", burst: 7, call: () => startChat(), error: "TooManyRequestsException" },
      { operation: "DescribeContact", burst: 15, call: () => connect.send(new DescribeContactCommand({ InstanceId: stack.settings.instanceId, ContactId })), error: "ThrottlingException" },
      { operation: "SearchUsers", burst: 5, call: () => connect.send(new SearchUsersCommand({ InstanceId: stack.settings.instanceId })), error: "ThrottlingException" },
      // A contact that does not exist: 404 each time, but each took a token.
      { operation: "StopContact", burst: 15, call: () => connect.send(new StopContactCommand({ InstanceId: stack.settings.instanceId, ContactId: randomUUID() })), error: "TooManyRequestsException" },
    ];
    for (const { operation, burst, call, error } of cases) {
      await notThrottled(burst, call);
      expect(await refusal(call()), operation).to.deep.equal({ name: error, status: 429 });
    }
    expect(stack.emulator.throttledCounts()).to.deep.equal({
      rateLimited: { StartChatContact: 1, DescribeContact: 1, SearchUsers: 1, StopContact: 1 },
      activeChatQuota: {},
    });
    // Every call received is counted, refused ones too.
    expect(stack.emulator.callCounts()).to.deep.equal({ StartChatContact: 9, DescribeContact: 16, SearchUsers: 6, StopContact: 16 });
  });

  it("answers a throttled call over the wire as Connect does: x-amzn-ErrorType, { Message }, no Retry-After", async () => {
    const search = () => connect.send(new SearchUsersCommand({ InstanceId: stack.settings.instanceId }));
    await notThrottled(5, search);
    // The SDK keeps the raw answer on the error it throws.
    const error = await search().then(() => expect.fail("expected a refusal"), (thrown: ConnectServiceException) => thrown);
    const headers = new Headers(error.$response?.headers);
    expect(error.name).to.equal("ThrottlingException");
    expect(error.$metadata.httpStatusCode).to.equal(429);
    expect(headers.get("x-amzn-errortype")).to.equal("ThrottlingException");
    expect(headers.get("retry-after")).to.equal(null);
    expect(error.message).to.equal("Rate exceeded");
    // Authentication comes first: an unsigned call is refused as unsigned (403), throttled or not.
    const unsigned = await fetch(`${stack.url}/connect/search-users`, { method: "POST", body: "{}" });
    expect(unsigned.status).to.equal(403);
    expect(stack.emulator.throttledCounts().rateLimited).to.deep.equal({ SearchUsers: 1 });
  });

  it("refills each bucket at its rate", async () => {
    await notThrottled(8, () => startChat());
    expect((await refusal(startChat())).name).to.equal("TooManyRequestsException");
    now += 199; // 5/s: a token every 200 ms
    expect((await refusal(startChat())).name).to.equal("TooManyRequestsException");
    now += 1;
    await startChat();
    expect((await refusal(startChat())).name).to.equal("TooManyRequestsException");
    now += 1000;
    await notThrottled(5, () => startChat());
    expect((await refusal(startChat())).name).to.equal("TooManyRequestsException");
  });

  it("runs on a real clock unless a test gives it one", async () => {
    stack.setQuotas({ connect: { SearchUsers: { rate: 1, burst: 1 } } });
    const search = () => connect.send(new SearchUsersCommand({ InstanceId: stack.settings.instanceId }));
    await search();
    expect((await refusal(search())).name).to.equal("ThrottlingException");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await search();
  });

  it("changes nothing when it refuses a call: no contact, and its ClientToken is not taken", async () => {
    await notThrottled(8, () => startChat());
    const before = stack.emulator.contacts().length;
    const token = randomUUID();
    expect((await refusal(startChat("Refused", token))).name).to.equal("TooManyRequestsException");
    expect(stack.emulator.contacts().length).to.equal(before);
    expect(stack.emulator.contacts().some((contact) => contact.clientToken === token)).to.equal(false);
    // Once a token is back, the same request starts one chat.
    now += 200;
    const started = await startChat("Refused", token);
    expect(stack.emulator.contacts().length).to.equal(before + 1);
    expect(stack.emulator.contact(started.ContactId!)?.clientToken).to.equal(token);
  });

  it("refuses StartChatContact at the concurrent active chat quota with LimitExceededException, until a chat ends", async () => {
    stack.setQuotas({ ...roomy, activeChats: activeChats() + 2 }, clock);
    const first = await startChat();
    await startChat();
    const before = stack.emulator.contacts().length;
    expect(await refusal(startChat())).to.deep.equal({ name: "LimitExceededException", status: 429 });
    expect(stack.emulator.contacts().length, "nothing created").to.equal(before);
    expect(stack.emulator.throttledCounts()).to.deep.equal({ rateLimited: {}, activeChatQuota: { StartChatContact: 1 } });
    // A chat counts until it ends.
    await connect.send(new StopContactCommand({ InstanceId: stack.settings.instanceId, ContactId: first.ContactId }));
    await startChat();
    expect(await refusal(startChat())).to.deep.equal({ name: "LimitExceededException", status: 429 });
    // The default quota is 500 chats.
    stack.setQuotas("default", clock);
    expect(stack.quotas()).to.have.property("activeChats", 500);
  });

  it("lets each participant operation's burst through, then refuses with ThrottlingException 429", async () => {
    stack.setQuotas(roomy, clock);
    stack.settings.attachments = true;
    const token = await connection();
    const { ParticipantToken } = await startChat();
    const cases = [
      // The connection above took one of CreateParticipantConnection's 9.
      { operation: "CreateParticipantConnection", burst: 8, call: () => participant.send(new CreateParticipantConnectionCommand({ ParticipantToken, Type: ["CONNECTION_CREDENTIALS"] })) },
      { operation: "GetTranscript", burst: 12, call: () => participant.send(new GetTranscriptCommand({ ConnectionToken: token })) },
      { operation: "StartAttachmentUpload", burst: 5, call: () => participant.send(new StartAttachmentUploadCommand({ ConnectionToken: token, AttachmentName: "a.txt", AttachmentSizeInBytes: 1, ContentType: "text/plain", ClientToken: randomUUID() })) },
      // Attachments that do not exist: 400 each time, each taking a token.
      { operation: "CompleteAttachmentUpload", burst: 5, call: () => participant.send(new CompleteAttachmentUploadCommand({ ConnectionToken: token, AttachmentIds: [randomUUID()], ClientToken: randomUUID() })) },
      { operation: "GetAttachment", burst: 12, call: () => participant.send(new GetAttachmentCommand({ ConnectionToken: token, AttachmentId: randomUUID() })) },
    ];
    for (const { operation, burst, call } of cases) {
      await notThrottled(burst, call);
      expect(await refusal(call()), operation).to.deep.equal({ name: "ThrottlingException", status: 429 });
    }
    expect(stack.participants.throttledCounts().rateLimited).to.deep.equal({
      CreateParticipantConnection: 1, GetTranscript: 1, StartAttachmentUpload: 1, CompleteAttachmentUpload: 1, GetAttachment: 1,
    });
    expect(stack.participants.callCounts()).to.deep.equal({
      CreateParticipantConnection: 10, GetTranscript: 13, StartAttachmentUpload: 6, CompleteAttachmentUpload: 6, GetAttachment: 13,
    });
  });

  it("shares one bucket between SendMessage and SendEvent (10/s, burst 15), and a refused message is not posted", async () => {
    stack.setQuotas(roomy, clock);
    const token = await connection();
    const send = (text: string) => participant.send(new SendMessageCommand({ ConnectionToken: token, ContentType: "text/plain", Content: text }));
    const typing = () => participant.send(new SendEventCommand({ ConnectionToken: token, ContentType: "application/vnd.amazonaws.connect.event.typing" }));
    for (let i = 0; i < 10; i++) await send(`message ${i}`);
    for (let i = 0; i < 5; i++) await typing();
    expect(await refusal(typing())).to.deep.equal({ name: "ThrottlingException", status: 429 });
    expect(await refusal(send("refused"))).to.deep.equal({ name: "ThrottlingException", status: 429 });
    now += 100; // one token at 10/s
    await send("after the refill");
    const { Transcript } = await participant.send(new GetTranscriptCommand({ ConnectionToken: token, MaxResults: 100, ScanDirection: "FORWARD" }));
    const messages = Transcript!.filter((item) => item.Type === "MESSAGE").map((item) => item.Content);
    expect(messages).to.include("after the refill").and.not.include("refused");
    expect(messages.filter((text) => text?.startsWith("message "))).to.have.length(10);
    expect(stack.participants.throttledCounts().rateLimited).to.deep.equal({ SendEvent: 1, SendMessage: 1 });
  });

  it("refuses DisconnectParticipant beyond 3/s, burst 5, and the refused participant stays in its chat", async () => {
    stack.setQuotas(roomy, clock);
    const tokens = [];
    for (let i = 0; i < 6; i++) tokens.push(await connection());
    for (const token of tokens.slice(0, 5)) await participant.send(new DisconnectParticipantCommand({ ConnectionToken: token }));
    expect(await refusal(participant.send(new DisconnectParticipantCommand({ ConnectionToken: tokens[5] })))).to.deep.equal({ name: "ThrottlingException", status: 429 });
    // Still connected: its token still works.
    now += 1000;
    await participant.send(new GetTranscriptCommand({ ConnectionToken: tokens[5] }));
    // A dead token is refused for what it is (403) and costs the instance nothing: it names no instance.
    for (let i = 0; i < 10; i++) {
      expect(await refusal(participant.send(new DisconnectParticipantCommand({ ConnectionToken: tokens[0] })))).to.deep.equal({ name: "AccessDeniedException", status: 403 });
    }
    await participant.send(new DisconnectParticipantCommand({ ConnectionToken: tokens[5] }));
  });

  it("answers participant throttling with CORS headers a page on another origin can read (Chromium)", async () => {
    stack.setQuotas(roomy, clock);
    const token = await connection();
    const site = await hostSite();
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(site.serve(""));
      // From the shop's page, as ChatJS calls the service: a preflighted POST with the bearer token.
      const answers = await page.evaluate(async ({ url, token }) => {
        const results = [];
        for (let i = 0; i < 13; i++) {
          const response = await fetch(`${url}/participant/transcript`, { method: "POST", headers: { "content-type": "application/json", "x-amz-bearer": token }, body: "{}" });
          results.push({ status: response.status, errorType: response.headers.get("x-amzn-ErrorType"), retryAfter: response.headers.get("retry-after"), body: await response.json() });
        }
        return results;
      }, { url: stack.url, token });
      expect(answers.slice(0, 12).map((answer) => answer.status)).to.deep.equal(Array(12).fill(200));
      expect(answers[12]).to.deep.equal({ status: 429, errorType: "ThrottlingException", retryAfter: null, body: { Message: "Rate exceeded" } });
    } finally {
      await browser.close();
      await site.close();
    }
    // Preflights and the websocket are not throttled.
    for (let i = 0; i < 20; i++) {
      const preflight = await fetch(`${stack.url}/participant/transcript`, { method: "OPTIONS", headers: { origin: "https://shop.example", "access-control-request-method": "POST" } });
      expect(preflight.status).to.equal(200);
    }
  });

  it("takes overrides and \"off\" at run time, every bucket full again", async () => {
    stack.setQuotas({ connect: { StartChatContact: { rate: 1, burst: 2 } } }, clock);
    await notThrottled(2, () => startChat());
    expect((await refusal(startChat())).name).to.equal("TooManyRequestsException");
    // Only what is named changes.
    const { ContactId } = await connect.send(new StartChatContactCommand({
      InstanceId: stack.settings.instanceId, ContactFlowId: stack.settings.contactFlowId, ParticipantDetails: { DisplayName: "x" },
    })).catch(() => ({ ContactId: stack.emulator.contacts().at(-1)!.id }));
    const describe = () => connect.send(new DescribeContactCommand({ InstanceId: stack.settings.instanceId, ContactId }));
    await notThrottled(15, describe);
    expect((await refusal(describe())).name).to.equal("ThrottlingException");

    stack.setQuotas("off", clock);
    expect(stack.quotas()).to.equal("off");
    const before = stack.emulator.throttledCounts();
    await notThrottled(30, () => startChat());
    await notThrottled(30, describe);
    expect(stack.emulator.throttledCounts()).to.deep.equal(before);

    // Back on: full buckets, whatever was spent before.
    stack.setQuotas({ connect: { StartChatContact: { rate: 1, burst: 3 } } }, clock);
    await notThrottled(3, () => startChat());
    expect((await refusal(startChat())).name).to.equal("TooManyRequestsException");
    // A bad value changes nothing.
    expect(() => stack.setQuotas({ connect: { StartChatContact: { rate: -1, burst: 3 } } })).to.throw(/rate/);
    expect(stack.quotas()).to.have.nested.property("connect.StartChatContact.burst", 3);
  });
});

describe("Connect's limits from npm start", function () {
  this.timeout(120000);
  const run = (args: string[]) => spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "local/main.ts", ...args], {
    encoding: "utf8", env: { ...process.env, LOG_LEVEL: "silent" }, timeout: 30000,
  });
  const withoutNodeNote = (text: string) => text.split("\n").filter((line) => line && !line.startsWith("Note: connect-chat supports Node.js")).join("\n");

  it("refuses a bad --quota or --quotas with a one-line message and exit code 1", () => {
    for (const [args, message] of [
      [["--quota", "StartChatContact=abc"], "--quota StartChatContact=abc: give RATE/BURST (requests a second / bucket size), for example --quota StartChatContact=20/40"],
      [["--quotas", "none"], "--quotas takes default or off, got none"],
      [["--quotas", "off", "--quota", "activeChats=10"], "--quota changes Connect's limits, which --quotas off lifts: use one or the other"],
    ] as const) {
      const result = run(["--port", "0", ...args]);
      expect(result.status, result.stderr).to.equal(1);
      expect(withoutNodeNote(result.stderr)).to.equal(message);
    }
  });

  it("lists --quotas and --quota in --help", () => {
    const help = run(["--help"]);
    expect(help.stdout).to.match(/^ {2}--quotas default\|off {2,}\S/m).and.match(/^ {2}--quota NAME=RATE\/BURST {2,}\S/m);
  });

  /** StartChatContact through the SDK against a running npm start. */
  const starts = async (url: string, times: number) => {
    const client = new ConnectClient({ endpoint: `${url}/connect`, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" }, maxAttempts: 1 });
    const statuses: number[] = [];
    try {
      for (let i = 0; i < times; i++) {
        statuses.push(await client.send(new StartChatContactCommand({
          InstanceId: "11111111-1111-4111-8111-111111111111", ContactFlowId: "22222222-2222-4222-8222-222222222222", ParticipantDetails: { DisplayName: "Ana" },
        })).then(() => 200, (error: ConnectServiceException) => error.$metadata.httpStatusCode!));
      }
    } finally {
      client.destroy();
    }
    return statuses;
  };

  it("enforces Connect's defaults and says so in the banner; --quota changes one, --quotas off lifts them", async () => {
    await withNpmStart([], async (_url, banner) => {
      expect(banner).to.include("Connect limits: Connect's defaults (StartChatContact 5/s burst 8, ").and.include(", 500 active chats) — npm start -- --quotas off to lift them");
    });
    // A rate of one chat every 10 s: the second call, a moment later, is refused.
    await withNpmStart(["--quota", "StartChatContact=0.1/1", "--quota", "activeChats=1000"], async (url, banner) => {
      expect(banner).to.include("Connect limits: Connect's defaults, changed: StartChatContact 0.1/s burst 1, 1000 active chats (");
      expect(await starts(url, 2)).to.deep.equal([200, 429]);
    });
    await withNpmStart(["--quotas", "off"], async (url, banner) => {
      expect(banner).to.include("Connect limits: off: no rate limits and no active chat quota — npm start -- --quotas default to enforce them");
      // Beyond StartChatContact's burst of 8, all in a row.
      expect(await starts(url, 20)).to.deep.equal(Array(20).fill(200));
    });
  });
});
