/**
 * A Lambda's code as Pulumi serialized it, written to disk and run in a fresh Node process the way
 * the Lambda runtime runs it: require `__index.js`, call `handler(event)`. Nothing is on the module
 * path: the package must hold all it needs, its bundled SDK included.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { LocalStack } from "../../local/stack";
import { archiveFiles, type MockResource } from "./pulumi-mocks";

const run = promisify(execFile);

const invokeScript = `
const { handler } = require(process.argv[1]);
handler(JSON.parse(process.argv[2]), {}).then((result) => process.stdout.write(JSON.stringify(result)));
`;

export interface LambdaArtifact {
  /** Runs the handler once, in a new process (a cold start), against the local stack. */
  invoke(event: unknown): Promise<unknown>;
}

/**
 * Writes the function's archive to a temporary folder (files Pulumi added from disk read from
 * `programDir`, where the program ran); it runs with the function's environment, pointed at `stack`.
 */
export async function lambdaArtifact(fn: MockResource, stack: LocalStack, programDir?: string): Promise<LambdaArtifact> {
  const dir = mkdtempSync(join(tmpdir(), `${fn.name}-artifact-`));
  for (const [path, text] of Object.entries(await archiveFiles(fn.inputs.code, programDir))) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const env = {
    PATH: process.env.PATH ?? "",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    LOG_LEVEL: "silent",
    ...fn.inputs.environment.variables,
    AWS_REGION: stack.env.AWS_REGION,
    AWS_ACCESS_KEY_ID: stack.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: stack.env.AWS_SECRET_ACCESS_KEY,
    AWS_ENDPOINT_URL_CONNECT: stack.env.AWS_ENDPOINT_URL_CONNECT,
    AWS_ENDPOINT_URL_DYNAMODB: stack.env.AWS_ENDPOINT_URL_DYNAMODB,
  };
  return {
    async invoke(event) {
      // Run from the archive's folder, so nothing of ours can be found.
      const { stdout } = await run(process.execPath, ["-e", invokeScript, join(dir, "__index.js"), JSON.stringify(event)], { env, cwd: dir });
      return JSON.parse(stdout);
    },
  };
}

/** POSTs `body` to a start-chat artifact as API Gateway would; its status and parsed JSON body. */
export async function postToArtifact(artifact: LambdaArtifact, body: unknown) {
  const event = { body: JSON.stringify(body), isBase64Encoded: false, requestContext: { requestId: "artifact" } };
  const result = await artifact.invoke(event) as { statusCode: number; body: string };
  return { status: result.statusCode, body: JSON.parse(result.body) };
}
