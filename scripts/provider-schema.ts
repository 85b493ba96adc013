/**
 * The component provider's schema, built in-process as the Pulumi CLI would have the provider build
 * it (no CLI needed): the classes package.json's `main` exports, under the name Pulumi's Node.js
 * host derives from package.json's `name` (pulumi/pulumi sdk/nodejs/cmd/run-plugin/run.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import type { PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";

export type { PackageSpec };

const root = join(__dirname, "..");
/** The committed schema (scripts/write-schema.ts writes it). */
export const schemaFile = join(root, "schema.json");

/**
 * run.ts's rule: an npm scope becomes the namespace, the rest (anything but letters, digits, `-`
 * and `_` turned into `-`) the provider's name, which is the first part of every type token.
 */
export function providerIdentity(packageName: string): { name: string; namespace?: string } {
  const [, scope, rest] = /^(@.*?\/)?(.+)$/.exec(packageName) ?? [];
  return { name: rest.replace(/[^-a-zA-Z0-9_]/g, "-"), ...(scope && { namespace: scope.slice(1, -1) }) };
}

export function packageManifest(): { name: string; main: string; version: string } {
  return JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
}

/** The classes the plugin serves: the ComponentResources package.json's `main` exports. */
export function providedComponents(): ReturnType<typeof getPulumiComponents> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- what the host does: require the package folder's main
  return getPulumiComponents(require(join(root, packageManifest().main)));
}

export async function providerSchema(): Promise<PackageSpec> {
  const provider = new ComponentProvider({ ...providerIdentity(packageManifest().name), dirname: root, components: providedComponents() });
  return JSON.parse(await provider.getSchema());
}

/** schema.json's text: two-space JSON, as reviewers read it, ending in a newline. */
export const schemaText = (schema: PackageSpec): string => `${JSON.stringify(schema, null, 2)}\n`;
