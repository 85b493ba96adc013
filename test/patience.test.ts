/**
 * The widget's retry policy (www/src/patience.ts), without a browser: which answers are retried,
 * how long each wait is (Retry-After a floor, jitter on top; full jitter without it), and that
 * nothing outlasts the patience. It must load in Node with no DOM, as the benchmark imports it.
 */
import { runInNewContext } from "node:vm";
import { expect } from "chai";
import { buildSync } from "esbuild";
import fc from "fast-check";
import { defaultPatienceSeconds, failureOf, firstWaitMs, longestWaitMs, nextTry, retryable, startPatiently, type FailedTry } from "../www/src/patience";
import { ChatApiError } from "../www/src/api";

const failed = (change: Partial<FailedTry>): FailedTry => ({ status: 429, code: "THROTTLED", attempt: 1, elapsedMs: 0, ...change });
const fixed = (value: number) => () => value;

describe("the widget's patience with a busy service (www/src/patience.ts)", () => {
  it("is a module of its own: no imports, and it loads and runs where there is no window, document or timer", async () => {
    const { outputFiles: [bundle], metafile } = buildSync({ entryPoints: ["www/src/patience.ts"], bundle: true, format: "cjs", write: false, metafile: true });
    expect(Object.keys(metafile.inputs)).to.deep.equal(["www/src/patience.ts"]);
    const sandbox = { module: { exports: {} as typeof import("../www/src/patience") }, Math, Number };
    runInNewContext(`(function (module, exports) { ${bundle.text} })(module, module.exports)`, sandbox);
    const loaded = sandbox.module.exports;
    let clock = 0;
    const result = await loaded.startPatiently({
      startChat: async () => {
        if (clock === 0) throw new ChatApiError("busy", "THROTTLED", undefined, 429, 3);
        return "chat";
      },
      sleep: async (ms) => void (clock += ms),
      now: () => clock,
      random: () => 0,
    });
    expect([result, clock]).to.deep.equal(["chat", 3000]);
  });

  it("retries 429, 503, 502 UPSTREAM_ERROR and no answer; not a refusal, a sign-in, another 502 or a 500", () => {
    const cases: [number | undefined, string, boolean][] = [
      [429, "THROTTLED", true], [429, "CHAT_CAPACITY", true], [429, "TOO_MANY_CHATS", true], [429, "HTTP_429", true],
      [503, "STORE_UNAVAILABLE", true], [503, "UPSTREAM_UNAVAILABLE", true], [503, "CHAT_STARTING", true], [503, "HTTP_503", true],
      [502, "UPSTREAM_ERROR", true], [undefined, "NETWORK", true],
      [400, "INVALID_REQUEST", false], [401, "UNAUTHORIZED", false], [403, "FORBIDDEN_ORIGIN", false], [413, "PAYLOAD_TOO_LARGE", false],
      [500, "INTERNAL", false], [502, "HTTP_502", false], [504, "HTTP_504", false], [undefined, "UNKNOWN", false],
    ];
    for (const [status, code, expected] of cases) {
      expect(retryable(status, code), `${status} ${code}`).to.equal(expected);
      expect(nextTry(failed({ status, code })).retry, `${status} ${code}`).to.equal(expected);
    }
    expect(nextTry(failed({ status: 400, code: "INVALID_REQUEST" }))).to.deep.equal({ retry: false, why: "refused" });
  });

  it("waits at least Retry-After, and at most half as long again", () => {
    expect(nextTry(failed({ retryAfter: 30 }), { random: fixed(0) })).to.deep.equal({ retry: true, waitMs: 30_000 });
    expect(nextTry(failed({ retryAfter: 30 }), { random: fixed(0.999999) })).to.deep.equal({ retry: true, waitMs: 45_000 });
    fc.assert(fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 50 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retryAfter, attempt, r) => {
      const decision = nextTry(failed({ retryAfter, attempt }), { random: () => r });
      expect(decision.retry).to.equal(true);
      const { waitMs } = decision as { waitMs: number };
      expect(waitMs).to.be.at.least(Math.max(100, retryAfter * 1000)).and.at.most(Math.max(100, retryAfter * 1000) * 1.5);
    }));
  });

  it("without Retry-After: a random wait under a cap that doubles from 1 s to 10 s (full jitter), never under 100 ms", () => {
    const caps = [1, 2, 3, 4, 5, 6, 20].map((attempt) => nextTry(failed({ attempt }), { random: fixed(0.999999) }));
    expect(caps.map((decision) => Math.round((decision as { waitMs: number }).waitMs / 1000))).to.deep.equal([1, 2, 4, 8, 10, 10, 10]);
    expect(nextTry(failed({ attempt: 3 }), { random: fixed(0.5) })).to.deep.equal({ retry: true, waitMs: 2000 });
    expect(nextTry(failed({ attempt: 1 }), { random: fixed(0) })).to.deep.equal({ retry: true, waitMs: 100 });
    expect([firstWaitMs, longestWaitMs]).to.deep.equal([1000, 10_000]);
    // Different customers wait differently: a crowd does not come back in step.
    const waits = new Set(Array.from({ length: 50 }, () => (nextTry(failed({ attempt: 4, status: 503, code: "STORE_UNAVAILABLE" })) as { waitMs: number }).waitMs));
    expect(waits.size).to.be.greaterThan(40);
  });

  it("gives up when the next try would come after the patience (180 s unless patienceSeconds says otherwise)", () => {
    expect(defaultPatienceSeconds).to.equal(180);
    expect(nextTry(failed({ retryAfter: 30, elapsedMs: 149_000 }), { random: fixed(0) })).to.deep.equal({ retry: true, waitMs: 30_000 });
    expect(nextTry(failed({ retryAfter: 30, elapsedMs: 151_000 }), { random: fixed(0) })).to.deep.equal({ retry: false, why: "patience" });
    // Jitter never carries a wait past the patience: the last try is at its end.
    expect(nextTry(failed({ retryAfter: 30, elapsedMs: 140_000 }), { random: fixed(0.999999) })).to.deep.equal({ retry: true, waitMs: 40_000 });
    expect(nextTry(failed({ elapsedMs: 180_000 }))).to.deep.equal({ retry: false, why: "patience" });
    expect(nextTry(failed({ retryAfter: 5, elapsedMs: 0 }), { patienceSeconds: 4 })).to.deep.equal({ retry: false, why: "patience" });
    expect(nextTry(failed({ retryAfter: 5, elapsedMs: 0 }), { patienceSeconds: 6, random: fixed(0) })).to.deep.equal({ retry: true, waitMs: 5000 });
    // patienceSeconds 0: never wait. Nonsense (NaN from a data attribute, a negative number): the default.
    expect(nextTry(failed({}), { patienceSeconds: 0 }).retry).to.equal(false);
    expect(nextTry(failed({ retryAfter: 170 }), { patienceSeconds: Number("soon"), random: fixed(0) })).to.deep.equal({ retry: true, waitMs: 170_000 });
    expect(nextTry(failed({ retryAfter: 170 }), { patienceSeconds: -1, random: fixed(0) }).retry).to.equal(true);
  });

  it("waits for TOO_MANY_CHATS only when its Retry-After fits the patience", () => {
    expect(nextTry(failed({ code: "TOO_MANY_CHATS", retryAfter: 60 }), { random: fixed(0) })).to.deep.equal({ retry: true, waitMs: 60_000 });
    expect(nextTry(failed({ code: "TOO_MANY_CHATS", retryAfter: 60 }), { patienceSeconds: 30 })).to.deep.equal({ retry: false, why: "patience" });
    expect(nextTry(failed({ code: "TOO_MANY_CHATS", retryAfter: 60, elapsedMs: 130_000 }))).to.deep.equal({ retry: false, why: "patience" });
  });

  it("reads a failure off the error api.ts throws (status, code, Retry-After), and anything else as not retryable", () => {
    expect(failureOf(new ChatApiError("busy", "THROTTLED", undefined, 429, 1))).to.deep.equal({ status: 429, code: "THROTTLED", retryAfter: 1 });
    expect(failureOf(new ChatApiError("unreachable", "NETWORK"))).to.deep.equal({ status: undefined, code: "NETWORK", retryAfter: undefined });
    expect(failureOf(new TypeError("x is not a function"))).to.deep.equal({ status: undefined, code: "UNKNOWN", retryAfter: undefined });
    expect(failureOf(undefined).code).to.equal("UNKNOWN");
    expect(failureOf({ status: "429", code: 7, retryAfter: -3 })).to.deep.equal({ status: undefined, code: "UNKNOWN", retryAfter: undefined });
  });

  describe("startPatiently, with injected time", () => {
    /** A clock that only moves when slept on, and a start that answers from a script. */
    function harness(answers: (Error | string)[], patienceSeconds?: number) {
      let clock = 1_000_000;
      const calls: number[] = [];
      const waits: { waitMs: number; code: string; attempt: number }[] = [];
      const run = startPatiently({
        startChat: async () => {
          calls.push(clock);
          const answer = answers.shift() ?? "never";
          if (answer instanceof Error) throw answer;
          return answer;
        },
        sleep: async (ms) => void (clock += ms),
        now: () => clock,
        random: fixed(0.5),
        patienceSeconds,
        onWait: ({ waitMs, failure }) => void waits.push({ waitMs, code: failure.code, attempt: failure.attempt }),
      });
      return { run, calls, waits, began: 1_000_000 };
    }
    const busy = (status: number, code: string, retryAfter?: number) => new ChatApiError("busy", code, undefined, status, retryAfter);

    it("tries again as each answer says, reports each wait, and returns the first success", async () => {
      const { run, calls, waits, began } = harness([busy(429, "THROTTLED", 2), busy(503, "STORE_UNAVAILABLE"), new ChatApiError("down", "NETWORK"), "chat"]);
      expect(await run).to.equal("chat");
      expect(waits).to.deep.equal([
        { waitMs: 2500, code: "THROTTLED", attempt: 1 },
        { waitMs: 1000, code: "STORE_UNAVAILABLE", attempt: 2 },
        { waitMs: 2000, code: "NETWORK", attempt: 3 },
      ]);
      expect(calls.map((at) => at - began)).to.deep.equal([0, 2500, 3500, 5500]);
    });

    it("throws a refusal at once, untried again", async () => {
      const refusal = new ChatApiError("must be 1 to 256 characters", "INVALID_REQUEST", "name", 400);
      const { run, calls, waits } = harness([refusal, "chat"]);
      expect(await run.then(() => undefined, (error: unknown) => error)).to.equal(refusal);
      expect([calls.length, waits.length]).to.deep.equal([1, 0]);
    });

    it("gives up with the last answer once the patience is spent, having tried within it only", async () => {
      const answers = Array.from({ length: 100 }, () => busy(429, "CHAT_CAPACITY", 30));
      const { run, calls, began } = harness(answers, 120);
      const error = await run.then(() => undefined, (thrown: unknown) => thrown);
      expect(error).to.be.instanceOf(ChatApiError).with.property("code", "CHAT_CAPACITY");
      // 37.5 s apart (30 s + half of 15 s): at 0, 37.5, 75 and 112.5 s; the next would be at 150 s.
      expect(calls.map((at) => (at - began) / 1000)).to.deep.equal([0, 37.5, 75, 112.5]);
    });
  });
});
