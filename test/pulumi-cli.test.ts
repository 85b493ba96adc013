/**
 * Our project as the Pulumi CLI sees it before `index.ts` runs: the project file, every stack config
 * we ship or document, and the program run under mocks with exactly the config the CLI hands it.
 * The rules are support/pulumi-cli.ts's, read from pulumi/pulumi's source; its first block here
 * holds it to the cases pulumi/pulumi's own tests pin (pkg/workspace/config_project_test.go).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { configSet, engineConfig, loadProject, loadStackConfig, projectFromText, PulumiCliError, shippedStacks, stackConfigFromText, type StackConfig } from "./support/pulumi-cli";
import { runProgramWithConfig } from "./support/pulumi-mocks";

const root = join(__dirname, "..");
const read = (...path: string[]) => readFileSync(join(root, ...path), "utf8");

/** The CLI's answer for a project and a stack file, as text. */
function cli(projectYaml: string, stackYaml: string): Record<string, string> {
  const project = projectFromText(projectYaml);
  return engineConfig(project, "dev", stackConfigFromText(project, stackYaml));
}

describe("the Pulumi CLI's config rules, as support/pulumi-cli.ts applies them", () => {
  const typed = "name: test\nruntime: nodejs\nconfig:\n";

  it("refuses a stack that lacks a typed key with no default, naming every missing key the CLI's way", () => {
    expect(() => cli(`${typed}  values:\n    type: array\n    items:\n      type: string\n`, "")).to.throw(PulumiCliError, "Stack 'dev' is missing configuration value 'values'");
    expect(() => cli(`${typed}  world:\n    type: string\n  hello:\n    type: integer\n  values:\n    type: array\n    items:\n      type: string\n`, ""))
      .to.throw(PulumiCliError, "Stack 'dev' is missing configuration values 'hello', 'values' and 'world'");
    // The rule is about the default, not the type: an untyped declaration with neither is required too.
    expect(() => cli(`${typed}  limits:\n    description: no type, no default\n`, "")).to.throw(PulumiCliError, "missing configuration value 'limits'");
    // Keys of other namespaces are never required by the project.
    expect(cli(`${typed}  size:\n    type: string\n`, "config:\n  test:size: small\n")).to.deep.equal({ "test:size": "small" });
  });

  it("fills in defaults and values: scalars as their text, lists and maps as JSON with sorted keys", () => {
    const config = cli(`${typed}  size: t3.micro\n  answer:\n    type: integer\n    default: 42\n  names:\n    type: array\n    items:\n      type: string\n    default: [a, b]\n  limits:\n    type: object\n    default: {rate: 1, burst: 2}\n  aws:region: us-west-1\n  off:\n    type: boolean\n    default: false\n  unset:\n    type: string\n    default: ""\n`, "");
    expect(config).to.deep.equal({
      "test:size": "t3.micro", "test:answer": "42", "test:names": "[\"a\",\"b\"]", "test:limits": "{\"burst\":2,\"rate\":1}",
      "aws:region": "us-west-1", "test:off": "false", "test:unset": "",
    });
  });

  it("reads stack files as the CLI does: the project's namespace for bare keys, text for scalars, an empty value as \"\"", () => {
    expect(cli(`${typed}  n:\n    type: integer\n    default: 1\n`, "config:\n  n: 7\n  test:flag: true\n  test:empty:\n  aws:region: eu-west-2\n  test:origins: [https://a.example]\n"))
      .to.deep.equal({ "test:n": "7", "test:flag": "true", "test:empty": "", "aws:region": "eu-west-2", "test:origins": "[\"https://a.example\"]" });
    expect(() => cli(typed, "config:\n  a:b:c: 1\n")).to.throw(PulumiCliError, "could not parse a:b:c as a configuration key");
  });

  it("types stack values the CLI's way: integer text, \"true\"/\"false\", items of lists, maps for objects", () => {
    const project = `${typed}  n:\n    type: integer\n    default: 1\n  b:\n    type: boolean\n    default: true\n  l:\n    type: array\n    items:\n      type: integer\n    default: []\n  o:\n    type: object\n    default: {}\n`;
    expect(cli(project, "config:\n  test:n: \"12\"\n  test:b: \"false\"\n  test:l: [1, 2]\n  test:o: {x: 1}\n")).to.include({ "test:n": "12", "test:b": "false" });
    for (const [stack, type] of [["test:n: hello", "integer"], ["test:n: 1.5", "integer"], ["test:b: yes", "boolean"], ["test:l: 1", "array<integer>"], ["test:l: [a]", "array<integer>"], ["test:o: [1]", "object"]]) {
      expect(() => cli(project, `config:\n  ${stack}\n`), stack).to.throw(PulumiCliError, `with configuration key '${stack.split(":")[1]}' must be of type '${type}'`);
    }
  });

  it("refuses the project files the CLI refuses", () => {
    const refusals: [string, string][] = [
      [`${typed}  n:\n    type: float\n`, "must be equal to one of the allowed values"],
      [`${typed}  l:\n    type: array\n`, "declares an array but does not specify the underlying type via the 'items' attribute"],
      [`${typed}  n:\n    type: integer\n    default: many\n`, "The default value specified for configuration key 'n' is not of the expected type 'integer'"],
      [`${typed}  aws:region:\n    type: string\n    value: us-east-1\n`, "is not namespaced by the project and should not define a type"],
      [`${typed}  aws:region:\n    default: us-east-1\n`, "should not define a default value"],
      [`${typed}  n:\n    default: 1\n    value: 2\n`, "cannot have both a 'default' and 'value' attribute"],
      [`${typed}  n:\n    type: string\n    required: true\n`, "additional properties"],
      ["runtime: nodejs\n", "project is missing a non-empty string 'name' attribute"],
    ];
    for (const [text, message] of refusals) expect(() => projectFromText(text), text).to.throw(PulumiCliError, message);
  });

  it("sets config as `pulumi config set` does: top-level values as text, --path values typed", () => {
    const project = projectFromText(`${typed}  origins:\n    type: array\n    items:\n      type: string\n`);
    const stack: StackConfig = new Map();
    configSet(project, stack, "pulumi config set size 5");
    configSet(project, stack, "pulumi config set --path 'origins[0]' https://a.example");
    configSet(project, stack, "pulumi config set --path limits.rate 5");
    configSet(project, stack, "pulumi config set --path limits.strict true");
    expect(engineConfig(project, "dev", stack)).to.deep.equal({ "test:size": "5", "test:origins": "[\"https://a.example\"]", "test:limits": "{\"rate\":5,\"strict\":true}" });
    expect(() => configSet(project, stack, "pulumi config set apiToken abc")).to.throw(PulumiCliError, "looks like a secret");
  });
});

/** Our program and every example: each a project folder with its own Pulumi.yaml. */
const projectDirs = [root, ...readdirSync(join(root, "examples")).map((name) => join(root, "examples", name))];

/**
 * Where each runtime's program reads its config, and how: TypeScript through `pulumi.Config` (and
 * index.ts's helpers), Python through `pulumi.Config().require…/get…`, YAML by `${key}` in
 * Pulumi.yaml itself (a `${name.output}` is a resource's, not config).
 */
const configReads: Record<string, { file: (project: ReturnType<typeof loadProject>) => string; keys: RegExp }> = {
  nodejs: { file: (project) => project.main ?? "index.ts", keys: /(?:config\.\w+|optionalText|optionalList|requiredWith)(?:<[^>]*>)?\("(\w+)"/g },
  python: { file: () => "__main__.py", keys: /config\.(?:require|get)\w*\("(\w+)"/g },
  yaml: { file: () => "Pulumi.yaml", keys: /\$\{(\w+)\}/g },
};

for (const dir of projectDirs) {
  describe(`${dir === root ? "the stack" : dir.slice(root.length + 1)} as the Pulumi CLI sees it`, () => {
    const project = loadProject(join(dir, "Pulumi.yaml"));
    const stacks = shippedStacks(project, dir);
    const runtime = typeof project.runtime === "string" ? project.runtime : project.runtime.name;

    it("has a project file the CLI loads (Pulumi's project schema, then its own checks), and stacks to check", () => {
      // Our TypeScript programs run with ts-node (the runtime's `typescript` option); the Python and
      // YAML examples use the components through `pulumi package add`.
      if (runtime === "nodejs") expect(project.runtime).to.deep.equal({ name: "nodejs", options: { typescript: true } });
      else expect(dir, runtime).to.equal(join(root, "examples", runtime));
      expect(stacks.length, "shipped or documented stacks").to.be.greaterThan(0);
    });

    for (const { name, stack } of stacks) {
      if (dir === root) {
        it(`accepts ${name}, and index.ts deploys from exactly the config the CLI hands it`, async () => {
          const { resources } = await runProgramWithConfig(join(root, project.main!), project.name, engineConfig(project, "dev", stack));
          expect(resources.map((r) => r.type)).to.include("connect-chat:index:ChatApi");
        });
      } else {
        // An example's program needs its package installed: test/example-api-only.test.ts runs it.
        it(`accepts ${name}`, () => {
          expect(Object.keys(engineConfig(project, "dev", stack))).to.include(`${project.name}:instanceId`);
        });
      }
    }

    it("refuses every one of those stacks again if the project gains a typed key with no default", () => {
      const grown = projectFromText(`${readFileSync(join(dir, "Pulumi.yaml"), "utf8")}  newSetting:\n    type: string\n`);
      for (const { name, stack } of stacks) {
        expect(() => engineConfig(grown, "dev", stack), name).to.throw(PulumiCliError, "Stack 'dev' is missing configuration value 'newSetting'");
      }
    });

    it("refuses a wrongly typed value for each typed key, in every one of those stacks", () => {
      const wrong: Record<string, unknown> = { string: ["a", "list"], integer: "soon", boolean: "yes", array: "just-text", object: 5 };
      for (const [key, declared] of Object.entries(project.config).filter(([, declared]) => declared.type)) {
        for (const { name, stack } of stacks) {
          const broken = stackConfigFromText(project, `config:\n  ${key}: ${JSON.stringify(wrong[declared.type!])}\n`);
          expect(() => engineConfig(project, "dev", new Map([...stack, ...broken])), `${key} in ${name}`).to.throw(PulumiCliError, `with configuration key '${key}' must be of type`);
        }
      }
    });

    if (dir === root) {
      it("documents every key it declares in the README's config table, with its type", () => {
        const rows = [...readFileSync(join(root, "README.md"), "utf8").matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map(([, key, type]): [string, string] => [key, type.trim()]);
        const documented = new Map(rows);
        for (const [key, declared] of Object.entries(project.config)) {
          expect(documented.has(key), `${key} in the README`).to.equal(true);
          const type = declared.type === "array" ? `${declared.items!.type}[]` : declared.type!;
          expect(documented.get(key), `${key}'s type`).to.include(type);
        }
      });
    }

    it("declares every key the program reads, and reads every key it declares", () => {
      const reads = configReads[runtime];
      const source = readFileSync(join(dir, reads.file(project)), "utf8");
      const keysRead = new Set([...source.matchAll(reads.keys)].map((m) => m[1]));
      expect([...keysRead].sort()).to.deep.equal(Object.keys(project.config).filter((key) => !key.includes(":")).sort());
    });
  });
}

describe("what the Pulumi engine does with the program, checked against its source", () => {
  it("runs index.ts, because Pulumi.yaml names it: without `main`, package.json's `exports` (the library) would win", () => {
    // pkg/engine/project.go getPwdMain: a `main` that is a file is the entry point itself. With no
    // `main`, sdk/nodejs/cmd/run/run.ts reads the nearest package.json and prefers `exports` (its
    // "." default) over `main`: here that is lib/infra/index.js, which registers no resources.
    const project = loadProject(join(root, "Pulumi.yaml"));
    expect(project.main).to.equal("index.ts");
    expect(existsSync(join(root, project.main!))).to.equal(true);
    expect(JSON.parse(read("package.json")).exports["."].default).to.equal("./lib/infra/index.js");
  });

  it("compiles index.ts with our tsconfig.json and our TypeScript 5.x, which `npm run typecheck` covers", () => {
    // sdk/nodejs/cmd/run/run.ts registers ts-node when the runtime's `typescript` option is on (the
    // default), with ./tsconfig.json (the `tsconfig` option's default) and type checking on (no
    // `noCheck`); sdk/nodejs/tsutils.ts prefers the project's own typescript and ts-node.
    const tsconfig = JSON.parse(read("tsconfig.json"));
    expect(tsconfig.compilerOptions.noCheck).to.equal(undefined);
    expect(tsconfig.include).to.include("index.ts");
    expect(JSON.parse(read("package.json")).devDependencies.typescript).to.match(/^~5\./);
  });

  it("exports as stack outputs exactly what the README lists; an output whose piece is not deployed is left out", async () => {
    // sdk/nodejs/runtime/stack.ts massage: each export is an output; an undefined one is dropped
    // with "Undefined value (name) will not show as a stack output".
    const listed = /^Stack outputs: ([\s\S]+?)\.\n\n/m.exec(read("README.md"))![1];
    const readmeOutputs = [...listed.matchAll(/`(\w+)`/g)].map((m) => m[1]);
    const project = loadProject(join(root, "Pulumi.yaml"));
    const { outputs } = await runProgramWithConfig(join(root, "index.ts"), project.name, engineConfig(project, "dev", loadStackConfig(project, join(root, "Pulumi.dev.yaml"))));
    expect(readmeOutputs.sort()).to.deep.equal(Object.keys(outputs).sort());
    expect(Object.keys(outputs).filter((key) => outputs[key] === undefined)).to.deep.equal(["alarmsTopicArn"]);
  });
});
