/**
 * A handler's AWS SDK commands (`handlers/<name>/aws-sdk.ts`) as one minified CommonJS file for its
 * function's package. Running from source, the file is built on every run (esbuild, a
 * devDependency), so a deploy never ships a stale SDK; the published package ships it built
 * (scripts/build-lib.ts), as it ships the built site.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** Where the bundles are: `handlers/dist` beside this folder, in the repository and in the package alike. */
export const sdkBundleDir = join(__dirname, "..", "handlers", "dist");

/**
 * esbuild keeps every schema of an SDK client's schema module (all of Connect's operations: 187 KB
 * of a 447 KB bundle), because the SDK builds them with computed keys (`{ [_h]: … }`, `_h` a string
 * constant of the module), which a bundler must assume may run code. Written as the string
 * literals they are, the keys let esbuild drop the schemas of operations we never call: the bundle
 * loads in about 28 ms instead of 44 (`npm run bench`). Same values, same objects.
 */
const schemaKeysAsLiterals = {
  name: "sdk-schema-keys-as-literals",
  setup(build: import("esbuild").PluginBuild) {
    build.onLoad({ filter: /[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]schemas[\\/]schemas_0\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const constants = new Map([...source.matchAll(/^const (_\w+) = ("[^"\\]*");$/gm)].map(([, name, literal]) => [name, literal]));
      return { contents: source.replace(/\[(_\w+)\]:/g, (key, name: string) => (constants.has(name) ? `${constants.get(name)}:` : key)), loader: "js" };
    });
  },
};

async function bundle(handler: string, outfile: string): Promise<void> {
  const { build } = await import("esbuild");
  await build({
    entryPoints: [join(__dirname, "..", "handlers", handler, "aws-sdk.ts")],
    outfile, bundle: true, minify: true, platform: "node", target: "node22", format: "cjs", legalComments: "none",
    // The SDK's ES modules, which esbuild can tree-shake: its CommonJS builds are one file a client.
    mainFields: ["module", "main"],
    // The SDK's optional CRT is never used on nodejs22.x.
    external: ["aws-crt", "@aws-sdk/signature-v4-crt"],
    // Credentials from the environment only, as Lambda gives them (handlers/env-credentials.ts).
    alias: { "@aws-sdk/credential-provider-node": join(__dirname, "..", "handlers", "env-credentials.ts") },
    plugins: [schemaKeysAsLiterals],
  });
}

const built = new Set<string>();

/**
 * Builds `handlers/<handler>/aws-sdk.ts` into `outDir` (once a process); the file's path. esbuild
 * runs plugins only in its asynchronous API and components are built synchronously, so the build
 * runs in a child process: this file, as a script.
 */
export function buildSdkBundle(handler: string, outDir = sdkBundleDir): string {
  const outfile = join(outDir, `${handler}-aws-sdk.js`);
  if (built.has(outfile)) return outfile;
  mkdirSync(outDir, { recursive: true });
  execFileSync(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), __filename, handler, outfile], { stdio: ["ignore", "inherit", "inherit"] });
  built.add(outfile);
  return outfile;
}

if (require.main === module) {
  const [handler, outfile] = process.argv.slice(2);
  bundle(handler, outfile).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

/**
 * The bundle for `handler`, as a path relative to the program's working directory: Pulumi puts
 * extra files into a function's package under the path they are given, from there.
 */
export function sdkBundlePath(handler: string): string {
  const runningFromSource = __filename.endsWith(".ts");
  const file = runningFromSource ? buildSdkBundle(handler) : join(sdkBundleDir, `${handler}-aws-sdk.js`);
  if (!existsSync(file)) throw new pulumi.RunError(`${file} is missing: the package was published without its SDK bundles (npm pack runs scripts/build-lib.ts)`);
  const path = relative(process.cwd(), file).split(sep).join("/");
  if (path.startsWith("../")) {
    throw new pulumi.RunError(`${file} is outside the program's folder (${process.cwd()}): run Pulumi from a folder that contains the installed connect-chat package`);
  }
  return path;
}
