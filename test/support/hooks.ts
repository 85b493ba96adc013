/** Mocha root hooks: one local stack for the whole run, started on first use. */
import { startLocalStack, type LocalStack } from "../../local/stack";

// The SDK's notice that Node 20 support ends would repeat in every test process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// Handler logs would bury the test report; tests that read logs capture them (support/logs.ts).
process.env.LOG_LEVEL ??= "silent";

let stack: Promise<LocalStack> | undefined;

export function localStack(): Promise<LocalStack> {
  stack ??= startLocalStack({ port: 0 });
  return stack;
}

export const mochaHooks = {
  async afterAll() {
    if (stack) await (await stack).close();
  },
};
