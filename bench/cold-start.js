/*
 * One cold start, in a fresh Node process: load a Lambda module, then call its handler as the Lambda
 * runtime would (a returned promise or the callback, whichever comes), `calls` times in a row.
 * Usage: node cold-start.js <module> <events-json> <calls>
 *   events-json: an array of event templates; call i gets templates[min(i, last)] with every "%N%"
 *   replaced by i, so calls can differ (a new customer each) or repeat (the same one again).
 * Reports on fd 3 (one JSON object), so that whatever the handler logs on stdout, as it would in
 * Lambda, stays out of the result: load ms, first and second call ms, the handler's CPU ms for
 * every call after the second, and what the first and second calls returned.
 *
 * With BENCH_AWS_SDK_V2_ENDPOINTS=1, the first `require("aws-sdk")` (v2, which has no
 * AWS_ENDPOINT_URL_* support) gets the local stack's endpoints in its global config the moment it
 * returns, before the module's next line runs: the only change to the module's surroundings.
 */
const Module = require("node:module");
const { writeSync } = require("node:fs");

const [modulePath, eventsJson, callsArg = "1"] = process.argv.slice(2);
const templates = JSON.parse(eventsJson).map((event) => JSON.stringify(event));
const calls = Number(callsArg);
const ms = (from) => Number(process.hrtime.bigint() - from) / 1e6;

if (process.env.BENCH_AWS_SDK_V2_ENDPOINTS === "1") {
  const services = { connect: "CONNECT", dynamodb: "DYNAMODB", s3: "S3", kms: "KMS" };
  const load = Module._load;
  Module._load = function (request, ...rest) {
    const exported = load.call(this, request, ...rest);
    if (request === "aws-sdk") {
      Module._load = load;
      for (const [service, suffix] of Object.entries(services)) {
        const endpoint = process.env[`AWS_ENDPOINT_URL_${suffix}`];
        if (endpoint) exported.config.update({ [service]: { endpoint } });
      }
    }
    return exported;
  };
}

/** The handler's answer, whether it returns a promise (async handlers) or calls back. */
function invoke(handler, event, i) {
  const context = {
    awsRequestId: `bench-${i}`, functionName: "bench", functionVersion: "$LATEST", memoryLimitInMB: "128",
    callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30_000,
  };
  return new Promise((resolve, reject) => {
    const returned = handler(event, context, (error, result) => (error ? reject(error) : resolve(result)));
    if (returned && typeof returned.then === "function") returned.then(resolve, reject);
  });
}

const eventFor = (i) => JSON.parse(templates[Math.min(i, templates.length - 1)].replaceAll("%N%", String(i)));

(async () => {
  const start = process.hrtime.bigint();
  const { handler } = require(modulePath);
  const loadMs = ms(start);
  const report = { loadMs, cpuMs: [] };
  for (let i = 0; i < calls; i++) {
    const event = eventFor(i);
    const before = process.cpuUsage();
    const at = process.hrtime.bigint();
    const result = await invoke(handler, event, i);
    const took = ms(at);
    const used = process.cpuUsage(before);
    if (i === 0) Object.assign(report, { firstCallMs: took, first: result });
    else if (i === 1) Object.assign(report, { secondCallMs: took, second: result });
    else report.cpuMs.push((used.user + used.system) / 1000);
  }
  writeSync(3, JSON.stringify(report));
})().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
