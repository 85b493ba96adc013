/**
 * A handler's AWS SDK commands (`handlers/<name>/aws-sdk.ts`) as one minified CommonJS file for its
 * function's package. Running from source, the file is built on every run (esbuild, a
 * devDependency), so a deploy never ships a stale SDK; the published package ships it built
 * (scripts/build-lib.ts), as it ships the built site.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** Where the bundles are: `handlers/dist` beside this folder, in the repository and in the package alike. */
export const sdkBundleDir = join(__dirname, "..", "handlers", "dist");

/** Builds `handlers/<handler>/aws-sdk.ts` into `sdkBundleDir`; the file's path. */
export function buildSdkBundle(handler: string, outDir = sdkBundleDir): string {
  const outfile = join(outDir, `${handler}-aws-sdk.js`);
  mkdirSync(outDir, { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a build tool, present only where the source is
  const { buildSync } = require("esbuild") as typeof import("esbuild");
  buildSync({
    entryPoints: [join(__dirname, "..", "handlers", handler, "aws-sdk.ts")],
    outfile, bundle: true, minify: true, platform: "node", target: "node22", format: "cjs", legalComments: "none",
    // The SDK's ES modules, which esbuild can tree-shake: its CommonJS builds are one file a client.
    mainFields: ["module", "main"],
    // The SDK's optional CRT is never used on nodejs22.x.
    external: ["aws-crt", "@aws-sdk/signature-v4-crt"],
    // Credentials from the environment only, as Lambda gives them (handlers/env-credentials.ts).
    alias: { "@aws-sdk/credential-provider-node": join(__dirname, "..", "handlers", "env-credentials.ts") },
  });
  return outfile;
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
