/**
 * examples/api-only, a separate Pulumi program, run under Pulumi's mocks against connect-chat as a
 * consumer gets it: the `npm pack` tarball unpacked into the example's node_modules, not our source.
 * (Pulumi and the SDK resolve from our node_modules above it, as one shared copy must.)
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import type * as connectChat from "../infra";
import { localContactFlowId, localInstanceId, type LocalStack } from "../local/stack";
import { localStack } from "./support/hooks";
import { lambdaArtifact, postToArtifact } from "./support/lambda-artifact";
import { archiveFiles, registeredFrom, resourceOf, runProgram, useMocks, valueOf, type MockResource } from "./support/pulumi-mocks";

const run = promisify(execFile);
const root = join(__dirname, "..");
const workDir = join(root, "test-output", "package");
const exampleDir = join(workDir, "example-api-only");
const installed = join(exampleDir, "node_modules", "connect-chat");
const siteOrigin = "https://shop.example.com";

describe("examples/api-only against the packed package", function () {
  // npm pack compiles the package and builds its page first (prepack).
  this.timeout(180_000);
  let packedFiles: string[];
  let stack: LocalStack;
  let deployed: Awaited<ReturnType<typeof runProgram>>;

  before(async () => {
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(installed, { recursive: true });
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", workDir], { cwd: root });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    packedFiles = packed.files.map((file) => file.path);
    cpSync(join(root, "examples", "api-only"), exampleDir, { recursive: true });
    await run("tar", ["-xzf", join(workDir, packed.filename), "-C", installed, "--strip-components=1"]);
    stack = await localStack();
    deployed = await runProgram(join(exampleDir, "index.ts"), "connect-chat-example-api-only",
      { instanceId: localInstanceId, contactFlowId: localContactFlowId, siteOrigins: [siteOrigin] },
      { "chat-chats": stack.settings.chatsTableName });
  });

  it("packs compiled components with their .d.ts, handlers, flows and built page; no sources", () => {
    expect(packedFiles).to.include.members([
      "lib/infra/index.js", "lib/infra/index.d.ts", "lib/handlers/start-chat/index.js",
      "lib/contact-flows/chat.json", "lib/contact-flows/chat-disconnect.json", "lib/www/dist/connect-chat.js", "lib/www/dist/index.html",
      "package.json", "README.md", "LICENSE",
    ]);
    const unexpected = packedFiles.filter((path) => !/^lib\/.+\.(js|d\.ts|json|css|html)$/.test(path) && !["package.json", "README.md", "LICENSE"].includes(path));
    expect(unexpected).to.deep.equal([]);
    expect(packedFiles.filter((path) => /^lib\/(local|test|bench|scripts)\//.test(path))).to.deep.equal([]);
  });

  it("type-checks against the package's declarations", async () => {
    await run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", exampleDir]);
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

  it("ships the handler alone, serialized by value, as it does from source", async () => {
    const files = await archiveFiles(resourceOf(deployed.resources, "aws:lambda/function:Function").inputs.code);
    expect(Object.keys(files)).to.deep.equal(["__index.js"]);
    expect(files["__index.js"]).to.not.match(/require\("connect-chat|node_modules/);
  });

  it("its serialized Lambda starts a chat and resumes it, cold, against the local stack", async () => {
    const artifact = await lambdaArtifact(resourceOf(deployed.resources, "aws:lambda/function:Function"), stack);
    const first = await postToArtifact(artifact, { name: "Ana" });
    expect(first.status).to.equal(200);
    const again = await postToArtifact(artifact, { name: "Ana", resumeToken: first.body.data.resumeToken });
    expect(again.body.data).to.deep.include({ resumed: true });
    expect(again.body.data.startChatResult.ContactId).to.equal(first.body.data.startChatResult.ContactId);
  });

  describe("the other components, from the package with no help", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed package, as the example resolves it
    const fromPackage = () => require(require.resolve("connect-chat", { paths: [exampleDir] })) as typeof connectChat;
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

    it("TranscriptWatcher ships its handler alone too", async () => {
      const resources = await inConsumer(({ TranscriptWatcher }) => new TranscriptWatcher("transcripts", {
        chatsTable: { name: "chats", arn: "arn:aws:dynamodb:us-east-1:123456789012:table/chats" },
        manageTranscriptStorage: { instanceId: localInstanceId },
      }));
      const files = await archiveFiles(resourceOf(resources, "aws:lambda/function:Function").inputs.code);
      expect(Object.keys(files)).to.deep.equal(["__index.js"]);
      expect(files["__index.js"]).to.not.match(/require\("connect-chat/);
    });

    it("refuses bad args, naming them", () => {
      useMocks();
      const { ChatApi } = fromPackage();
      expect(() => new ChatApi("bad", { instanceId: `arn:aws:connect:us-east-1:123456789012:instance/${localInstanceId}`, contactFlowId: localContactFlowId, allowedOrigins: [] }))
        .to.throw(pulumi.ResourceError, "instanceId must be a UUID");
    });
  });
});
