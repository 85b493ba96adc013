/**
 * Reading resources as @pulumi/policy hands them to a policy (node_modules/@pulumi/policy/server.js):
 * `props` are plain data behind a proxy that throws UnknownValueError on a value `pulumi preview`
 * cannot know yet (proxy.js), and the server turns that throw into an advisory "can't run during
 * preview" instead of the policy's verdict. A stack policy also sees, for each property, the
 * resources its value came from (`propertyDependencies`, filled from the engine's state:
 * pulumi/pulumi pkg/resource/deploy/step_generator.go, `AnalyzeResources`).
 */
// UnknownValueError is exported at runtime (index.js) but its declaration is stripped from
// proxy.d.ts as @internal, so TypeScript types it loosely; `instanceof` is all this module needs.
import { UnknownValueError, type PolicyResource, type ReportViolation, type ResourceValidation, type ResourceValidationArgs } from "@pulumi/policy";

/** A value preview cannot know: it comes from a resource still to be created or changed. */
export const pending = Symbol("pending");

/** `read()`, or `pending` when it touches a value preview cannot know yet. */
export function known<T>(read: () => T): T | typeof pending {
  try {
    return read();
  } catch (error) {
    if (error instanceof UnknownValueError) return pending;
    throw error;
  }
}

/** How a violation names a resource: its type and its Pulumi name. */
export function labelOf(resource: { type: string; name: string }): string {
  return `${resource.type} "${resource.name}"`;
}

/** A resource validation for the resources of these types; others pass untouched. */
export function forTypes<Props>(types: string[], validate: (props: Props, args: ResourceValidationArgs, reportViolation: ReportViolation) => void): ResourceValidation {
  return (args, reportViolation) => {
    if (types.includes(args.type)) validate(args.props as Props, args, reportViolation);
  };
}

/**
 * Whether `resource`'s `property` names `target` (whose name is `targetName`): by the property's
 * dependencies when its value came from `target` (in a preview of a new stack the value itself is
 * not known yet), else by the value, for a name written out.
 */
export function refersTo(resource: PolicyResource, property: string, target: PolicyResource, targetName: string | typeof pending | undefined): boolean {
  if ((resource.propertyDependencies[property] ?? []).some((source) => source.urn === target.urn)) return true;
  const value = known(() => resource.props[property]);
  return typeof targetName === "string" && value === targetName;
}
