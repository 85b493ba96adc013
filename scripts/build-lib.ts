/**
 * Builds what the published package holds, into lib/: the components and the handlers they deploy,
 * compiled to JavaScript with their .d.ts; each handler's AWS SDK bundle (infra/sdk-bundle.ts); the
 * contact flows ContactFlows renders; and the customer page built, for ChatSite's default. `npm pack` and `npm publish` run it first (prepack).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildSdkBundle } from "../infra/sdk-bundle";
import { buildSite } from "../www/build";

const root = join(__dirname, "..");
const lib = join(root, "lib");

rmSync(lib, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.lib.json")], { stdio: "inherit" });
for (const file of readdirSync(join(root, "contact-flows")).filter((name) => name.endsWith(".json"))) {
  copyFileSync(join(root, "contact-flows", file), join(lib, "contact-flows", file));
}
buildSite(join(lib, "www", "dist"));
for (const handler of ["start-chat", "transcript-landed"]) buildSdkBundle(handler, join(lib, "handlers", "dist"));
