/**
 * The Pulumi CLI's own checks of a project file and a stack's config, applied here because no
 * Pulumi CLI runs on this machine. They run before the program does: a stack the CLI refuses never
 * reaches index.ts, so our mocks tests must get their config from these rules, not set it directly.
 *
 * Read from pulumi/pulumi at 1b5949891b3cefcb9974752b24a5ecef0acc86c8 (Apache-2.0):
 * - sdk/go/common/workspace/loaders.go `LoadProjectBytes`: the raw YAML is checked against the
 *   project schema (`ValidateProject`, project.json, JSON Schema 2020-12), then
 *   `RewriteShorthandConfigValues`, then `Project.Validate` (project.go).
 * - loaders.go `LoadProjectStackBytes`: keys with no namespace get the project's
 *   (`stackConfigNamespacedWithProject`), a null value is "" (`checkForEmptyConfig`);
 *   resource/config key.go `ParseKey`; object.go `MarshalString` (scalars as text, lists and maps
 *   as JSON "object" values).
 * - pkg/workspace/config.go `mergeConfig` (via `ValidateStackConfigAndApplyProjectConfig`): every
 *   key of the project's namespace with no stack value, no `value` and no `default` is missing, and
 *   the stack is refused; otherwise `value`/`default` fill in (`createConfigValue`); then
 *   `validateStackConfigValues` checks each typed key with workspace/project.go `ValidateConfigValue`.
 * - pkg/cmd/pulumi/config/config.go `configSetCmd.Run`: `pulumi config set` stores top-level values
 *   as text; with `--path`, "true"/"false" become booleans and integers numbers.
 * - sdk/nodejs/cmd/pulumi-language-nodejs/main.go `constructConfig`: the program gets every value
 *   as a string (JSON for objects) in PULUMI_CONFIG, which `pulumi.runtime.setAllConfig` stands for.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import projectSchema from "../data/pulumi-project.schema.json";

/** What the CLI prints instead of running the program. */
export class PulumiCliError extends Error {}

interface ItemsType { type: string; items?: ItemsType }
export interface ProjectConfigType {
  type?: "string" | "integer" | "boolean" | "array" | "object";
  items?: ItemsType;
  description?: string;
  default?: unknown;
  value?: unknown;
  secret?: boolean;
}
export interface Project {
  name: string;
  main?: string;
  runtime: string | { name: string; options?: Record<string, unknown> };
  config: Record<string, ProjectConfigType>;
}

/** A stack's config as the CLI holds it: "namespace:name" → the value's text, and whether that text is JSON. */
export type StackConfig = Map<string, { text: string; object: boolean }>;

const validateProjectSchema = new Ajv2020({ strict: false, allErrors: true }).compile(projectSchema);

/** LoadProjectBytes: schema, shorthand rewrite, then Project.Validate. */
export function loadProject(path: string): Project {
  return projectFromText(readFileSync(path, "utf8"), path);
}

export function projectFromText(text: string, source = "Pulumi.yaml"): Project {
  const raw = parseYaml(text) as Record<string, unknown>;
  if (typeof raw?.name !== "string" || raw.name === "") throw new PulumiCliError(`${source}: project is missing a non-empty string 'name' attribute`);
  if (!validateProjectSchema(raw)) {
    throw new PulumiCliError(`${source}: ${validateProjectSchema.errors!.map((e) => `#${e.instancePath}: ${e.message}`).join("; ")}`);
  }
  const project = { ...raw, config: rewriteShorthand(raw.name, (raw.config ?? {}) as Record<string, unknown>) } as Project;
  validateProject(project, source);
  return project;
}

/** RewriteShorthandConfigValues: `key: 5` is a default in the project's namespace, a value in any other. */
function rewriteShorthand(projectName: string, config: Record<string, unknown>): Record<string, ProjectConfigType> {
  return Object.fromEntries(Object.entries(config).map(([key, declared]) => {
    const shorthand = declared === null || typeof declared !== "object" || Array.isArray(declared);
    if (!shorthand) return [key, declared as ProjectConfigType];
    return [key, inProjectNamespace(projectName, key) ? { default: declared } : { value: declared }];
  }));
}

function inProjectNamespace(projectName: string, key: string): boolean {
  return !key.includes(":") || key.startsWith(`${projectName}:`);
}

/** Project.Validate. */
function validateProject(project: Project, source: string): void {
  for (const [key, declared] of Object.entries(project.config)) {
    const fail = (message: string) => { throw new PulumiCliError(`${source}: ${message}`); };
    if (declared.default !== undefined && declared.value !== undefined) fail(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
    if (inProjectNamespace(project.name, key)) {
      if (declared.type === "array" && !declared.items) fail(`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`);
      if (declared.type && declared.default !== undefined && !matchesType(declared.type, declared.items, declared.default)) {
        fail(`The default value specified for configuration key '${key}' is not of the expected type '${typeName(declared.type, declared.items)}'`);
      }
    } else {
      if (declared.type) fail(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
      if (declared.default !== undefined) fail(`Configuration key '${key}' is not namespaced by the project and should not define a default value`);
      if (declared.value === undefined) fail(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
    }
  }
}

/** ValidateConfigValue: integers may be whole floats or integer text; booleans may be "true"/"false". */
function matchesType(type: string, items: ItemsType | undefined, value: unknown): boolean {
  switch (type) {
    case "string": return typeof value === "string";
    case "integer": return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
    case "boolean": return typeof value === "boolean" || value === "true" || value === "false";
    case "object": return value !== null && typeof value === "object" && !Array.isArray(value);
    default: return Array.isArray(value) && items !== undefined && value.every((item) => matchesType(items.type, items.items, item));
  }
}

function typeName(type: string, items: ItemsType | undefined): string {
  return items ? `array<${typeName(items.type, items.items)}>` : type;
}

/** LoadProjectStackBytes: a stack file's `config:` section. */
export function loadStackConfig(project: Project, path: string): StackConfig {
  return stackConfigFromText(project, readFileSync(path, "utf8"));
}

export function stackConfigFromText(project: Project, text: string): StackConfig {
  const raw = (parseYaml(text) ?? {}) as { config?: Record<string, unknown> };
  const stack: StackConfig = new Map();
  for (const [rawKey, value] of Object.entries(raw.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    stack.set(parseKey(key), configValue(value ?? ""));
  }
  return stack;
}

/** The stack file that holds these values under `config:` (keys without a namespace get the project's). */
export function stackConfigOf(project: Project, values: Record<string, unknown>): StackConfig {
  return stackConfigFromText(project, stringifyYaml({ config: values }));
}

/** ParseKey: `namespace:name`, or the legacy `namespace:config:name`. */
function parseKey(key: string): string {
  const parts = key.split(":");
  if (parts.length === 2) return key;
  if (parts.length === 3 && parts[1] === "config") return `${parts[0]}:${parts[2]}`;
  throw new PulumiCliError(`could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`);
}

/** object.go MarshalString / createConfigValue: scalars as their text, lists and maps as JSON. */
function configValue(value: unknown): { text: string; object: boolean } {
  if (value !== null && typeof value === "object") {
    if (!Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) {
      throw new PulumiCliError("secure values need the stack's secrets provider: not supported by this stand-in");
    }
    return { text: goJson(value), object: true };
  }
  return { text: String(value), object: false };
}

/** Go's json.Marshal: map keys sorted, and <, >, & escaped. */
function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown => Array.isArray(v) ? v.map(sorted)
    : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]))
      : v;
  return JSON.stringify(sorted(value)).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

/**
 * `pulumi config set [--path] KEY VALUE` on a stack, as the README tells users to run it. Paths
 * take the `a.b` and `a[0]` forms.
 */
export function configSet(project: Project, stack: StackConfig, command: string): void {
  const args = command.trim().replace(/^pulumi config set\s+/, "").match(/'[^']*'|"[^"]*"|\S+/g)!.map((arg) => arg.replace(/^(['"])(.*)\1$/, "$2"));
  const path = args.includes("--path");
  const [rawKey, value] = args.filter((arg) => !arg.startsWith("--"));
  if (value === undefined) throw new PulumiCliError(`config value must be specified in non-interactive mode: ${command}`);
  if (/passwd|pass|password|pwd|secret|token/i.test(rawKey) && !args.includes("--secret")) {
    throw new PulumiCliError(`config value for '${rawKey}' looks like a secret; rerun with --secret to encrypt it`);
  }
  if (!path) {
    stack.set(parseKey(rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`), { text: value, object: false });
    return;
  }
  const [, head, rest] = /^([^.[]+)(.*)$/.exec(rawKey)!;
  const key = parseKey(head.includes(":") ? head : `${project.name}:${head}`);
  const segments = [...rest.matchAll(/\.([^.[]+)|\[(\d+)\]/g)].map((m) => m[1] ?? Number(m[2]));
  const leaf = value === "true" ? true : value === "false" ? false : /^[+-]?\d+$/.test(value) ? Number(value) : value;
  if (segments.length === 0) {
    stack.set(key, configValue(leaf));
    return;
  }
  const existing = stack.get(key);
  const root: unknown = existing?.object ? JSON.parse(existing.text) : typeof segments[0] === "number" ? [] : {};
  let node = root as Record<string | number, unknown>;
  segments.forEach((segment, i) => {
    if (i === segments.length - 1) node[segment] = leaf;
    else node = (node[segment] ??= typeof segments[i + 1] === "number" ? [] : {}) as Record<string | number, unknown>;
  });
  stack.set(key, configValue(root));
}

/**
 * ValidateStackConfigAndApplyProjectConfig, then what the Node language host hands the program:
 * every key of the merged config as "namespace:name" → string.
 */
export function engineConfig(project: Project, stackName: string, stack: StackConfig): Record<string, string> {
  const merged: StackConfig = new Map(stack);
  const missing: string[] = [];
  for (const key of Object.keys(project.config).sort()) {
    const declared = project.config[key];
    const fullKey = parseKey(key.includes(":") ? key : `${project.name}:${key}`);
    if (merged.has(fullKey)) continue;
    const fallback = declared.default ?? declared.value;
    if (fallback === undefined) {
      if (inProjectNamespace(project.name, fullKey)) missing.push(key);
      continue;
    }
    merged.set(fullKey, configValue(fallback));
  }
  if (missing.length > 0) {
    const names = missing.map((key) => `'${key}'`);
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
    throw new PulumiCliError(`Stack '${stackName}' is missing configuration ${missing.length === 1 ? "value" : "values"} ${list}`);
  }
  for (const key of Object.keys(project.config).sort()) {
    const declared = project.config[key];
    if (!declared.type) continue;
    const value = merged.get(parseKey(key.includes(":") ? key : `${project.name}:${key}`))!;
    if (declared.secret) throw new PulumiCliError(`Stack '${stackName}' with configuration key '${key}' must be encrypted as it's secret`);
    if (!matchesType(declared.type, declared.items, value.object ? JSON.parse(value.text) : value.text)) {
      throw new PulumiCliError(`Stack '${stackName}' with configuration key '${key}' must be of type '${typeName(declared.type, declared.items)}'`);
    }
  }
  return Object.fromEntries([...merged].map(([key, value]) => [key, value.text]));
}

/** Example values for the READMEs' `<placeholders>`, by config key. */
const placeholderValues: Record<string, string> = {
  instanceId: "11111111-2222-4333-8444-555555555555",
  contactFlowId: "66666666-7777-4888-9999-000000000000",
};

/**
 * The stacks a project folder ships or documents: each `Pulumi.<stack>.yaml[.example]` file, and
 * each shell block of its README that runs `pulumi config set` (the stack a user makes by following
 * it; shell comments dropped, `<placeholders>` filled in).
 */
export function shippedStacks(project: Project, dir: string): { name: string; stack: StackConfig }[] {
  const files = readdirSync(dir).filter((file) => /^Pulumi\.[^.]+\.yaml(\.example)?$/.test(file));
  const blocks = [...readFileSync(join(dir, "README.md"), "utf8").matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((block) => block[1].split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) => line.startsWith("pulumi config set ")))
    .filter((commands) => commands.length > 0);
  return [
    ...files.map((file) => ({ name: file, stack: loadStackConfig(project, join(dir, file)) })),
    ...blocks.map((commands, i) => {
      const stack: StackConfig = new Map();
      for (const command of commands) {
        const key = /set\s+(?:--\S+\s+)*'?(?:[\w-]+:)?(\w+)/.exec(command)![1];
        const filled = command.replace(/<[^>]+>/, () => placeholderValues[key] ?? `<no example value for ${key}>`);
        configSet(project, stack, filled);
      }
      return { name: `the README's stack #${i + 1}`, stack };
    }),
  ];
}
