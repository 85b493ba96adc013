/**
 * examples/python and examples/yaml, the programs that use connect-chat from other languages
 * through `pulumi package add`, held to schema.json (the schema their SDKs are generated from),
 * because CI has neither Python nor the Pulumi CLI. support/schema-check.ts reads each program as
 * far as its constrained style goes and refuses the rest; every check it makes is also shown
 * failing, with its message, on a broken copy of the example.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { schemaFile } from "../scripts/provider-schema";
import { engineConfig, loadProject, shippedStacks } from "./support/pulumi-cli";
import {
  addedPackage, awsDeclarationsVersion, checkPythonProgram, checkYamlProgram, loadSchema, NotUnderstood, pyEnumMemberName, pyName, sourceNamespace,
} from "./support/schema-check";

const root = join(__dirname, "..");
const schema = loadSchema(schemaFile);
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");

/** An example folder as `pulumi package add` leaves it: the package entry Pulumi.yaml records. */
function example(name: string) {
  const dir = join(root, "examples", name);
  const project = loadProject(join(dir, "Pulumi.yaml"));
  const entry = (parseYaml(read(dir, "Pulumi.yaml")) as { packages?: Record<string, string> }).packages?.[schema.name];
  return { dir, project, entry: entry!, added: addedPackage(schema.name, entry!) };
}

/** A broken copy of an example's text: `from` must be in it, so a case cannot go stale silently. */
function broken(text: string, from: string, to: string): string {
  expect(text, "the text a case changes").to.include(from);
  return text.replace(from, to);
}

/** What every example shares: how it is added, pinned and configured. */
function itIsAddedAndConfiguredAsDocumented(name: string) {
  const { dir, project, entry, added } = example(name);

  it("records the package as `pulumi package add` does for the command its README gives, pinned to a release tag", () => {
    const commands = [...read(dir, "README.md").matchAll(/^pulumi package add (\S+)$/gm)].map((match) => match[1]);
    expect(commands).to.deep.equal([entry]);
    expect(added.version, "the tag").to.match(/^v\d+\.\d+\.\d+$/);
  });

  it("documents a stack the Pulumi CLI accepts", () => {
    const stacks = shippedStacks(project, dir);
    expect(stacks).to.have.length(1);
    expect(Object.keys(engineConfig(project, "dev", stacks[0].stack))).to.include(`${project.name}:instanceId`);
  });
}

describe("Pulumi's naming rules, as support/schema-check.ts ports them", () => {
  it("turns schema names into Python names as pulumi/pulumi's own tests expect (pkg/codegen/python/python_test.go)", () => {
    const cases: [string, string, string][] = [
      ["kubeletConfigKey", "kubelet_config_key", "kubelet_config_key"], ["podCIDR", "pod_cidr", "pod_cidr"], ["podCidr", "pod_cidr", "pod_cidr"],
      ["podCIDRs", "pod_cidrs", "pod_cid_rs"], ["podIPs", "pod_ips", "pod_i_ps"], ["nonResourceURLs", "non_resource_urls", "non_resource_ur_ls"],
      ["someTHINGsAREWeird", "some_things_are_weird", "some_thin_gs_are_weird"], ["podCIDRSet", "pod_cidr_set", "pod_cidr_set"],
      ["Sha256Hash", "sha256_hash", "sha256_hash"], ["SHA256Hash", "sha256_hash", "sha256_hash"], ["proj:config", "proj_config", "proj_config"],
      ["openXJsonSerDe", "open_x_json_ser_de", "open_x_json_ser_de"], ["GetPublicIPs", "get_public_i_ps", "get_public_i_ps"],
    ];
    for (const [input, expected, legacy] of cases) {
      expect(pyName(input), input).to.equal(expected);
      expect(pyName(input, true), `${input}, legacy`).to.equal(legacy);
    }
  });

  it("names enum members as pulumi/pulumi's own tests expect (pkg/codegen/python/utilities_test.go), and ours from their schema names", () => {
    const cases: [string, string][] = [
      ["red", "RED"], ["snake_cased_name", "SNAKE_CASED_NAME"], ["*", "ASTERISK"], ["0", "ZERO"], ["8.3", "TYPE_NAME_8_3"], ["11", "TYPE_NAME_11"],
      ["Microsoft-Windows-Shell-Startup", "MICROSOFT_WINDOWS_SHELL_STARTUP"], ["Microsoft.Batch", "MICROSOFT_BATCH"], ["readonly", "READONLY"],
      ["SystemAssigned, UserAssigned", "SYSTEM_ASSIGNED_USER_ASSIGNED"], ["Dev(NoSLA)_Standard_D11_v2", "DEV_NO_SL_A_STANDARD_D11_V2"],
      ["Standard_E8as_v4+1TB_PS", "STANDARD_E8AS_V4_1_T_B_PS"], ["Plants'R'Us", "PLANTS_R_US"], ["Pulumi Planters Inc.", "PULUMI_PLANTERS_INC_"], ["ZeroPointOne", "ZERO_POINT_ONE"],
    ];
    for (const [input, expected] of cases) expect(pyEnumMemberName(input, "TypeName"), input).to.equal(expected);
    expect(() => pyEnumMemberName("+", "TypeName")).to.throw("not a valid identifier");
    const members = schema.types["connect-chat:index:RehydrationMode"].enum!.map((member) => pyEnumMemberName(member.name!, "RehydrationMode"));
    expect(members).to.deep.equal(["FROM_SEGMENT", "ENTIRE_PAST_SESSION", "NONE"]);
  });

  it("names the SDK after a git URL's owner and the package, as `pulumi package add` does, and after `pulumi` for a local path", () => {
    // pkg/cmd/pulumi/packages: TestSetSpecNamespace's URLs, as the sources that become them.
    expect(sourceNamespace("github.com/pulumi/pulumi-terraform")).to.equal("pulumi");
    expect(sourceNamespace("example.com/pulumi")).to.equal(undefined);
    expect(sourceNamespace("example.com/pulumi/a/long/path")).to.equal("pulumi");
    // The docs' walkthrough prints this import for that repository (source-based-plugin.md, "Sharing via Git").
    expect(addedPackage("static-page-component", "https://github.com/pulumi/staticpagecomponent@v0.1.0").pythonModule).to.equal("pulumi_static_page_component");
    expect(addedPackage("connect-chat", "github.com/Example-Org/connect-chat@v0.1.0")).to.deep.include({ namespace: "example-org", pythonModule: "example_org_connect_chat", sdkFolder: "sdks/example-org-connect-chat" });
    expect(addedPackage("connect-chat", "../connect-chat")).to.deep.include({ namespace: undefined, pythonModule: "pulumi_connect_chat", sdkFolder: "sdks/connect-chat" });
  });
});

describe("examples/python, against schema.json", () => {
  const { dir, project, added } = example("python");
  const source = read(dir, "__main__.py");
  const check = (text: string) => checkPythonProgram(schema, project, "__main__.py", text, added.pythonModule);

  itIsAddedAndConfiguredAsDocumented("python");

  it("runs in a virtualenv with pip, and imports the SDK and lists its folder as `pulumi package add` does for that source", () => {
    expect(project.runtime).to.deep.equal({ name: "python", options: { toolchain: "pip", virtualenv: "venv" } });
    // pulumi-language-python's Link prints `import <module> as <package name with _>`; pip.go appends the folder.
    expect(source).to.match(new RegExp(`^import ${added.pythonModule} as connect_chat$`, "m"));
    expect(read(dir, "requirements.txt").split("\n")).to.include.members([added.sdkFolder, "pulumi-aws>=7.48.0,<8.0.0"]);
    expect(read(dir, ".gitignore")).to.match(/^sdks\/$/m);
  });

  it("creates ChatApi, TranscriptWatcher and ChatAlarms as the schema describes them, reading only outputs they have", () => {
    const result = check(source);
    expect(result.problems).to.deep.equal([]);
    expect(result.components).to.deep.equal(["connect-chat:index:ChatApi", "connect-chat:index:TranscriptWatcher", "connect-chat:index:ChatAlarms"]);
    expect(result.exports).to.deep.equal(["chatApiUrl", "chatsTableName"]);
    expect(result.configKeys.sort(), "every key it reads is declared, and every declared key read").to.deep.equal(Object.keys(project.config).sort());
  });

  it("holds its pulumi_aws names to the declarations of the @pulumi/aws version schema.json depends on", () => {
    expect(schema.dependencies).to.deep.include({ name: "aws", version: awsDeclarationsVersion() });
  });

  const mistakes: { what: string; from: string; to: string; problem: string }[] = [
    { what: "a misspelled input", from: "allowed_origins=", to: "allowed_origin=", problem: "__main__.py:22: ChatApi has no input allowed_origin; its inputs are agent_cache_seconds, allowed_attributes, allowed_origins," },
    { what: "a string for a number", from: "live_check_seconds=300", to: 'live_check_seconds="300"', problem: "__main__.py:28: ChatApi.live_check_seconds takes a number, got a string" },
    { what: "a missing required input", from: '    contact_flow_id=config.require("contactFlowId"),\n', to: "", problem: "__main__.py:17: ChatApi is missing its required input contact_flow_id" },
    { what: "an output the component does not have", from: "api.url)", to: "api.urls)", problem: "__main__.py:78: ChatApi has no output urls; its outputs are api, api_id," },
    { what: "an enum member that does not exist", from: "ENTIRE_PAST_SESSION", to: "ENTIRE_PAST", problem: "__main__.py:24: connect_chat.RehydrationMode has no member ENTIRE_PAST; its members are ENTIRE_PAST_SESSION, FROM_SEGMENT, NONE" },
    { what: "a dict where an Args class is due", from: "connect_chat.StageThrottleArgs(rate_limit=20, burst_limit=40)", to: '{"rate_limit": 20, "burst_limit": 40}', problem: "__main__.py:25: ChatApi.throttle takes connect_chat.StageThrottleArgs(...), got a map" },
    { what: "another type's Args class", from: "connect_chat.StageThrottleArgs(rate_limit=20, burst_limit=40)", to: 'connect_chat.JwtAuthorizerArgs(issuer="https://issuer.example", audience=["app"])', problem: "__main__.py:25: ChatApi.throttle takes connect_chat.StageThrottleArgs(...), got connect_chat.JwtAuthorizerArgs(...)" },
    { what: "an Args class missing a required property", from: "rate_limit=20, burst_limit=40", to: "rate_limit=20", problem: "__main__.py:25: ChatApi.throttle is missing its required property burst_limit" },
    { what: "an output where the schema wants a value known before deployment", from: 'email=config.require("alarmEmail")', to: "email=api.url", problem: "__main__.py:54: ChatAlarms.email must be known before deployment (plain in the schema), but gets an output (a string)" },
    { what: "a component the SDK does not have", from: "connect_chat.TranscriptWatcher(", to: "connect_chat.TranscriptWatchers(", problem: "__main__.py:34: connect_chat has no TranscriptWatchers that this checker knows" },
    { what: "a pulumi_aws argument that does not exist", from: "extended_statistic=", to: "extended_statistics=", problem: "__main__.py:67: aws:cloudwatch/metricAlarm:MetricAlarm has no argument extended_statistics" },
    { what: "an output of an AWS resource that does not exist", from: "api.start_chat_function.name", to: "api.start_chat_function.nam", problem: "__main__.py:66: aws:lambda/function:Function has no output nam" },
    { what: "another module name than `pulumi package add` generates", from: `import ${added.pythonModule} as`, to: "import pulumi_connect_chat as", problem: "__main__.py:12: imports pulumi_connect_chat, but `pulumi package add` names this package's module example_org_connect_chat" },
    { what: "a config key Pulumi.yaml does not declare", from: 'config.require("transcriptBucket")', to: 'config.require("transcriptBuckt")', problem: '__main__.py:38: config.require("transcriptBuckt") reads a key Pulumi.yaml does not declare' },
    { what: "a config key read as another type", from: 'config.require_object("siteOrigins")', to: 'config.require("siteOrigins")', problem: '__main__.py:22: config.require("siteOrigins"): Pulumi.yaml declares siteOrigins as array, which config.require_object reads' },
  ];
  for (const { what, from, to, problem } of mistakes) {
    it(`reports ${what}`, () => {
      const { problems } = check(broken(source, from, to));
      expect(problems).to.have.length.greaterThan(0);
      expect(problems[0]).to.include(problem);
    });
  }

  const unread: { what: string; text: string; message: string }[] = [
    { what: "an f-string", text: 'x = f"{y}"\n', message: "m.py:1: the string prefix f is not understood" },
    { what: "a block", text: "import pulumi\nif True:\n    pulumi.export(\"a\", 1)\n", message: "m.py:3: indented code (a block) is not understood" },
    { what: "an operator", text: "x = 1 + 2\n", message: 'm.py:1: "+" is not understood' },
    { what: "a lambda", text: "x = lambda: 1\n", message: "m.py:1: `lambda` is not understood" },
    { what: "`from` imports", text: "from pulumi import Config\n", message: "m.py:1: `from` is not understood" },
    { what: "resource options", text: `import ${added.pythonModule} as c\nc.ChatApi("chat", opts={})\n`, message: "m.py:2: resource options (opts) are not understood" },
    { what: "None", text: "x = None\n", message: "m.py:1: None is not understood" },
  ];
  for (const { what, text, message } of unread) {
    it(`refuses to read ${what} rather than skip it`, () => {
      expect(() => checkPythonProgram(schema, project, "m.py", text, added.pythonModule)).to.throw(NotUnderstood, message);
    });
  }
});

describe("examples/yaml, against schema.json", () => {
  const { dir, project } = example("yaml");
  const text = read(dir, "Pulumi.yaml");
  const check = (program: string) => checkYamlProgram(schema, "Pulumi.yaml", program);

  itIsAddedAndConfiguredAsDocumented("yaml");

  it("is a Pulumi YAML program", () => {
    expect(project.runtime).to.equal("yaml");
    expect(read(dir, ".gitignore")).to.match(/^sdks\/$/m);
  });

  it("creates ContactFlows, ChatApi and ChatSite as the schema describes them, referring only to outputs they have", () => {
    const result = check(text);
    expect(result.problems).to.deep.equal([]);
    expect(result.components).to.deep.equal(["connect-chat:index:ContactFlows", "connect-chat:index:ChatApi", "connect-chat:index:ChatSite"]);
    expect(result.exports).to.deep.equal(["siteUrl", "scriptUrl", "chatApiUrl", "chatFlowId"]);
    expect(result.configKeys.sort(), "every key it reads is declared, and every declared key read").to.deep.equal(Object.keys(project.config).sort());
  });

  const mistakes: { what: string; from: string; to: string; problem: string }[] = [
    { what: "a misspelled property", from: "newChatsPerClientPerMinute: 3", to: "newChatPerClientPerMinute: 3", problem: "resources.chat.properties.newChatPerClientPerMinute: ChatApi has no input newChatPerClientPerMinute; its inputs are" },
    { what: "a string for a number", from: "newChatsPerClientPerMinute: 3", to: "newChatsPerClientPerMinute: three", problem: "resources.chat.properties.newChatsPerClientPerMinute: ChatApi.newChatsPerClientPerMinute takes a number, got a string" },
    { what: "a missing required property", from: "      contactFlowId: ${flows.chatFlowId}\n", to: "", problem: "resources.chat: ChatApi is missing its required input contactFlowId" },
    { what: "an output the component does not have", from: "${site.url}", to: "${site.urls}", problem: "outputs.siteUrl: ChatSite has no output urls; its outputs are bucket, bucketName," },
    { what: "an enum's member name for its value", from: "rehydration: FROM_SEGMENT", to: "rehydration: FromSegment", problem: 'resources.chat.properties.rehydration: ChatApi.rehydration takes one of "FROM_SEGMENT", "ENTIRE_PAST_SESSION", "NONE", got a string' },
    { what: "a misspelled property of a map", from: "rateLimit: 20", to: "rateLimt: 20", problem: "resources.chat.properties.throttle.rateLimt: ChatApi.throttle has no property rateLimt; its properties are burstLimit, rateLimit" },
    { what: "a type the package does not have", from: "type: connect-chat:ChatSite", to: "type: connect-chat:ChatSites", problem: "resources.site.type: connect-chat has no resource connect-chat:ChatSites; it has ChatAlarms, ChatApi, ChatSite," },
    { what: "an output where the schema wants a value known before deployment", from: "allowedOrigins: ${siteOrigins}", to: "allowedOrigins: ${flows.chatFlowId}", problem: "resources.chat.properties.allowedOrigins: ChatApi.allowedOrigins must be known before deployment (plain in the schema), but gets an output (a string)" },
    { what: "a reference to nothing", from: "apiUrl: ${chat.url}", to: "apiUrl: ${chats.url}", problem: "resources.site.properties.apiUrl: ${chats.url} names neither a resource nor a config key of this program" },
    { what: "a missing packages entry", from: "  connect-chat: github.com", to: "  other: github.com", problem: "Pulumi.yaml: packages has no connect-chat entry" },
  ];
  for (const { what, from, to, problem } of mistakes) {
    it(`reports ${what}`, () => {
      const { problems } = check(broken(text, from, to));
      expect(problems).to.have.length.greaterThan(0);
      expect(problems[0]).to.include(problem);
    });
  }

  const unread: { what: string; from: string; to: string; message: string }[] = [
    { what: "a section it does not know", from: "outputs:", to: "variables:\n  region: us-east-1\noutputs:", message: "Pulumi.yaml: the variables section is not understood" },
    { what: "a built-in function", from: "apiUrl: ${chat.url}", to: "apiUrl:\n        fn::join: [\"\", [\"${chat.url}\"]]", message: "resources.site.properties.apiUrl: fn::join is not understood" },
    { what: "resource options", from: "  site:\n    type: connect-chat:ChatSite\n", to: "  site:\n    type: connect-chat:ChatSite\n    options:\n      protect: true\n", message: "resources.site.options is not understood" },
  ];
  for (const { what, from, to, message } of unread) {
    it(`refuses to read ${what} rather than skip it`, () => {
      expect(() => check(broken(text, from, to))).to.throw(NotUnderstood, message);
    });
  }
});
