/** `npm start`: the whole system on this machine, no AWS account needed. */
import { parseArgs } from "node:util";
import { startLocalStack } from "./stack";

async function main(): Promise<void> {
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
