// The example's own test, run by `npm test` after `tsc -p .` has compiled index.ts to dist/: the
// program deploys under Pulumi's mocks, in this folder's own process and with this folder's own
// dependencies (the package as installed here, not the repository's source).
const test = require("node:test");
const assert = require("node:assert/strict");
const pulumi = require("@pulumi/pulumi");

const origin = "https://www.example.com";

test("deploys ChatApi from the package, callable from the site's origin only", async () => {
  const resources = [];
  pulumi.runtime.setMocks({
    newResource({ type, name, inputs }) {
      resources.push({ type, name, inputs });
      const arn = `arn:aws:${type.split(":")[1].split("/")[0]}:us-east-1:123456789012:${name}`;
      return { id: `${name}-id`, state: { ...inputs, arn, apiEndpoint: `https://${name}.execute-api.us-east-1.amazonaws.com`, invokeArn: arn, executionArn: arn } };
    },
    call({ token }) {
      if (token === "aws:index/getRegion:getRegion") return { name: "us-east-1", region: "us-east-1", id: "us-east-1" };
      if (token === "aws:index/getPartition:getPartition") return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
      if (token === "aws:index/getCallerIdentity:getCallerIdentity") return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/test", userId: "test", id: "123456789012" };
      throw new Error(`unmocked call ${token}`);
    },
  }, "connect-chat-example-api-only", "dev", false);
  // What `pulumi config set` in README.md leaves on the stack, as the CLI hands it to the program.
  pulumi.runtime.setAllConfig({
    "connect-chat-example-api-only:instanceId": "11111111-2222-4333-8444-555555555555",
    "connect-chat-example-api-only:contactFlowId": "66666666-7777-4888-9999-000000000000",
    "connect-chat-example-api-only:siteOrigins": JSON.stringify([origin]),
  });

  const outputs = require("./dist/index.js");
  const url = await new Promise((resolve) => outputs.chatApiUrl.apply(resolve));
  await require("@pulumi/pulumi/runtime/settings").waitForRPCs();

  assert.match(url, /^https:\/\/.+\/chat$/);
  const api = resources.find((r) => r.type === "aws:apigatewayv2/api:Api");
  assert.deepEqual(api.inputs.corsConfiguration.allowOrigins, [origin]);
  const fn = resources.find((r) => r.type === "aws:lambda/function:Function");
  // The serialized handler, and the SDK bundle the package ships (nothing else of node_modules).
  assert.deepEqual(Object.keys(await fn.inputs.code.assets), ["__index.js", "node_modules/connect-chat/lib/handlers/dist/start-chat-aws-sdk.js"]);
});
