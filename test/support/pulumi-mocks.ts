/**
 * Pulumi's own mocks (`pulumi.runtime.setMocks`): components run as in `pulumi preview`, and the
 * inputs of every resource they register are kept for the tests to read.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";

export interface MockResource {
  type: string;
  name: string;
  // Resource inputs are whatever the provider schema says; tests read them as plain data.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inputs: Record<string, any>;
  /** With `engineTransforms`: the resource's URN. */
  urn?: string;
  /** With `engineTransforms`: its parent's URN, "" for none. */
  parent?: string;
  /** With `engineTransforms`: its options as its transforms left them (of those `transformOptionsOf` reads). */
  options?: pulumi.ResourceOptions;
}

export interface MockOptions {
  /**
   * Apply resources' `transforms` as the Pulumi engine does (`applyTransformsAsTheEngineDoes`):
   * Pulumi's mock monitor hands each resource only its own, and applies none.
   */
  engineTransforms?: boolean;
}

export const mockAccount = { region: "us-east-1", accountId: "123456789012", partition: "aws" };

/**
 * Physical names the engine would assign; a test may pin a table's name to a local table. The
 * project is this one unless a test runs another program. `options.engineTransforms` applies
 * `transforms` as the engine would.
 */
export function useMocks(physicalNames: Record<string, string> = {}, project = "connect-chat", options: MockOptions = {}): MockResource[] {
  const resources: MockResource[] = [];
  const { region, accountId, partition } = mockAccount;
  const mocks: pulumi.runtime.Mocks = {
    newResource({ type, name, inputs }) {
      return create({ type, name, inputs });
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
  };
  /** Records the resource, and answers with what the provider would make of it. */
  function create(resource: MockResource): pulumi.runtime.MockResourceResult {
    const { type, name, inputs } = resource;
    resources.push(resource);
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
  }
  pulumi.runtime.setMocks(mocks, project, "test", false);
  if (options.engineTransforms) applyTransformsAsTheEngineDoes(mocks, create);
  return resources;
}

/** The parts of a `RegisterResourceRequest` (proto/resource_pb) the engine's transform rule reads. */
interface RegisterResourceRequest {
  getParent(): string;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getIgnorechangesList(): string[];
}
type RegisterResourceCallback = (error: unknown, response?: { getUrn(): string }) => void;

/** One resource on its way through the mock monitor's `registerResource`. */
interface Registration {
  parent: string;
  options: pulumi.ResourceOptions;
  ownTransforms: pulumi.ResourceTransform[];
  record?: MockResource;
}

/**
 * `transforms` are applied by the engine, not the SDK: the SDK sends each resource's own transforms
 * with its registration, and the engine's resource monitor, before it registers the resource, runs
 * that resource's own transforms, then its parent's, its grandparent's and so on up the tree, then
 * the stack's (`pulumi.runtime.registerResourceTransform`), each on what the one before returned.
 * A transform may replace the props and the options (`TransformResourceOptions`: dependsOn,
 * protect, ignoreChanges, provider, aliases, retainOnDelete, …), but never the parent. A resource's
 * own transforms are kept by its URN once it is registered, for its children to find. (pulumi/pulumi,
 * pkg/resource/deploy/source_eval.go, `(*resmon).RegisterResource`: "First run the transforms for
 * this resource, then it's parents, then the stack", walking `rm.parents` and `rm.resourceTransforms`;
 * proto/pulumi/resource.proto, `TransformRequest`: "the parent of the resource, this can't be
 * changed by the transform".)
 *
 * Pulumi's mock monitor (runtime/mocks.js `registerResource`) hands `newResource` a resource's own
 * transforms and applies none. This makes it do what the engine does, for the props and for the
 * options the mock's request carries (`transformOptionsOf`), and records the outcome, URN and parent.
 */
function applyTransformsAsTheEngineDoes(mocks: pulumi.runtime.Mocks, create: (resource: MockResource) => pulumi.runtime.MockResourceResult): void {
  const parentOf = new Map<string, string>();
  const ownTransformsOf = new Map<string, pulumi.ResourceTransform[]>();
  const stackTransforms: pulumi.ResourceTransform[] = [];
  const ancestorsOf = (parent: string): string[] => (parent ? [parent, ...ancestorsOf(parentOf.get(parent) ?? "")] : []);
  let registering: Registration | undefined;

  mocks.registerTransform = (transform) => {
    stackTransforms.push(transform);
  };
  mocks.newResource = async ({ type, name, inputs, custom = true, id, transforms = [] }) => {
    // The mock monitor calls this synchronously from registerResource (below), before any await.
    const registration = registering;
    if (!registration) {
      // A read (`Resource.get`, readResource): the engine's ReadResource runs no transforms.
      if (id) return create({ type, name, inputs });
      throw new Error(`${type} ${name} reached newResource outside registerResource: the mock monitor changed`);
    }
    registration.ownTransforms = transforms;
    const inherited = ancestorsOf(registration.parent).flatMap((urn) => ownTransformsOf.get(urn) ?? []);
    let props: pulumi.Inputs = inputs;
    let opts = registration.options;
    for (const transform of [...transforms, ...inherited, ...stackTransforms]) {
      const result = await transform({ custom, type, name, props, opts });
      // As the SDK's callback server answers the engine: nothing returned changes nothing.
      if (result) ({ props, opts } = result);
    }
    registration.record = { type, name, inputs: await acrossTheWire(props), parent: registration.parent, options: opts };
    return create(registration.record);
  };

  // setMocks has just installed its MockMonitor as the runtime's resource monitor.
  const monitor = getMonitor() as unknown as MockMonitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: RegisterResourceRequest, callback: RegisterResourceCallback) => {
    const registration: Registration = { parent: req.getParent(), options: transformOptionsOf(req), ownTransforms: [] };
    registering = registration;
    try {
      return register(req, (error: unknown, response?: { getUrn(): string }) => {
        if (response && registration.record) {
          const urn = response.getUrn();
          parentOf.set(urn, registration.parent);
          ownTransformsOf.set(urn, registration.ownTransforms);
          registration.record.urn = urn;
        }
        callback(error, response);
      });
    } finally {
      registering = undefined;
    }
  };
}

/**
 * The options a transform is handed, of those the mock's request carries: the SDK hands the engine's
 * `TransformResourceOptions` to a transform as `ResourceOptions`, the parent among them
 * (runtime/callbacks.js `registerTransform`).
 */
function transformOptionsOf(req: RegisterResourceRequest): pulumi.ResourceOptions {
  return {
    parent: req.getParent() ? new pulumi.DependencyResource(req.getParent()) : undefined,
    protect: req.getProtect(),
    retainOnDelete: req.getRetainondelete(),
    ignoreChanges: req.getIgnorechangesList(),
  };
}

/**
 * What the provider gets of a transform's props: the SDK serializes them for the engine
 * (runtime/callbacks.js), and the mock monitor deserializes what it hands `newResource`, so an
 * Output a transform returns arrives as its value.
 */
async function acrossTheWire(props: pulumi.Inputs): Promise<Record<string, unknown>> {
  const serialized = await pulumi.runtime.serializeProperties("props", props);
  // deserializeProperties reads a protobuf Struct through its toJavaScript().
  return pulumi.runtime.deserializeProperties({ toJavaScript: () => serialized } as Parameters<typeof pulumi.runtime.deserializeProperties>[0]);
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
