/** `npm start`: the whole system on this machine, no AWS account needed. */
import { parseArgs } from "node:util";
import { originProblem } from "../handlers/start-chat/cors";
import { describeQuotas, quotaSettingFromFlags } from "./connect-quotas";
import { demoCustomer } from "./issuer";
import { startLocalStack } from "./stack";

/** The oldest Node.js we support: Lambda's nodejs22.x runs the handlers, and @pulumi/pulumi needs 22 too. */
const supportedNodeMajor = 22;

/**
 * The command line, one row per option: parseArgs takes this table as it is, and --help prints it,
 * so an option added here is parsed and documented at once. `value` names the option's argument in
 * the help; `help` says what it does.
 */
const cliOptions = {
  port: { type: "string", value: "N", help: "listen on 127.0.0.1:N, 0 for any free port (default: PORT, else 8080)" },
  data: { type: "string", value: "DIR", help: "keep the chats in DIR across restarts (default: in memory)" },
  "allow-origin": { type: "string", multiple: true, value: "ORIGIN", help: "let pages on ORIGIN embed the chat; repeatable (default: ALLOWED_ORIGINS=a,b)" },
  attachments: { type: "boolean", help: "attachments on: customers and agents can send files" },
  interactive: { type: "boolean", help: "agents can send interactive messages: list pickers, quick replies, time pickers" },
  "signed-in": { type: "boolean", help: "signed-in mode: the API takes only JWTs from a local issuer; /signed-in is the chat page, signed in" },
  quotas: { type: "string", value: "default|off", help: "Amazon Connect's default API rates and 500 active chats, enforced (default), or off: no limits" },
  quota: { type: "string", multiple: true, value: "NAME=RATE/BURST", help: "change one limit, e.g. StartChatContact=20/40, CreateParticipantConnection=12/18, activeChats=1000; repeatable" },
  help: { type: "boolean", short: "h", help: "print this help and exit" },
} as const;

function helpText(): string {
  const rows = Object.entries(cliOptions).map(([name, option]) => [
    `${"short" in option ? `-${option.short}, ` : ""}--${name}${"value" in option ? ` ${option.value}` : ""}`,
    option.help,
  ]);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return `Usage: npm start -- [options]

Runs connect-chat on this machine, on one port of 127.0.0.1: the customer page, the agent console,
the start-chat API and the AWS services it uses, emulated. No AWS account is needed.

Options:
${rows.map(([label, help]) => `  ${label.padEnd(width)}${help}`).join("\n")}

While it runs, POST /local/faults switches failures on and off (the banner shows how).`;
}

/** The port: --port, else PORT (unset when empty), else 8080. */
function portOf(flag: string | undefined, env: string | undefined): number {
  const raw = flag ?? (env || undefined);
  if (raw === undefined) return 8080;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new Error(`PORT must be a whole number from 0 to 65535, got ${raw || '""'}`);
  return Number(raw);
}

/** What `npm start` says when it cannot start: the problem and its fix, in a sentence, never a stack trace. */
function startupProblem(error: unknown): string {
  const { code, port } = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown; port?: unknown };
  if (code === "EADDRINUSE" && typeof port === "number") {
    return `Port ${port} is in use (another npm start?). Stop it, or pick another port: npm start -- --port ${port < 65535 ? port + 1 : 8081}`;
  }
  if (code === "EACCES" && typeof port === "number") return `Port ${port} needs privileges this user does not have. Pick another port: npm start -- --port 8080`;
  const message = error instanceof Error ? error.message : String(error);
  // parseArgs: an unknown option, a missing value, an argument that is not an option.
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) return `${message}\nnpm start -- --help lists the options.`;
  return message;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: cliOptions });
  if (values.help) return void console.log(helpText());
  const port = portOf(values.port, process.env.PORT);
  if (Number(process.versions.node.split(".")[0]) < supportedNodeMajor) {
    // One line of ours instead of the AWS SDK's eight-line NodeVersionSupportWarning (the SDK's own
    // switch, @aws-sdk/core emitWarningIfUnsupportedVersion): the local stack still runs here.
    console.warn(`Note: connect-chat supports Node.js ${supportedNodeMajor} or later; this is ${process.version}. The local stack runs, but upgrade before you deploy.`);
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  }
  // Pages on other origins that may embed the chat: --allow-origin (repeatable), or ALLOWED_ORIGINS=a,b.
  const allowedOrigins = values["allow-origin"] ?? (process.env.ALLOWED_ORIGINS ?? "").split(",").map((origin) => origin.trim()).filter(Boolean);
  const refused = allowedOrigins.map((origin) => [origin, originProblem(origin)]).filter(([, problem]) => problem);
  if (refused.length) throw new Error(refused.map(([origin, problem]) => `--allow-origin ${origin}: ${problem}`).join("\n"));
  // Connect's limits: its defaults unless --quotas off, with --quota's changes.
  const quotas = quotaSettingFromFlags(values.quotas, values.quota);
  const stack = await startLocalStack({
    port,
    dataDir: values.data,
    allowedOrigins,
    attachments: values.attachments ?? false,
    interactive: values.interactive ?? false,
    signedIn: values["signed-in"] ?? false,
    quotas,
    onFaultsChanged: (description) => console.log(description),
  });
  // Ctrl-C stops it cleanly from the moment the banner says so (a test may press it at once).
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const token = stack.signedIn?.demoToken;
  const bearer = token ? ' -H "authorization: Bearer $TOKEN"' : "";
  console.log(`connect-chat local stack on ${stack.url}
       ${stack.url}/             the customer chat page
       ${stack.url}/agent        the agent console (agents: local/agents.json)
  POST ${stack.url}/api/chat     start-chat API (the deployed handler)
       ${stack.url}/connect      Amazon Connect emulator (instance ${stack.settings.instanceId}), running contact-flows/
       ${stack.url}/dynamodb     DynamoDB (dynalite), chats ${values.data ? `kept in ${values.data}` : "in memory (--data DIR keeps them)"}

${allowedOrigins.length ? `Pages on ${allowedOrigins.join(", ")} may embed the chat with one tag:
  <div id="chat"></div>
  <script src="${stack.url}/connect-chat.js" data-mount="#chat"></script>
` : `Embed it on another origin: npm start -- --allow-origin http://localhost:3000
`}
Connect limits: ${describeQuotas(stack.quotas())} — ${quotas === "off" ? "npm start -- --quotas default to enforce them" : "npm start -- --quotas off to lift them, --quota NAME=RATE/BURST to change one"}
${values.attachments ? `Attachments on (--attachments): customers and agents can send files.
` : ""}${values.interactive ? `Interactive messages on (--interactive): the agent console sends list pickers, quick replies and time pickers.
` : ""}${stack.signedIn ? `Signed in (--signed-in): the API takes only JWTs (RS256) from ${stack.signedIn.issuer.issuer}, audience ${stack.signedIn.issuer.audience}.
       ${stack.url}/signed-in    the chat page, signed in as ${demoCustomer}
  ${demoCustomer}'s token, valid until ${stack.signedIn.expires.toISOString()}:
  TOKEN=${token}
` : ""}
Faults, while it runs (each POST changes only the switches it names):
  curl -s ${stack.url}/local/faults -H 'content-type: application/json' -d '{"throttle":true}'
       also "quota", "serverError": true, "latencyMs": 2000, "operations": ["StartChatContact"],
       "dynamodb": "fail" | "ok", "dropConnections": true (every websocket, once)
  curl -s -X DELETE ${stack.url}/local/faults -H 'content-type: application/json'   all off

Try it:
  curl -s ${stack.url}/api/chat${bearer} -d '{"name":"Ana","agent":"jdoe"}'
Ctrl-C stops everything.`);
}

main().catch((error: unknown) => {
  console.error(startupProblem(error));
  process.exit(1);
});
