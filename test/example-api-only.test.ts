/**
 * examples/api-only, a separate Pulumi program, against the package as a consumer gets it: the
 * `npm pack` tarball, never our source.
 * - As its README says: the tarball packed beside it, `npm install`, `npm test` (its own type check
 *   and mocks test, in its own process with its own @pulumi/pulumi).
 * - In this process, for what only we can check: the tarball unpacked into a copy's node_modules
 *   (Pulumi and the SDK resolve from our node_modules above it, so our mocks see its resources), run
 *   with the config the Pulumi CLI makes of its README's `pulumi config set` lines.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import type * as connectChat from "../infra";
import { localContactFlowId, localInstanceId, type LocalStack } from "../local/stack";
import { localStack } from "./support/hooks";
import { lambdaArtifact, postToArtifact } from "./support/lambda-artifact";
import { engineConfig, loadProject, shippedStacks } from "./support/pulumi-cli";
import { archiveFiles, registeredFrom, resourceOf, runProgramWithConfig, useMocks, valueOf, type MockResource } from "./support/pulumi-mocks";

const run = promisify(execFile);
const root = join(__dirname, "..");
const sourceDir = join(root, "examples", "api-only");
const packageName = "connect-chat";
const workDir = join(root, "test-output", "package");
/** The repository's examples/ folder as the README's steps leave it: the tarball beside the example. */
const examplesDir = join(workDir, "examples");
const exampleDir = join(workDir, "in-process", "api-only");
const installed = join(exampleDir, "node_modules", ...packageName.split("/"));
const siteOrigin = "https://www.example.com";

describe("examples/api-only against the packed package", function () {
  // npm pack compiles the package and builds its page first (prepack); the example installs.
  this.timeout(180_000);
  let packedFiles: string[];
  let tarball: string;
  let stack: LocalStack;
  let deployed: Awaited<ReturnType<typeof runProgramWithConfig>>;

  before(async () => {
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(examplesDir, { recursive: true });
    mkdirSync(installed, { recursive: true });
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", examplesDir], { cwd: root });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    packedFiles = packed.files.map((file) => file.path);
    tarball = packed.filename;
    cpSync(sourceDir, exampleDir, { recursive: true });
    await run("tar", ["-xzf", join(examplesDir, packed.filename), "-C", installed, "--strip-components=1"]);
    stack = await localStack();
    const project = loadProject(join(exampleDir, "Pulumi.yaml"));
    const [readmeStack] = shippedStacks(project, exampleDir);
    const config = { ...engineConfig(project, "dev", readmeStack.stack), [`${project.name}:instanceId`]: localInstanceId, [`${project.name}:contactFlowId`]: localContactFlowId };
    deployed = await runProgramWithConfig(join(exampleDir, "index.ts"), project.name, config, { "chat-chats": stack.settings.chatsTableName });
  });

  it("installs and passes its own tests as its README says, with the tarball `npm pack` makes from this version", async () => {
    const dependency = JSON.parse(readFileSync(join(sourceDir, "package.json"), "utf8")).dependencies[packageName];
    expect(dependency).to.equal(`file:../${tarball}`);
    const readme = readFileSync(join(sourceDir, "README.md"), "utf8");
    expect(readme).to.include("npm pack --pack-destination examples").and.include("npm install\nnpm test");
    const dir = join(examplesDir, "api-only");
    cpSync(sourceDir, dir, { recursive: true, filter: (path) => !/node_modules|dist/.test(relative(sourceDir, path)) });
    // Offline: our own `npm ci` has already put every package it needs in npm's cache.
    await run("npm", ["install", "--offline", "--no-audit", "--no-fund"], { cwd: dir });
    const { stdout } = await run("npm", ["test"], { cwd: dir });
    expect(stdout).to.match(/^# pass 1$/m).and.match(/^# fail 0$/m);
  });

  it("packs compiled components with their .d.ts, handlers, flows and built page; no sources but the plugin entry npm always packs (main)", () => {
    expect(packedFiles).to.include.members([
      "lib/infra/index.js", "lib/infra/index.d.ts", "lib/handlers/start-chat/index.js",
      "lib/contact-flows/chat.json", "lib/contact-flows/chat-disconnect.json", "lib/www/dist/connect-chat.js", "lib/www/dist/index.html",
      "package.json", "README.md", "LICENSE",
    ]);
    // npm always packs package.json's `main`: the component provider's entry, which the Pulumi CLI
    // runs from a git checkout (PulumiPlugin.yaml). Programs that install the package never load
    // it: `exports` wins over `main` for an import of the package.
    const unexpected = packedFiles.filter((path) => !/^lib\/.+\.(js|d\.ts|json|css|html)$/.test(path) && !["package.json", "README.md", "LICENSE", "infra/provider.ts"].includes(path));
    expect(unexpected).to.deep.equal([]);
    expect(packedFiles.filter((path) => /^lib\/(local|test|bench|scripts)\//.test(path))).to.deep.equal([]);
  });

  it("loads ChatApi from the tarball, not from our source", () => {
    const fromPackage = Object.keys(require.cache).filter((file) => file.startsWith(installed + sep)).map((file) => relative(installed, file));
    expect(fromPackage).to.include.members([join("lib", "infra", "chat-api.js"), join("lib", "handlers", "start-chat", "index.js")]);
    expect(deployed.resources.map((r) => r.type)).to.include("connect-chat:index:ChatApi");
  });

  it("wires the API to the existing site's origin and exports its URL", async () => {
    const api = resourceOf(deployed.resources, "aws:apigatewayv2/api:Api").inputs;
    expect(api.corsConfiguration.allowOrigins).to.deep.equal([siteOrigin]);
    expect(await valueOf(deployed.outputs.chatApiUrl as pulumi.Output<string>)).to.match(/^https:\/\/.+\/chat$/);
  });

  it("ships the handler serialized by value, as it does from source, and the SDK bundle the package ships", async () => {
    const files = await archiveFiles(resourceOf(deployed.resources, "aws:lambda/function:Function").inputs.code, exampleDir);
    expect(Object.keys(files)).to.deep.equal(["__index.js", "node_modules/connect-chat/lib/handlers/dist/start-chat-aws-sdk.js"]);
    expect(files["__index.js"]).to.not.match(/require\("(connect-chat|@aws-sdk)/);
  });

  it("its serialized Lambda starts a chat and resumes it, cold, against the local stack", async () => {
    const artifact = await lambdaArtifact(resourceOf(deployed.resources, "aws:lambda/function:Function"), stack, exampleDir);
    const first = await postToArtifact(artifact, { name: "Ana" });
    expect(first.status).to.equal(200);
    const again = await postToArtifact(artifact, { name: "Ana", resumeToken: first.body.data.resumeToken });
    expect(again.body.data).to.deep.include({ resumed: true });
    expect(again.body.data.startChatResult.ContactId).to.equal(first.body.data.startChatResult.ContactId);
  });

  describe("the other components, from the package with no help", () => {
    // The installed package, as the example's own modules resolve it (require.resolve's `paths`
    // would not do: from this repository, Node resolves our package's name to itself first).
    const fromPackage = () => createRequire(join(exampleDir, "index.ts"))(packageName) as typeof connectChat;
    /** Creates components the way a consumer's program does: from its own folder, where Pulumi runs it. */
    async function inConsumer(create: (pkg: typeof connectChat) => void): Promise<MockResource[]> {
      const resources = useMocks();
      await registeredFrom(exampleDir, () => create(fromPackage()));
      return resources;
    }
    const ofType = (resources: MockResource[], type: string) => resources.filter((r) => r.type === type);

    it("ChatSite uploads the page the package ships", async () => {
      const resources = await inConsumer(({ ChatSite }) => new ChatSite("site", { apiUrl: "https://api.example.com/chat" }));
      const keys = ofType(resources, "aws:s3/bucketObjectv2:BucketObjectv2").map((r) => r.inputs.key);
      expect(keys).to.include.members(["connect-chat.js", "index.html", "config.json"]);
      expect(keys.some((key: string) => /^chatjs-[0-9a-f]{10}\.js$/.test(key))).to.equal(true);
    });

    it("ContactFlows renders the flows the package ships", async () => {
      const resources = await inConsumer(({ ContactFlows }) => new ContactFlows("flows", { instanceId: localInstanceId }));
      const flows = ofType(resources, "aws:connect/contactFlow:ContactFlow");
      expect(flows.map((r) => r.name)).to.deep.equal(["flows-chat-disconnect", "flows-chat"]);
      expect(flows[1].inputs.content).to.include("BasicQueue-queue-id");
    });

    it("TranscriptWatcher ships its handler and SDK bundle too", async () => {
      const resources = await inConsumer(({ TranscriptWatcher }) => new TranscriptWatcher("transcripts", {
        chatsTable: { name: "chats", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/chats" },
        manageTranscriptStorage: { instanceId: localInstanceId },
      }));
      const files = await archiveFiles(resourceOf(resources, "aws:lambda/function:Function").inputs.code, exampleDir);
      expect(Object.keys(files)).to.deep.equal(["__index.js", "node_modules/connect-chat/lib/handlers/dist/transcript-landed-aws-sdk.js"]);
      expect(files["__index.js"]).to.not.match(/require\("(connect-chat|@aws-sdk)/);
    });

    it("refuses bad args, naming them", () => {
      useMocks();
      const { ChatApi } = fromPackage();
      expect(() => new ChatApi("bad", { instanceId: `arn:aws:connect:us-east-1:123456789012:instance/${localInstanceId}`, contactFlowId: localContactFlowId, allowedOrigins: [] }))
        .to.throw(pulumi.ResourceError, "instanceId must be a UUID");
    });
  });
});
