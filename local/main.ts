/** `npm start`: the whole system on this machine, no AWS account needed. */
import { parseArgs } from "node:util";
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
  const { values } = parseArgs({ options: { port: { type: "string" }, data: { type: "string" } } });
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  const stack = await startLocalStack({ port, dataDir: values.data });
  console.log(`connect-chat local stack on ${stack.url}
       ${stack.url}/             the customer chat page
       ${stack.url}/agent        the agent console (agents: local/agents.json)
  POST ${stack.url}/api/chat     start-chat API (the deployed handler)
       ${stack.url}/connect      Amazon Connect emulator (instance ${stack.settings.instanceId}), running contact-flows/
       ${stack.url}/dynamodb     DynamoDB (dynalite), chats ${values.data ? `kept in ${values.data}` : "in memory (--data DIR keeps them)"}

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
