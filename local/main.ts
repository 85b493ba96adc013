/** `npm start`: the whole system on this machine, no AWS account needed. */
import { parseArgs } from "node:util";
import { originProblem } from "../handlers/start-chat/cors";
import { startLocalStack } from "./stack";

/** The oldest Node.js we support: Lambda's nodejs22.x runs the handlers, and @pulumi/pulumi needs 22 too. */
const supportedNodeMajor = 22;

async function main(): Promise<void> {
  if (Number(process.versions.node.split(".")[0]) < supportedNodeMajor) {
    // One line of ours instead of the AWS SDK's eight-line NodeVersionSupportWarning (the SDK's own
    // switch, @aws-sdk/core emitWarningIfUnsupportedVersion): the local stack still runs here.
    console.warn(`Note: connect-chat supports Node.js ${supportedNodeMajor} or later; this is ${process.version}. The local stack runs, but upgrade before you deploy.`);
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  }
  const { values } = parseArgs({ options: { port: { type: "string" }, data: { type: "string" }, "allow-origin": { type: "string", multiple: true } } });
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  // Pages on other origins that may embed the chat: --allow-origin (repeatable), or ALLOWED_ORIGINS=a,b.
  const allowedOrigins = values["allow-origin"] ?? (process.env.ALLOWED_ORIGINS ?? "").split(",").map((origin) => origin.trim()).filter(Boolean);
  const refused = allowedOrigins.map((origin) => [origin, originProblem(origin)]).filter(([, problem]) => problem);
  if (refused.length) throw new Error(refused.map(([origin, problem]) => `--allow-origin ${origin}: ${problem}`).join("\n"));
  const stack = await startLocalStack({ port, dataDir: values.data, allowedOrigins });
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
Try it:
  curl -s ${stack.url}/api/chat -d '{"name":"Ana","agent":"jdoe"}'
Ctrl-C stops everything.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
