/**
 * The component provider: what `pulumi package add <this repo>@<version>` serves to Python, Go, C#,
 * Java and YAML programs. Pulumi's Node.js host requires the package folder (its `main`, this file)
 * and serves every ComponentResource class it exports, with a schema inferred from their types
 * (pulumi/pulumi sdk/nodejs/cmd/run-plugin/run.ts, provider/experimental). TypeScript programs
 * import the same classes from the package's entry point (infra/index.ts) instead.
 */
import { buildSite } from "../www/build";

// The plugin runs from a checkout of the repository, where the page is not built (the published
// package ships it built, scripts/build-lib.ts): build it, as the stack's own program does on every run.
buildSite();

export { ChatAlarms, ChatApi, ChatSite, ContactFlows, OriginSecret, TranscriptWatcher } from ".";
