/**
 * The code Pulumi serializes for the start-chat Lambda, written to disk and run in a fresh Node
 * process against the local stack: the shipped artifact works, not only the source.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { ChatApi } from "../infra";
import { localContactFlowId, localInstanceId, type LocalStack } from "../local/stack";
import { localStack } from "./support/hooks";
import { allRegistered, archiveFiles, resourceOf, useMocks, valueOf } from "./support/pulumi-mocks";

const run = promisify(execFile);

/** Loads the artifact like the Lambda runtime: require `__index.js`, call `handler(event)`. */
const invokeScript = `
const { handler } = require(process.argv[1]);
handler(JSON.parse(process.argv[2]), {}).then((result) => process.stdout.write(JSON.stringify(result)));
`;

describe("start-chat artifact (serialized by Pulumi)", () => {
  let stack: LocalStack;
  let artifact: string;
  let env: Record<string, string>;

  before(async () => {
    stack = await localStack();
    const resources = useMocks({ "artifact-chats": stack.settings.chatsTableName });
    const api = new ChatApi("artifact", { instanceId: localInstanceId, contactFlowId: localContactFlowId, allowedOrigins: [] });
    await allRegistered();
    await valueOf(api.functionArn);
    const fn = resourceOf(resources, "aws:lambda/function:Function").inputs;
    const dir = mkdtempSync(join(tmpdir(), "start-chat-artifact-"));
    for (const [path, text] of Object.entries(await archiveFiles(fn.code))) writeFileSync(join(dir, path), text);
    artifact = join(dir, "__index.js");
    // What Lambda would give it: the function's environment, and SDK v3 from the runtime (here,
    // our node_modules); plus the local stack's endpoints instead of AWS's.
    env = {
      PATH: process.env.PATH ?? "",
      NODE_PATH: resolve("node_modules"),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      LOG_LEVEL: "silent",
      ...fn.environment.variables,
      AWS_REGION: stack.env.AWS_REGION,
      AWS_ACCESS_KEY_ID: stack.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: stack.env.AWS_SECRET_ACCESS_KEY,
      AWS_ENDPOINT_URL_CONNECT: stack.env.AWS_ENDPOINT_URL_CONNECT,
      AWS_ENDPOINT_URL_DYNAMODB: stack.env.AWS_ENDPOINT_URL_DYNAMODB,
    };
  });

  async function invoke(body: unknown) {
    const event = { body: JSON.stringify(body), isBase64Encoded: false, requestContext: { requestId: "artifact" } };
    const { stdout } = await run(process.execPath, ["-e", invokeScript, artifact, JSON.stringify(event)], { env });
    const result = JSON.parse(stdout) as { statusCode: number; body: string };
    return { status: result.statusCode, body: JSON.parse(result.body) };
  }

  it("starts a chat, then resumes it from another cold start", async () => {
    const first = await invoke({ ParticipantDetails: { DisplayName: "Ana" }, Username: "jdoe" });
    expect(first.status).to.equal(200);
    const contactId = first.body.data.startChatResult.ContactId;
    expect(stack.emulator.contact(contactId)?.attributes.agentUsername).to.equal("jdoe");
    const again = await invoke({ name: "Ana", resumeToken: first.body.data.resumeToken });
    expect(again.body.data).to.deep.include({ resumed: true });
    expect(again.body.data.startChatResult.ContactId).to.equal(contactId);
  });

  it("refuses bad input with the same JSON errors", async () => {
    const response = await invoke({ name: "" });
    expect(response.status).to.equal(400);
    expect(response.body.error).to.deep.include({ code: "INVALID_REQUEST", field: "name" });
  });
});
