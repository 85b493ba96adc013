/**
 * The policy pack (policy/) on what our program really registers: index.ts run under Pulumi's
 * mocks with a stack's config, each resource handed to the policies as the policy server would hand
 * it (support/policy-args.ts). Our stacks pass; a consumer's loosening (a transform's change, a
 * resource of their own) fails, with a message naming the resource. Then the pack as the Pulumi
 * CLI starts it.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { policies, policiesFor } from "../policy/policies";
import { engineConfig, loadProject, loadStackConfig, stackConfigOf } from "./support/pulumi-cli";
import { allRegistered, runProgramWithConfig, useMocks } from "./support/pulumi-mocks";
import { changed, inFreshPreview, registrationsOf, violationsOf, type RegisteredResource, type Violation } from "./support/policy-args";

const root = join(__dirname, "..");
const policyDir = join(root, "policy");
const project = loadProject(join(root, "Pulumi.yaml"));

/** What index.ts registers for a stack file's config with `extra` on top, as the CLI would run it. */
function runStack(stackName: string, stackFile: string, extra: Record<string, unknown>): Promise<RegisteredResource[]> {
  const stack = new Map([...loadStackConfig(project, join(root, stackFile)), ...stackConfigOf(project, extra)]);
  return registrationsOf(() => runProgramWithConfig(require.resolve("../index"), project.name, engineConfig(project, stackName, stack)));
}

/** What a consumer's own program registers. */
function runOwnResources(create: () => void): Promise<RegisteredResource[]> {
  return registrationsOf(async () => {
    useMocks();
    create();
    await allRegistered();
  });
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;
const named = (list: Policies, name: string): AnyPolicy => {
  const found = list.find((policy) => policy.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
};
/** Every policy, on a stack of this name. */
async function allViolations(stackName: string, resources: RegisteredResource[]): Promise<Violation[]> {
  return (await Promise.all(policiesFor(() => stackName).map((policy) => violationsOf(policy, resources)))).flat();
}
/** One policy's violations, on a stack of this name. */
function violations(name: string, resources: RegisteredResource[], options: { stack?: string; config?: object } = {}): Promise<Violation[]> {
  return violationsOf(named(policiesFor(() => options.stack ?? "dev"), name), resources, options.config);
}
function urnOf(resources: RegisteredResource[], type: string, name: string): string {
  const found = resources.filter((resource) => resource.type === type && resource.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0].urn;
}
const without = (resources: RegisteredResource[], type: string) => resources.filter((resource) => resource.type !== type);

const types = {
  table: "aws:dynamodb/table:Table",
  stage: "aws:apigatewayv2/stage:Stage",
  api: "aws:apigatewayv2/api:Api",
  responseHeadersPolicy: "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
  bucket: "aws:s3/bucket:Bucket",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  object: "aws:s3/bucketObjectv2:BucketObjectv2",
  distribution: "aws:cloudfront/distribution:Distribution",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  webAcl: "aws:wafv2/webAcl:WebAcl",
};
const allPublicAccessBlocked = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const allUsers = "http://acs.amazonaws.com/groups/global/AllUsers";

describe("policy pack (policy/)", function () {
  this.timeout(120000);
  /** Pulumi.dev.yaml, with pages on other origins embedding the widget (the API's and config.json's CORS). */
  let dev: RegisteredResource[];
  /** The production example with its WAF on. */
  let prod: RegisteredResource[];
  before(async () => {
    dev = await runStack("dev", "Pulumi.dev.yaml", { allowedOrigins: ["https://shop.example.com", "http://localhost:3000"] });
    prod = await runStack("prod", "Pulumi.prod.yaml.example", { siteWaf: true });
  });

  describe("on our stacks", () => {
    it("hold what every policy checks, so their passing means something", () => {
      const ofType = (resources: RegisteredResource[], type: string) => resources.filter((resource) => resource.type === type);
      expect(ofType(dev, types.table).map((r) => r.name)).to.deep.equal(["chat-chats"]);
      expect(ofType(dev, types.stage).map((r) => r.name)).to.deep.equal(["chat-stage"]);
      expect(ofType(dev, types.api)[0].inputs.corsConfiguration.allowOrigins).to.deep.equal(["https://shop.example.com", "http://localhost:3000"]);
      expect(ofType(dev, types.responseHeadersPolicy).find((r) => r.name === "site-embed-headers")!.inputs.corsConfig.accessControlAllowOrigins.items).to.have.length(2);
      expect(ofType(dev, types.bucket).map((r) => r.name).sort()).to.deep.equal(["site-files", "transcripts-transcripts"]);
      expect(ofType(dev, types.publicAccessBlock)).to.have.length(2);
      expect(ofType(dev, types.ownershipControls)).to.have.length(2);
      expect(ofType(dev, types.object).length).to.be.greaterThan(5);
      expect(ofType(dev, types.logGroup).map((r) => r.inputs.retentionInDays)).to.deep.equal([7, 7, 7]);
      expect(ofType(dev, types.distribution)[0].inputs.webAclId).to.equal(undefined);
      expect(ofType(prod, types.distribution)[0].inputs.webAclId).to.equal(`arn:aws:wafv2:us-east-1:123456789012:${ofType(prod, types.webAcl)[0].name}`);
    });

    for (const [stackName, stack] of [["dev", () => dev], ["prod", () => prod]] as const) {
      it(`passes the ${stackName} stack, as deployed and in a preview of it as a new stack`, async () => {
        expect(await allViolations(stackName, stack())).to.deep.equal([]);
        const preview = inFreshPreview(stack());
        // What the preview leaves unknown is what a careless policy would trip on.
        expect(preview.find((r) => r.name === "site-files-public-access")!.inputs.bucket).to.equal(pulumi.runtime.unknownValue);
        expect(await allViolations(stackName, preview)).to.deep.equal([]);
      });
    }
  });

  describe("dynamodb-point-in-time-recovery", () => {
    it("fails a chats table with recovery turned off or left out", async () => {
      const expected = [{
        policy: "dynamodb-point-in-time-recovery",
        message: 'aws:dynamodb/table:Table "chat-chats" has point-in-time recovery off: set pointInTimeRecovery: { enabled: true } (ChatApi does).',
        urn: urnOf(dev, types.table, "chat-chats"),
      }];
      expect(await violations("dynamodb-point-in-time-recovery", changed(dev, types.table, "chat-chats", (table) => ({ ...table, pointInTimeRecovery: { enabled: false } })))).to.deep.equal(expected);
      expect(await violations("dynamodb-point-in-time-recovery", changed(dev, types.table, "chat-chats", ({ pointInTimeRecovery: _, ...table }) => table))).to.deep.equal(expected);
    });
  });

  describe("dynamodb-kms-encryption", () => {
    it("fails a chats table without its KMS encryption", async () => {
      expect(await violations("dynamodb-kms-encryption", changed(dev, types.table, "chat-chats", ({ serverSideEncryption: _, ...table }) => table))).to.deep.equal([{
        policy: "dynamodb-kms-encryption",
        message: 'aws:dynamodb/table:Table "chat-chats" is not encrypted with a KMS key: set serverSideEncryption: { enabled: true } (ChatApi does).',
        urn: urnOf(dev, types.table, "chat-chats"),
      }]);
    });
  });

  describe("apigateway-stage-throttling", () => {
    it("fails a stage without throttling, or with a limit of 0", async () => {
      const urn = urnOf(dev, types.stage, "chat-stage");
      expect(await violations("apigateway-stage-throttling", changed(dev, types.stage, "chat-stage", ({ defaultRouteSettings: _, ...stage }) => stage))).to.deep.equal([{
        policy: "apigateway-stage-throttling",
        message: 'aws:apigatewayv2/stage:Stage "chat-stage" leaves defaultRouteSettings.throttlingRateLimit and throttlingBurstLimit unset or 0 (API Gateway\'s account-wide limit then applies): set both above 0 (connect-chat config throttle: { rateLimit, burstLimit }).',
        urn,
      }]);
      const noBurst = changed(dev, types.stage, "chat-stage", (stage) => ({ ...stage, defaultRouteSettings: { throttlingRateLimit: 5, throttlingBurstLimit: 0 } }));
      expect((await violations("apigateway-stage-throttling", noBurst)).map((v) => v.message)).to.deep.equal([
        'aws:apigatewayv2/stage:Stage "chat-stage" leaves defaultRouteSettings.throttlingBurstLimit unset or 0 (API Gateway\'s account-wide limit then applies): set both above 0 (connect-chat config throttle: { rateLimit, burstLimit }).',
      ]);
    });
  });

  describe("cors-exact-origins", () => {
    it("fails a wildcard or a plain-http origin in the API's CORS, and a wildcard in config.json's", async () => {
      const loosened = changed(
        changed(dev, types.api, "chat-api", (api) => ({ ...api, corsConfiguration: { ...api.corsConfiguration, allowOrigins: ["https://shop.example.com", "*", "http://shop.example.com"] } })),
        types.responseHeadersPolicy, "site-embed-headers", (policy) => ({ ...policy, corsConfig: { ...policy.corsConfig, accessControlAllowOrigins: { items: ["https://*.example.com"] } } }),
      );
      const listThem = "List the exact origins of the pages allowed to call it (connect-chat config allowedOrigins).";
      expect(await violations("cors-exact-origins", loosened)).to.deep.equal([
        { policy: "cors-exact-origins", urn: urnOf(dev, types.api, "chat-api"), message: `aws:apigatewayv2/api:Api "chat-api": corsConfiguration.allowOrigins "*" is not an origin like https://www.example.com (no path, no wildcard). ${listThem}` },
        {
          policy: "cors-exact-origins",
          urn: urnOf(dev, types.api, "chat-api"),
          message: `aws:apigatewayv2/api:Api "chat-api": corsConfiguration.allowOrigins "http://shop.example.com" must be https:// (plain http only on loopback: http://localhost, http://127.0.0.1, http://[::1], any port). ${listThem}`,
        },
        {
          policy: "cors-exact-origins",
          urn: urnOf(dev, types.responseHeadersPolicy, "site-embed-headers"),
          message: `aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy "site-embed-headers": corsConfig.accessControlAllowOrigins.items "https://*.example.com" is not an origin like https://www.example.com (no path, no wildcard). ${listThem}`,
        },
      ]);
    });

    it("fails a consumer's own API that allows any origin", async () => {
      const theirs = await runOwnResources(() => new aws.apigatewayv2.Api("their-api", { protocolType: "HTTP", corsConfiguration: { allowOrigins: ["*"], allowCredentials: false } }));
      expect((await violations("cors-exact-origins", theirs)).map((v) => v.message)).to.deep.equal([
        'aws:apigatewayv2/api:Api "their-api": corsConfiguration.allowOrigins "*" is not an origin like https://www.example.com (no path, no wildcard). List the exact origins of the pages allowed to call it (connect-chat config allowedOrigins).',
      ]);
    });
  });

  describe("s3-bucket-private", () => {
    const check = (resources: RegisteredResource[]) => violations("s3-bucket-private", resources);

    it("fails a public access block with a flag turned off, on the block", async () => {
      const loosened = changed(dev, types.publicAccessBlock, "site-files-public-access", (block) => ({ ...block, restrictPublicBuckets: false, ignorePublicAcls: false }));
      expect(await check(loosened)).to.deep.equal([{
        policy: "s3-bucket-private",
        message: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock "site-files-public-access" does not set ignorePublicAcls, restrictPublicBuckets to true for bucket "site-files": set all four flags to true.',
        urn: urnOf(dev, types.publicAccessBlock, "site-files-public-access"),
      }]);
    });

    it("fails buckets left without a public access block or ownership controls, on each bucket, in a preview too", async () => {
      const bare = without(without(dev, types.publicAccessBlock), types.ownershipControls);
      const expected = ["site-files", "transcripts-transcripts"].flatMap((bucket) => [
        `aws:s3/bucket:Bucket "${bucket}" has no public access block: add an aws.s3.BucketPublicAccessBlock for it with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true (PrivateBucket does).`,
        `aws:s3/bucket:Bucket "${bucket}" has no ownership controls, so ACLs can grant access: add an aws.s3.BucketOwnershipControls for it with rule: { objectOwnership: "BucketOwnerEnforced" } (PrivateBucket does).`,
      ]);
      expect((await check(bare)).map((v) => [v.message, v.urn])).to.have.deep.members(expected.map((message) => [message, urnOf(dev, types.bucket, /"(.*?)"/.exec(message)![1])]));
      // One bucket's block, its bucket's id unknown in a preview, is not taken for the other's.
      const oneBlockMissing = inFreshPreview(dev.filter((r) => r.name !== "site-files-public-access"));
      expect((await check(oneBlockMissing)).map((v) => v.message)).to.deep.equal([expected[0]]);
    });

    it("fails ownership controls that let ACLs back in", async () => {
      const loosened = changed(dev, types.ownershipControls, "transcripts-transcripts-ownership", (controls) => ({ ...controls, rule: { objectOwnership: "ObjectWriter" } }));
      expect(await check(loosened)).to.deep.equal([{
        policy: "s3-bucket-private",
        message: 'aws:s3/bucketOwnershipControls:BucketOwnershipControls "transcripts-transcripts-ownership" does not set rule.objectOwnership to "BucketOwnerEnforced" for bucket "transcripts-transcripts": set it, which turns ACLs off.',
        urn: urnOf(dev, types.ownershipControls, "transcripts-transcripts-ownership"),
      }]);
    });

    it("finds the block and controls of a consumer's bucket named in writing, and fails their bucket that has none", async () => {
      const theirs = await runOwnResources(() => {
        new aws.s3.Bucket("their-site", { bucket: "their-site-bucket" });
        new aws.s3.BucketPublicAccessBlock("their-site", { bucket: "their-site-bucket", ...allPublicAccessBlocked });
        new aws.s3.BucketOwnershipControls("their-site", { bucket: "their-site-bucket", rule: { objectOwnership: "BucketOwnerEnforced" } });
        new aws.s3.Bucket("their-public-site", { bucket: "their-public-site-bucket" });
      });
      expect((await check(theirs)).map((v) => [v.urn, v.message.split(":")[2]])).to.deep.equal([
        [urnOf(theirs, types.bucket, "their-public-site"), 'Bucket "their-public-site" has no public access block'],
        [urnOf(theirs, types.bucket, "their-public-site"), 'Bucket "their-public-site" has no ownership controls, so ACLs can grant access'],
      ]);
    });
  });

  describe("s3-no-public-acls", () => {
    it("passes private ACLs, and fails a public canned ACL or an ACL grant to everyone, on a bucket, its ACL or an object", async () => {
      const theirs = await runOwnResources(() => {
        new aws.s3.Bucket("their-granted", { grants: [{ type: "Group", uri: allUsers, permissions: ["READ"] }] });
        new aws.s3.BucketAcl("their-canned", { bucket: "their-site-bucket", acl: "public-read" });
        new aws.s3.BucketAcl("their-private", { bucket: "their-site-bucket", acl: "private" });
        new aws.s3.BucketAcl("their-grants", { bucket: "their-site-bucket", accessControlPolicy: { owner: { id: "owner-id" }, grants: [{ grantee: { type: "Group", uri: allUsers }, permission: "READ" }] } });
      });
      const ourPageMadePublic = changed(dev, types.object, "site-index.html", (object) => ({ ...object, acl: "public-read" }));
      expect((await violations("s3-no-public-acls", [...theirs, ...ourPageMadePublic])).map((v) => v.message)).to.have.deep.members([
        `aws:s3/bucket:Bucket "their-granted" grants ${allUsers}: remove that grant.`,
        'aws:s3/bucketAcl:BucketAcl "their-canned" sets acl "public-read": remove it (connect-chat\'s buckets need no ACL: CloudFront reads the site\'s files through Origin Access Control).',
        `aws:s3/bucketAcl:BucketAcl "their-grants" grants ${allUsers}: remove that grant.`,
        'aws:s3/bucketObjectv2:BucketObjectv2 "site-index.html" sets acl "public-read": remove it (connect-chat\'s buckets need no ACL: CloudFront reads the site\'s files through Origin Access Control).',
      ]);
    });
  });

  describe("cloudfront-waf-in-production", () => {
    const noWaf = 'aws:cloudfront/distribution:Distribution "site-cdn" has no AWS WAF web ACL, and stack';
    const wafViolations = async (stack: string, config?: object) => (await violations("cloudfront-waf-in-production", dev, { stack, config })).map((v) => [v.urn, v.message]);

    it("fails the site without WAF on a production stack, by the default names or the configured ones", async () => {
      const urn = urnOf(dev, types.distribution, "site-cdn");
      const fix = "turn on the site's WAF (connect-chat config siteWaf: true; ChatSite's waf) or set webAclId to your own web ACL's ARN.";
      expect(await wafViolations("prod")).to.deep.equal([[urn, `${noWaf} "prod" is a production stack (productionStacks: prod, production): ${fix}`]]);
      expect(await wafViolations("production")).to.have.length(1);
      expect(await wafViolations("prod-eu", { productionStacks: ["prod-*"] })).to.deep.equal([[urn, `${noWaf} "prod-eu" is a production stack (productionStacks: prod-*): ${fix}`]]);
    });

    it("passes the site without WAF on other stacks", async () => {
      expect(await wafViolations("dev")).to.deep.equal([]);
      expect(await wafViolations("preprod")).to.deep.equal([]);
      expect(await wafViolations("prod", { productionStacks: ["live"] })).to.deep.equal([]);
    });

    it("takes the stack's name from Pulumi (under our mocks, \"test\")", async () => {
      const pack = named(policies, "cloudfront-waf-in-production");
      expect((await violationsOf(pack, dev, { productionStacks: ["test"] })).map((v) => v.message)).to.deep.equal([
        `${noWaf} "test" is a production stack (productionStacks: test): turn on the site's WAF (connect-chat config siteWaf: true; ChatSite's waf) or set webAclId to your own web ACL's ARN.`,
      ]);
      expect(await violationsOf(pack, dev)).to.deep.equal([]);
    });
  });

  describe("cloudwatch-log-retention", () => {
    it("fails a log group that keeps its logs forever", async () => {
      expect(await violations("cloudwatch-log-retention", changed(dev, types.logGroup, "chat-api-access-logs", ({ retentionInDays: _, ...logGroup }) => logGroup))).to.deep.equal([{
        policy: "cloudwatch-log-retention",
        message: 'aws:cloudwatch/logGroup:LogGroup "chat-api-access-logs" keeps its logs forever: set retentionInDays (connect-chat config logRetentionDays).',
        urn: urnOf(dev, types.logGroup, "chat-api-access-logs"),
      }]);
    });
  });

  describe("the pack", () => {
    it("is a Node.js policy pack (PulumiPolicy.yaml) whose package.json gives the version and nothing to install", () => {
      const manifest = parseYaml(readFileSync(join(policyDir, "PulumiPolicy.yaml"), "utf8"));
      expect(manifest.runtime).to.equal("nodejs");
      expect(manifest.description).to.be.a("string").and.not.equal("");
      const packageJson = JSON.parse(readFileSync(join(policyDir, "package.json"), "utf8"));
      expect(packageJson).to.include({ private: true, main: "index.ts" });
      expect(packageJson.version).to.match(/^\d+\.\d+\.\d+$/);
      expect(packageJson).to.not.have.any.keys("dependencies", "devDependencies", "type");
    });

    it("serves every policy of policies.ts, each mandatory, under names that are unique", () => {
      // PolicyPack's constructor reads the version from the working directory's package.json and
      // hands everything to the server's `serve` (@pulumi/policy policy.js): caught here, nothing starts.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const server = require("@pulumi/policy/server") as { serve: (...args: unknown[]) => void };
      const { serve } = server;
      const served: unknown[][] = [];
      server.serve = (...args) => served.push(args);
      const cwd = process.cwd();
      const index = require.resolve("../policy");
      try {
        process.chdir(policyDir);
        delete require.cache[index];
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the pack serves on load
        require(index);
      } finally {
        process.chdir(cwd);
        server.serve = serve;
      }
      expect(served).to.have.length(1);
      const [name, version, , args] = served[0] as [string, string, string, { policies: Policies }];
      expect([name, version]).to.deep.equal(["connect-chat", JSON.parse(readFileSync(join(policyDir, "package.json"), "utf8")).version]);
      expect(args.policies).to.equal(policies);
      expect(policies.map((policy) => policy.name)).to.deep.equal([
        "dynamodb-point-in-time-recovery", "dynamodb-kms-encryption", "apigateway-stage-throttling", "cors-exact-origins",
        "s3-bucket-private", "s3-no-public-acls", "cloudfront-waf-in-production", "cloudwatch-log-retention",
      ]);
      expect(policies.map((policy) => policy.enforcementLevel)).to.deep.equal(policies.map(() => "mandatory"));
    });

    it("starts as the Pulumi CLI starts it, and checks a resource the engine sends with the stack's name", async () => {
      const answer = await askRunningPack({ PULUMI_NODEJS_STACK: "prod" }, async (analyzer) => {
        const info = await analyzer.getAnalyzerInfo();
        const distribution = await analyzer.analyze(types.distribution, "site-cdn", { enabled: true });
        return { info, distribution };
      });
      expect(answer.info).to.deep.equal({ name: "connect-chat", policies: policies.map((policy) => policy.name) });
      // The server puts the policy's description before the violation's message (server.js makeReportViolationFun).
      const waf = named(policies, "cloudfront-waf-in-production");
      const [expected] = await violations(waf.name, dev, { stack: "prod" });
      expect(answer.distribution).to.deep.equal([{ policy: waf.name, message: `${waf.description}\n${expected.message}` }]);
    });
  });
});

interface RunningPack {
  getAnalyzerInfo(): Promise<{ name: string; policies: string[] }>;
  analyze(type: string, name: string, props: Record<string, unknown>): Promise<{ policy: string; message: string }[]>;
}

/**
 * Starts the pack as the Node language host does for `pulumi preview --policy-pack policy`
 * (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go `RunPlugin`: run-policy-pack with
 * the engine's address and the pack's folder, from that folder, PULUMI_NODEJS_STACK set), reads the
 * port it prints, and talks to it as the engine does (proto/analyzer.proto) until `use` is done.
 */
async function askRunningPack<T>(env: Record<string, string>, use: (pack: RunningPack) => Promise<T>): Promise<T> {
  // The gRPC and protobuf modules @pulumi/pulumi's generated clients are built on, not copies.
  const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
  /* eslint-disable @typescript-eslint/no-require-imports */
  const grpc = fromPulumi("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
  const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof import("google-protobuf/google/protobuf/struct_pb");
  const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof import("google-protobuf/google/protobuf/empty_pb");
  const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb") as typeof import("@pulumi/pulumi/proto/analyzer_pb");
  const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as typeof import("@pulumi/pulumi/proto/analyzer_grpc_pb");
  /* eslint-enable @typescript-eslint/no-require-imports */

  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  const pack = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", policyDir], { cwd: policyDir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      pack.stdout.on("data", (chunk) => {
        stdout += chunk;
        if (stdout.includes("\n")) resolve(stdout.trim());
      });
      pack.stderr.on("data", (chunk) => (stderr += chunk));
      pack.on("exit", (code) => reject(new Error(`the pack exited (${code}) before serving: ${stderr}`)));
    });
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      return await use({
        getAnalyzerInfo: () => new Promise((resolve, reject) => client.getAnalyzerInfo(new Empty(), (error, info) => (error ? reject(error) : resolve({
          name: info.getName(),
          policies: info.getPoliciesList().map((policy) => policy.getName()),
        })))),
        analyze: (type, name, props) => new Promise((resolve, reject) => {
          const request = new analyzerProto.AnalyzeRequest();
          request.setType(type);
          request.setName(name);
          request.setUrn(`urn:pulumi:prod::connect-chat::${type}::${name}`);
          request.setProperties(Struct.fromJavaScript(props as never));
          request.setOptions(new analyzerProto.AnalyzerResourceOptions());
          client.analyze(request, (error, response) => (error ? reject(error) : resolve(response.getDiagnosticsList().map((diagnostic) => ({
            policy: diagnostic.getPolicyname(),
            message: diagnostic.getMessage(),
          })))));
        }),
      });
    } finally {
      client.close();
    }
  } finally {
    pack.kill();
  }
}
