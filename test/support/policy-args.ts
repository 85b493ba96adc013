/**
 * Policy arguments from a mocks run, built as @pulumi/policy's server builds them from the engine's
 * requests (node_modules/@pulumi/policy/server.js: `makeAnalyzeRpcFun`, `makeAnalyzeStackRpcFun`,
 * `getResourceOptions`): each resource as the program registered it (its URN, parent, dependencies
 * and property dependencies, read off the registration the mock monitor answers), props behind the
 * proxy that refuses values preview cannot know, and a validation that touches one such value
 * reported as the server reports it, "can't run during preview", instead of passing silently.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  unknownCheckingProxy,
  UnknownValueError,
  type Policy,
  type PolicyResource,
  type PolicyResourceOptions,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";

/** A resource as the engine would hand it to a policy pack. */
export interface RegisteredResource {
  type: string;
  name: string;
  urn: string;
  // Resource inputs are whatever the provider schema says; tests read them as plain data.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inputs: Record<string, any>;
  /** The URNs each input's value came from. */
  propertyDependencies: Record<string, string[]>;
  dependencies: string[];
  options: PolicyResourceOptions;
}

/** What a policy reported: a violation, or that it could not run during preview. */
export interface Violation {
  policy: string;
  message: string;
  urn?: string;
}

function registrationOf(request: RegisterResourceRequest, urn: string): RegisteredResource {
  const propertyDependencies: Record<string, string[]> = {};
  request.getPropertydependenciesMap().forEach((sources, property) => {
    propertyDependencies[property] = sources.getUrnsList();
  });
  const timeouts = request.getCustomtimeouts();
  // The engine hands policies custom timeouts in seconds; our components set none to convert.
  if (timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())) throw new Error(`${urn}: customTimeouts are not converted here`);
  const parent = request.getParent();
  return {
    type: request.getType(),
    name: request.getName(),
    urn,
    inputs: deserializeProperties(request.getObject()!),
    propertyDependencies,
    dependencies: request.getDependenciesList(),
    options: {
      protect: Boolean(request.getProtect()),
      ignoreChanges: request.getIgnorechangesList(),
      aliases: request.getAliasurnsList(),
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
      ...(request.getDeletebeforereplacedefined() ? { deleteBeforeReplace: request.getDeletebeforereplace() } : {}),
      ...(parent ? { parent } : {}),
    },
  };
}

/**
 * Runs `run` (which sets up Pulumi's mocks and creates resources under them) and returns every
 * resource it registered, in order.
 */
export async function registrationsOf(run: () => Promise<unknown>): Promise<RegisteredResource[]> {
  const registered: RegisteredResource[] = [];
  const { registerResource } = MockMonitor.prototype;
  MockMonitor.prototype.registerResource = function (request: RegisterResourceRequest, callback) {
    return registerResource.call(this, request, (error: unknown, response: RegisterResourceResponse) => {
      if (!error) registered.push(registrationOf(request, response.getUrn()));
      callback(error, response);
    });
  };
  try {
    await run();
  } finally {
    MockMonitor.prototype.registerResource = registerResource;
  }
  return registered;
}

/**
 * The resources as a preview of a new stack sees them at worst: every input that takes its value
 * from another resource is unknown (the engine's unknown sentinel, as it crosses the wire).
 */
export function inFreshPreview(resources: RegisteredResource[]): RegisteredResource[] {
  return resources.map((resource) => ({
    ...resource,
    inputs: Object.fromEntries(Object.entries(resource.inputs).map(([key, value]) =>
      [key, resource.propertyDependencies[key]?.length ? pulumi.runtime.unknownValue : value])),
  }));
}

/** The resources with the one of this type and name changed by `change`, as a transform would. */
export function changed(resources: RegisteredResource[], type: string, name: string, change: (inputs: RegisteredResource["inputs"]) => RegisteredResource["inputs"]): RegisteredResource[] {
  const matches = resources.filter((resource) => resource.type === type && resource.name === name);
  if (matches.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${matches.length}`);
  return resources.map((resource) => (resource === matches[0] ? { ...resource, inputs: change({ ...resource.inputs }) } : resource));
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
  return (resourceClass as { __pulumiType?: string }).__pulumiType === type;
}

/** What a resource policy and a stack policy both see of a resource. */
function viewOf(resource: RegisteredResource) {
  const props = unknownCheckingProxy(resource.inputs) as Record<string, unknown>;
  return {
    type: resource.type,
    props,
    urn: resource.urn,
    name: resource.name,
    opts: resource.options,
    isType: (resourceClass: unknown) => isTypeOf(resource.type, resourceClass),
    asType: (resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? props : undefined) as never,
  };
}

const noStackTags: ReadonlyMap<string, string> = new Map();

function notApplicable(reason?: string): never {
  throw new Error(`notApplicable: ${reason}`);
}

export function resourceValidationArgs(resource: RegisteredResource, config: object): ResourceValidationArgs {
  return { ...viewOf(resource), stackTags: noStackTags, getConfig: <T>() => config as T, notApplicable };
}

export function stackValidationArgs(resources: RegisteredResource[], config: object): StackValidationArgs {
  const byUrn = new Map<string, PolicyResource>(resources.map((resource) => [resource.urn, { ...viewOf(resource), dependencies: [], propertyDependencies: {} }]));
  const linked = (urns: string[]) => urns.flatMap((urn) => byUrn.get(urn) ?? []);
  for (const resource of resources) {
    const policyResource = byUrn.get(resource.urn)!;
    const parent = resource.options.parent && byUrn.get(resource.options.parent);
    if (parent) policyResource.parent = parent;
    policyResource.dependencies = linked(resource.dependencies);
    policyResource.propertyDependencies = Object.fromEntries(Object.entries(resource.propertyDependencies).map(([property, urns]) => [property, linked(urns)]));
  }
  return { resources: [...byUrn.values()], stackTags: noStackTags, getConfig: <T>() => config as T, notApplicable };
}

/** Runs `validate`, recording a value it could not know as the policy server reports it. */
async function reporting(policy: Policy, found: Violation[], urn: string | undefined, validate: () => Promise<void> | void): Promise<void> {
  try {
    await validate();
  } catch (error) {
    if (!(error instanceof UnknownValueError)) throw error;
    found.push({ policy: policy.name, message: `can't run during preview: ${(error as Error).message}`, urn });
  }
}

/** What `policy` reports on these resources, with this policy config. */
export async function violationsOf(policy: ResourceValidationPolicy | StackValidationPolicy, resources: RegisteredResource[], config: object = {}): Promise<Violation[]> {
  const found: Violation[] = [];
  if ("validateStack" in policy) {
    await reporting(policy, found, undefined, () => policy.validateStack(stackValidationArgs(resources, config), (message, urn) => found.push({ policy: policy.name, message, urn })));
    return found;
  }
  const validations = [policy.validateResource ?? []].flat();
  for (const resource of resources) {
    for (const validate of validations) {
      // As the server does: the violation is the resource's, whatever urn the policy passes.
      await reporting(policy, found, resource.urn, () => validate(resourceValidationArgs(resource, config), (message) => found.push({ policy: policy.name, message, urn: resource.urn })));
    }
  }
  return found;
}
