/*
 * One cold start, in a fresh Node process: load a Lambda module, call its handler once, and
 * optionally call it `warm` more times to measure its own CPU time per request.
 * Usage: node cold-start.js <module> <event-json> [warm]. Prints one JSON line.
 */
const [modulePath, eventJson, warmRuns = "0"] = process.argv.slice(2);
const ms = (from) => Number(process.hrtime.bigint() - from) / 1e6;

(async () => {
  const start = process.hrtime.bigint();
  const { handler } = require(modulePath);
  const loadMs = ms(start);
  const event = JSON.parse(eventJson);
  const first = await handler(event);
  const firstCallMs = ms(start) - loadMs;
  const cpu = [];
  for (let i = 0; i < Number(warmRuns); i++) {
    const body = JSON.parse(event.body);
    const fresh = { ...event, body: JSON.stringify({ ...body, ParticipantDetails: { DisplayName: `${body.ParticipantDetails.DisplayName} ${i}` } }) };
    const before = process.cpuUsage();
    await handler(fresh);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
  }
  process.stdout.write(JSON.stringify({ status: first.statusCode, loadMs, firstCallMs, cpuMs: cpu }));
})();
