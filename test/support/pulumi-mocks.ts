/**
 * Pulumi's own mocks (`pulumi.runtime.setMocks`): components run as in `pulumi preview`, and the
 * inputs of every resource they register are kept for the tests to read.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";

export interface MockResource {
  type: string;
  name: string;
  // Resource inputs are whatever the provider schema says; tests read them as plain data.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inputs: Record<string, any>;
}

export const mockAccount = { region: "us-east-1", accountId: "123456789012", partition: "aws" };

/**
 * Physical names the engine would assign; a test may pin a table's name to a local table. The
 * project is this one unless a test runs another program.
 */
export function useMocks(physicalNames: Record<string, string> = {}, project = "connect-chat"): MockResource[] {
  const resources: MockResource[] = [];
  const { region, accountId, partition } = mockAccount;
  pulumi.runtime.setMocks({
    newResource({ type, name, inputs }) {
      resources.push({ type, name, inputs });
      const physical = physicalNames[name] ?? inputs.name ?? `${inputs.namePrefix ?? ""}${name}`;
      const state: Record<string, unknown> = { ...inputs, name: physical };
      const service = type.split(":")[1].split("/")[0];
      state.arn = `arn:${partition}:${service}:${region}:${accountId}:${name}`;
      if (type === "aws:dynamodb/table:Table") state.arn = `arn:${partition}:dynamodb:${region}:${accountId}:table/${physical}`;
      if (type === "aws:cloudwatch/logGroup:LogGroup") state.arn = `arn:${partition}:logs:${region}:${accountId}:log-group:${physical}`;
      // As IAM and KMS name them: key policies name roles, and policies name keys, by these ARNs.
      if (type === "aws:iam/role:Role") state.arn = `arn:${partition}:iam::${accountId}:role/${physical}`;
      if (type === "aws:kms/key:Key") state.arn = `arn:${partition}:kms:${region}:${accountId}:key/${name}-id`;
      if (type === "aws:lambda/function:Function") state.invokeArn = `arn:${partition}:apigateway:${region}:lambda:path/functions/${state.arn}/invocations`;
      if (type === "aws:connect/contactFlow:ContactFlow") {
        state.contactFlowId = `${name}-flow-id`;
        state.arn = `arn:${partition}:connect:${region}:${accountId}:instance/${inputs.instanceId}/contact-flow/${name}-flow-id`;
      }
      // A new value for each name and generation, as the random provider makes one per replacement.
      if (type === "random:index/randomPassword:RandomPassword") state.result = createHash("sha256").update(`${name}|${JSON.stringify(inputs.keepers)}`).digest("hex").slice(0, inputs.length);
      if (type === "aws:sqs/queue:Queue") state.url = `https://sqs.${region}.amazonaws.com/${accountId}/${physical}`;
      if (type === "aws:s3/bucket:Bucket") {
        state.arn = `arn:${partition}:s3:::${physical}`;
        state.bucketRegionalDomainName = `${physical}.s3.${region}.amazonaws.com`;
      }
      if (type === "aws:cloudfront/distribution:Distribution") {
        state.arn = `arn:${partition}:cloudfront::${accountId}:distribution/${name}-id`;
        state.domainName = `${name}.cloudfront.net`;
      }
      if (type === "aws:apigatewayv2/api:Api") {
        state.apiEndpoint = `https://${name}.execute-api.${region}.amazonaws.com`;
        state.executionArn = `arn:${partition}:execute-api:${region}:${accountId}:${name}`;
      }
      // An S3 bucket's id is its name; elsewhere the id is opaque.
      return { id: type === "aws:s3/bucket:Bucket" ? physical : `${name}-id`, state };
    },
    call({ token, inputs }) {
      if (token === "aws:index/getRegion:getRegion") return { name: region, region, id: region };
      if (token === "aws:index/getPartition:getPartition") return { partition, dnsSuffix: "amazonaws.com", id: partition };
      if (token === "aws:index/getCallerIdentity:getCallerIdentity") return { accountId, arn: `arn:${partition}:iam::${accountId}:user/test`, userId: "test", id: accountId };
      if (token === "aws:connect/getQueue:getQueue") {
        return { ...inputs, queueId: `${inputs.name}-queue-id`, arn: `arn:${partition}:connect:${region}:${accountId}:instance/${inputs.instanceId}/queue/${inputs.name}-queue-id`, id: inputs.name };
      }
      throw new Error(`unmocked call ${token}`);
    },
  }, project, "test", false);
  return resources;
}

/**
 * Runs a Pulumi program (the absolute path of its entry file) afresh under the mocks, as `pulumi up`
 * would: from the program's own folder, with exactly this config ("namespace:name" → string) as
 * the Node language host hands it over in PULUMI_CONFIG, which is what support/pulumi-cli.ts's
 * `engineConfig` makes of a stack. Returns what it registered and what it exports (its stack outputs).
 */
export async function runProgramWithConfig(file: string, project: string, allConfig: Record<string, string>, physicalNames: Record<string, string> = {}) {
  const resources = useMocks(physicalNames, project);
  pulumi.runtime.setAllConfig(allConfig);
  try {
    let outputs: Record<string, pulumi.Output<unknown> | undefined> = {};
    await registeredFrom(dirname(file), () => {
      delete require.cache[file];
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs on load
      outputs = require(file);
    });
    return { resources, outputs };
  } finally {
    pulumi.runtime.setAllConfig({});
  }
}

/**
 * Runs `create` from `dir`, as Pulumi runs a program from its own folder (which decides what goes
 * into Lambda zips), and resolves once everything it created is registered.
 */
export async function registeredFrom(dir: string, create: () => void): Promise<void> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    create();
    await allRegistered();
  } finally {
    process.chdir(cwd);
  }
}

/**
 * Resolves once every resource the program has created so far is registered with the mocks.
 * Awaiting outputs is not enough: a resource no output depends on (a Lambda still serializing its
 * code) may register later. This is the wait `pulumi.runtime.disconnect()` does, without the
 * disconnecting; the runtime exports it but keeps it out of its typings.
 */
export function allRegistered(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

export function resourceOf(resources: MockResource[], type: string, name?: string): MockResource {
  const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
  return found[0];
}

/** The files of a Lambda's code archive, as the deployment would upload them. */
/**
 * The files of a function's package: the serialized `__index.js` (text) and files Pulumi adds from
 * disk, whose paths are relative to the folder the program ran in (`programDir`).
 */
export async function archiveFiles(code: pulumi.asset.AssetArchive, programDir = process.cwd()): Promise<Record<string, string>> {
  const assets = (await code.assets) as Record<string, pulumi.asset.StringAsset | pulumi.asset.FileAsset>;
  const files: Record<string, string> = {};
  for (const [path, asset] of Object.entries(assets)) {
    files[path] = "text" in asset ? await (asset.text as unknown as Promise<string>) : readFileSync(resolve(programDir, await (asset.path as unknown as Promise<string>)), "utf8");
  }
  return files;
}

/** Every IAM statement of the inline policies attached to a role, in creation order. */
export function roleStatements(resources: MockResource[], roleName: string): unknown[] {
  return resources
    .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === `${roleName}-id`)
    .flatMap((r) => JSON.parse(r.inputs.policy).Statement);
}
