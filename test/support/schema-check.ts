/**
 * Checks the Python and YAML examples against schema.json, the schema `pulumi package add` generates
 * their SDKs from, because no Pulumi CLI, Python or pulumi-yaml runs here. Each program is read as
 * far as its constrained style goes; anything past that throws NotUnderstood instead of passing.
 *
 * Naming, read from pulumi/pulumi at 1b5949891b3cefcb9974752b24a5ecef0acc86c8 (Apache-2.0):
 * - pkg/codegen/python/python.go `PyName` (schema camelCase to Python snake_case; three shipped
 *   names keep the legacy result) and `EnsureKeywordSafe`; gen.go `InitParamName` (a resource's
 *   keyword arguments), `unqualifiedObjectTypeName` (an input type is `<Type>Args`), `tokenToName`,
 *   `PyPack` (the module: `<namespace, else pulumi>_<name>`), `genEnum` with utilities.go
 *   `makeSafeEnumName` (a member is named from its schema `name`, else its value), and `genInit`
 *   (the root module re-exports its types and enums, so `connect_chat.StageThrottleArgs`).
 * - pkg/cmd/pulumi/packages/packages.go `setSpecNamespace`: a package added from a git URL takes
 *   the URL's owner as its namespace; `InstallPackage` writes the SDK to sdks/<namespace>-<name>.
 * - sdk/python/cmd/pulumi-language-python/main.go `Link` prints `import <module> as <name>`;
 *   sdk/python/toolchain/pip.go `LinkPackages` appends the SDK's folder to requirements.txt.
 * pulumi/pulumi-yaml at 36f271cf0a6199cd0cb1d363a0b0faa707936983 (Apache-2.0): pkg/pulumiyaml/packages.go
 * `resolveToken` (`pkg:Type` means `pkg:index:Type`); analyser.go `isAssignable` (an object is checked
 * property by property, unknown and missing required ones refused; an enum by its values).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as ts from "typescript";
import { parse as parseYaml } from "yaml";
import { projectFromText, type Project, type ProjectConfigType } from "./pulumi-cli";

/** A program uses syntax this checker does not read: it refuses rather than skip it. */
export class NotUnderstood extends Error {}

// ---------------------------------------------------------------------------------------------
// Pulumi's naming rules
// ---------------------------------------------------------------------------------------------

/** python.go `Keywords`: Python 2's and 3's. */
const pythonKeywords = new Set(["False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
  "except", "exec", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "print", "raise", "return", "try", "while", "with", "yield"]);
/** python.go `useLegacyName`: names that shipped with the older rule's result. */
const legacyPyNames = new Set(["openXJsonSerDe", "GetPublicIPs", "GetUptimeCheckIPs"]);
/** codegen/utilities.go `commonEnumNameReplacements`. */
const shortEnumNames: Record<string, string> = { "*": "Asterisk", 0: "Zero", 1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine" };

const isUpper = (c: string) => /\p{Lu}/u.test(c);
const isDigit = (c: string) => /\p{Nd}/u.test(c);
const isIdentifierStart = (c: string) => /[_\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nl}]/u.test(c);
const isIdentifierPart = (c: string) => isIdentifierStart(c) || /[\p{Mn}\p{Mc}\p{Nd}\p{Pc}]/u.test(c);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const ensureKeywordSafe = (name: string): string => pythonKeywords.has(name) ? `${name}_` : name;

/** python.go `pyName`: a four-state machine over the name's characters; acronyms stay one word. */
export function pyName(name: string, legacy = legacyPyNames.has(name)): string {
  const words: string[] = [];
  let word = "";
  let state: "first" | "upper" | "acronym" | "lowerOrNumber" = "first";
  for (const raw of name) {
    const c = isIdentifierPart(raw) ? raw : "_";
    if (state === "first") {
      if (!isIdentifierStart(c)) word += "_";
      state = isUpper(c) ? "upper" : "lowerOrNumber";
      word += isUpper(c) ? c.toLowerCase() : c;
    } else if (isUpper(c)) {
      if (state === "lowerOrNumber") {
        words.push(word);
        word = "";
        state = "upper";
      } else {
        state = "acronym";
      }
      word += c.toLowerCase();
    } else if (state === "acronym" && !isDigit(c) && !(c === "s" && !legacy)) {
      // An acronym's last capital starts the next word: "IPAddress" is ip_address.
      const last = [...word].pop()!;
      words.push(word.slice(0, -last.length));
      word = last + c;
      state = "lowerOrNumber";
    } else {
      word += c;
      state = "lowerOrNumber";
    }
  }
  if (word) words.push(word);
  return ensureKeywordSafe(words.join("_"));
}

/** gen.go `InitParamName`: a resource's keyword argument, clear of its own `resource_name` and `opts`. */
function initParamName(name: string): string {
  const result = pyName(name);
  return result === "resource_name" || result === "opts" ? `${result}_` : result;
}

/** utilities.go `makeSafeEnumName`: what Python calls an enum member, from its name (or value). */
export function pyEnumMemberName(name: string, typeName: string): string {
  const expanded = shortEnumNames[name] ?? name;
  if ([...expanded].length === 1 && !isIdentifierStart(expanded)) throw new Error(`enum name ${expanded} is not a valid identifier`);
  let safe = [...pyName(expanded).toUpperCase()].map((c, i) => !isIdentifierPart(c) ? "_" : i === 0 && !isIdentifierStart(c) ? `_${c}` : c).join("");
  if (safe.startsWith("_")) safe = pyName(typeName).toUpperCase() + safe;
  return safe.replace(/_+/g, "_");
}

/** gen.go `tokenToName`: `pkg:module:Member` → `Member`. */
const tokenToName = (token: string): string => upperFirst(token.split(":")[2]);
/** gen.go `unqualifiedObjectTypeName`: the class an input type's values are built with. */
const pyInputTypeName = (token: string): string => `${tokenToName(token)}Args`;
/** gen.go `PyPack`: the generated package's module. */
const pyPack = (namespace: string | undefined, name: string): string => `${(namespace || "pulumi").replace(/-/g, "_")}_${name.replace(/-/g, "_")}`;

/** sdk/go/common/workspace/plugins.go `IsExternalURL`: a source `pulumi package add` clones. */
const isGitSource = (source: string) => /^(https?|git):\/\//.test(source) || /^[^./].*\.[a-z]+\/[a-zA-Z0-9-_./]*[a-zA-Z0-9/]$/.test(source);

/**
 * The namespace `pulumi package add` gives a package from this source: a git URL's owner
 * (`NewPluginDescriptor` makes the URL `git://host/path`, `setSpecNamespace` takes the first path
 * segment, lower-cased), nothing for a local path.
 */
export function sourceNamespace(source: string): string | undefined {
  if (!isGitSource(source)) return undefined;
  return /^git:\/\/[^/]+\/([^/]+)\//.exec(`git://${source.replace(/^\w+:\/\//, "")}`)?.[1].toLowerCase();
}

/** What `pulumi package add <source>@<version>` leaves behind for a package named `name`. */
export function addedPackage(name: string, sourceWithVersion: string): { source: string; version?: string; namespace?: string; pythonModule: string; sdkFolder: string } {
  const [source, version] = sourceWithVersion.split(/@(.*)/s);
  const namespace = sourceNamespace(source);
  return { source, version, namespace, pythonModule: pyPack(namespace, name), sdkFolder: `sdks/${namespace ? `${namespace}-` : ""}${name}` };
}

// ---------------------------------------------------------------------------------------------
// The schema, and what a program's expressions are known to be
// ---------------------------------------------------------------------------------------------

interface SchemaType { type?: string; $ref?: string; items?: SchemaType; plain?: boolean }
interface Shape { properties: Record<string, SchemaType>; required: string[] }
export interface Schema {
  name: string;
  resources: Record<string, { inputProperties?: Record<string, SchemaType>; requiredInputs?: string[]; properties?: Record<string, SchemaType> }>;
  types: Record<string, { properties?: Record<string, SchemaType>; required?: string[]; enum?: { name?: string; value: string | number }[] }>;
  dependencies?: { name: string; version: string }[];
}

export const loadSchema = (file: string): Schema => JSON.parse(readFileSync(file, "utf8"));

const scalars = ["string", "number", "integer", "boolean"];
type Scalar = "string" | "number" | "integer" | "boolean";
/** An expression as known before the program runs; `origin` says where it is written. */
type Value = { origin: string; output?: boolean } & (
  | { is: Scalar; literal?: string | number | boolean }
  | { is: "list"; items: Value[] }
  // Python's `<Type>Args(...)` (argsOf) or a dict, a YAML map; entries unknown for an object config value.
  | { is: "map"; entries?: Map<string, Value>; argsOf?: string }
  | { is: "enum"; token: string }
  | { is: "component"; token: string }
  | { is: "awsResource"; declaration: AwsDeclaration }
  | { is: "opaque"; what: string }
  | { is: "namespace"; what: string; member: (name: string, origin: string) => Value }
  | { is: "callable"; what: string; call: (args: CallArgs) => Value }
  // Already reported: accepted everywhere, so one mistake is reported once.
  | { is: "invalid" }
);
interface CallArgs { positional: Value[]; keywords: Map<string, Value>; origin: string }

/** How a language spells what the schema names. */
interface Dialect {
  name: (schemaName: string, ofResource: boolean) => string;
  objectForm: (token: string) => string;
  enumForm: (token: string) => string;
  /** Python builds an object type's value with its `<Type>Args` class; YAML writes a map. */
  objectsByClass: boolean;
  /** YAML gives an enum by its value; Python by the SDK's member. */
  enumByValue: boolean;
}

export interface ProgramCheck {
  problems: string[];
  /** The type token of each component the program creates, in order. */
  components: string[];
  /** The stack outputs it exports. */
  exports: string[];
  /** The config keys it reads. */
  configKeys: string[];
}

const list = (names: string[]) => [...names].sort().join(", ");

/** What a program gives: how the messages say it. */
function describe(value: Value, dialect: Dialect): string {
  const what = (() => {
    switch (value.is) {
      case "string": return "a string";
      case "number": return "a number";
      case "integer": return "a whole number";
      case "boolean": return "true or false";
      case "list": return "a list";
      case "map": return value.argsOf ? dialect.objectForm(value.argsOf) : "a map";
      case "enum": return `a member of ${tokenToName(value.token)}`;
      case "component": return `a ${tokenToName(value.token)}`;
      case "awsResource": return `an ${value.declaration.label}`;
      default: return "what" in value ? value.what : value.is;
    }
  })();
  return value.output ? `an output (${what})` : what;
}

/** What the schema asks for (a local type: checkTyped has made sure it is one). */
function describeType(type: SchemaType, schema: Schema, dialect: Dialect): string {
  const token = type.$ref && localToken(type.$ref);
  if (token) return schema.types[token].enum ? dialect.enumForm(token) : dialect.objectForm(token);
  return ({ string: "a string", number: "a number", integer: "a whole number", boolean: "true or false", array: "a list" } as Record<string, string>)[type.type!] ?? type.type!;
}

/** `#/types/<token>`: a type of this package. */
const localToken = (ref: string) => ref.startsWith("#/types/") ? ref.slice("#/types/".length) : undefined;

/** A typed config key's value, as the program reads it: known before deployment. */
function configValue(declared: Pick<ProjectConfigType, "type" | "items">, origin: string): Value {
  const type = declared.type ?? "string";
  if (type === "array") return { is: "list", items: [configValue(declared.items as Pick<ProjectConfigType, "type" | "items">, origin)], origin };
  if (type === "object") return { is: "map", origin };
  return { is: type, origin };
}

/** Holds a program's values to the schema, and collects what does not fit. */
class SchemaChecker {
  readonly problems: string[] = [];
  readonly components: string[] = [];
  readonly exports: string[] = [];
  readonly configKeys = new Set<string>();

  constructor(readonly schema: Schema, readonly dialect: Dialect) {}

  fail(origin: string, message: string): Value {
    this.problems.push(origin ? `${origin}: ${message}` : message);
    return { is: "invalid", origin };
  }

  /** A component's inputs, or an object's properties, against the resource or type's shape. */
  checkProperties(owner: string, shape: Shape, entries: Map<string, Value>, origin: string, ofResource: boolean): void {
    const kind = ofResource ? "input" : "property";
    const bySpelling = new Map(Object.keys(shape.properties).map((name) => [this.dialect.name(name, ofResource), name]));
    for (const [spelled, value] of entries) {
      const name = bySpelling.get(spelled);
      if (name === undefined) this.fail(value.origin, `${owner} has no ${kind} ${spelled}; its ${kind === "input" ? "inputs" : "properties"} are ${list([...bySpelling.keys()])}`);
      else this.checkValue(value, shape.properties[name], `${owner}.${spelled}`);
    }
    for (const name of shape.required) {
      const spelled = this.dialect.name(name, ofResource);
      if (!entries.has(spelled)) this.fail(origin, `${owner} is missing its required ${kind} ${spelled}`);
    }
  }

  checkValue(value: Value, type: SchemaType, subject: string): void {
    if (value.is === "invalid") return;
    if (type.plain && value.output) {
      this.fail(value.origin, `${subject} must be known before deployment (plain in the schema), but gets ${describe(value, this.dialect)}`);
      return;
    }
    const mismatch = () => {
      this.fail(value.origin, `${subject} takes ${describeType(type, this.schema, this.dialect)}, got ${describe(value, this.dialect)}`);
    };
    if (type.$ref) {
      this.checkTyped(value, type.$ref, subject, mismatch);
      return;
    }
    switch (type.type) {
      case "string":
      case "boolean":
        if (value.is !== type.type) mismatch();
        return;
      case "number":
        if (value.is !== "number" && value.is !== "integer") mismatch();
        return;
      case "integer":
        if (value.is !== "integer") mismatch();
        return;
      case "array":
        if (value.is !== "list") mismatch();
        else value.items.forEach((item, i) => this.checkValue(item, type.items!, `${subject}[${i}]`));
        return;
      default:
        this.fail(value.origin, `${subject} has schema type ${type.type}, which this checker does not know`);
    }
  }

  /** A value for one of the package's enums or object types. */
  private checkTyped(value: Value, ref: string, subject: string, mismatch: () => void): void {
    const token = localToken(ref);
    const type = token === undefined ? undefined : this.schema.types[token];
    if (token === undefined || type === undefined) {
      this.fail(value.origin, `${subject} is typed ${ref}, which schema.json does not define`);
      return;
    }
    if (type.enum) {
      const byValue = this.dialect.enumByValue && value.is === "string" && !value.output && type.enum.some((member) => member.value === value.literal);
      if (!byValue && !(value.is === "enum" && value.token === token)) mismatch();
      return;
    }
    if (value.is !== "map" || (this.dialect.objectsByClass && value.argsOf !== token)) {
      mismatch();
      return;
    }
    if (!value.entries) {
      this.fail(value.origin, `${subject} gets a value whose properties are not known before the program runs, so they cannot be checked`);
      return;
    }
    this.checkProperties(subject, { properties: type.properties ?? {}, required: type.required ?? [] }, value.entries, value.origin, false);
  }

  /** `component.<output>`: a property the schema lists for that resource. */
  output(component: { token: string }, spelled: string, origin: string): Value {
    const outputs = this.schema.resources[component.token].properties ?? {};
    const bySpelling = new Map(Object.keys(outputs).map((name) => [this.dialect.name(name, false), name]));
    const name = bySpelling.get(spelled);
    if (name === undefined) return this.fail(origin, `${tokenToName(component.token)} has no output ${spelled}; its outputs are ${list([...bySpelling.keys()])}`);
    return outputValue(outputs[name], origin);
  }

  /** Reading a property of a value: an output of a component or of an AWS resource. */
  attribute(target: Value, spelled: string, origin: string): Value {
    switch (target.is) {
      case "invalid": return target;
      case "namespace": return target.member(spelled, origin);
      case "component": return this.output(target, spelled, origin);
      case "awsResource": {
        const name = [...target.declaration.outputs.keys()].find((output) => this.dialect.name(output, false) === spelled);
        if (name === undefined) return this.fail(origin, `${target.declaration.label} has no output ${spelled}`);
        return awsOutputValue(target.declaration.outputs.get(name)!, `${target.declaration.label}.${name}`, origin);
      }
      default: return this.fail(origin, `${describe(target, this.dialect)} has no attribute ${spelled} that this checker knows`);
    }
  }

  /** The inputs of a resource the schema has; undefined for any other token. */
  resource(token: string): Shape | undefined {
    const resource = this.schema.resources[token];
    return resource && { properties: resource.inputProperties ?? {}, required: resource.requiredInputs ?? [] };
  }

  /** Creating a component: its inputs checked, its creation recorded. */
  create(token: string, owner: string, entries: Map<string, Value>, origin: string): Value {
    this.checkProperties(owner, this.resource(token)!, entries, origin, true);
    this.components.push(token);
    return { is: "component", token, origin };
  }

  /** Reading a config key the project declares. */
  config(key: string, declared: ProjectConfigType, origin: string): Value {
    this.configKeys.add(key);
    return configValue(declared, origin);
  }

  result(): ProgramCheck {
    return { problems: this.problems, components: this.components, exports: this.exports, configKeys: [...this.configKeys] };
  }
}

/** An output of a component, by its schema type: known only once deployed. */
function outputValue(type: SchemaType, origin: string): Value {
  if (type.$ref?.includes("#/resources/")) {
    // `/aws/v7.48.0/schema.json#/resources/aws:dynamodb%2Ftable:Table`: an AWS resource itself.
    const [pkg, module, className] = decodeURIComponent(type.$ref.split("#/resources/")[1]).split(":");
    const [dir, file] = module.split("/");
    const declaration = pkg === "aws" ? awsDeclaration(dir, file, className) : undefined;
    return declaration ? { is: "awsResource", declaration, origin, output: true } : { is: "opaque", what: type.$ref, origin, output: true };
  }
  if (type.$ref) return { is: "opaque", what: type.$ref, origin, output: true };
  if (type.type === "array") return { is: "list", items: [outputValue(type.items!, origin)], origin, output: true };
  return scalars.includes(type.type!) ? { is: type.type as Scalar, origin, output: true } : { is: "opaque", what: `a ${type.type}`, origin, output: true };
}

// ---------------------------------------------------------------------------------------------
// AWS resources, from @pulumi/aws's declarations (the version schema.json depends on)
// ---------------------------------------------------------------------------------------------

interface AwsDeclaration {
  label: string;
  /** `<Class>Args`: each argument, and whether it is optional. */
  args: Map<string, boolean>;
  /** The class's properties, with their declared types' text. */
  outputs: Map<string, string>;
}

const awsRoot = dirname(require.resolve("@pulumi/aws/package.json"));
export const awsDeclarationsVersion = (): string => JSON.parse(readFileSync(join(awsRoot, "package.json"), "utf8")).version;
const awsDeclarations = new Map<string, AwsDeclaration | undefined>();

/** @pulumi/aws's `<dir>/<file>.d.ts`: the class and its `<Class>Args` interface. */
function awsDeclaration(dir: string, file: string, className: string): AwsDeclaration | undefined {
  const path = join(awsRoot, dir, `${file}.d.ts`);
  if (!awsDeclarations.has(path)) {
    if (!existsSync(path)) {
      awsDeclarations.set(path, undefined);
    } else {
      const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest);
      // Every resource's `id` and `urn` come from CustomResource, not the class's own declarations.
      const inherited: [string, string][] = [["id", "pulumi.Output<string>"], ["urn", "pulumi.Output<string>"]];
      const declaration: AwsDeclaration = { label: `aws:${dir}/${file}:${className}`, args: new Map(), outputs: new Map(inherited) };
      for (const statement of source.statements) {
        if (ts.isClassDeclaration(statement) && statement.name?.text === className) {
          for (const member of statement.members) {
            if (ts.isPropertyDeclaration(member) && member.type) declaration.outputs.set(member.name.getText(source), member.type.getText(source));
          }
        }
        if (ts.isInterfaceDeclaration(statement) && statement.name.text === `${className}Args`) {
          for (const member of statement.members) {
            if (ts.isPropertySignature(member)) declaration.args.set(member.name.getText(source), member.questionToken !== undefined);
          }
        }
      }
      awsDeclarations.set(path, declaration.outputs.size > inherited.length ? declaration : undefined);
    }
  }
  return awsDeclarations.get(path);
}

/** @pulumi/aws's module folder whose Python module (pulumi_aws.<module>) has this name. */
function awsModuleDir(pythonModule: string): string | undefined {
  return readdirSync(awsRoot, { withFileTypes: true }).find((entry) => entry.isDirectory() && pyName(entry.name) === pythonModule)?.name;
}

function awsOutputValue(typeText: string, what: string, origin: string): Value {
  const scalar = /^pulumi\.Output<(string|number|boolean)>$/.exec(typeText)?.[1];
  return scalar ? { is: scalar as Scalar, origin, output: true } : { is: "opaque", what, origin, output: true };
}

// ---------------------------------------------------------------------------------------------
// Python: a tokenizer and parser for keyword-argument calls, literals, lists, dicts and attributes
// ---------------------------------------------------------------------------------------------

interface Token { kind: "name" | "number" | "string" | "op" | "newline" | "end"; text: string; line: number }

type PyExpr = { line: number } & (
  | { kind: "name"; id: string }
  | { kind: "str"; value: string }
  | { kind: "num"; value: number; integer: boolean }
  | { kind: "list"; items: PyExpr[] }
  | { kind: "dict"; entries: [PyExpr, PyExpr][] }
  | { kind: "attr"; target: PyExpr; name: string }
  | { kind: "call"; callee: PyExpr; args: PyExpr[]; keywords: { name: string; value: PyExpr }[] }
);
type PyStmt = { line: number } & (
  | { kind: "import"; module: string; alias?: string }
  | { kind: "assign"; target: string; value: PyExpr }
  | { kind: "expr"; value: PyExpr }
);

const stringEscapes: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', n: "\n", t: "\t" };

function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  const fail = (message: string): never => { throw new NotUnderstood(`${file}:${line}: ${message}`); };
  const push = (kind: Token["kind"], text: string, start: number, tokenLine = line, tokenLineStart = lineStart) => {
    const previous = tokens.at(-1);
    // A statement starts at column 0: an indented one belongs to a block, which is not read here.
    if (depth === 0 && start > tokenLineStart && (!previous || previous.kind === "newline")) fail("indented code (a block) is not understood");
    tokens.push({ kind, text, line: tokenLine });
  };
  while (i < source.length) {
    const c = source[i];
    const rest = source.slice(i);
    if (c === "\n") {
      if (depth === 0 && tokens.length > 0 && tokens.at(-1)!.kind !== "newline") tokens.push({ kind: "newline", text: "\n", line });
      i++;
      line++;
      lineStart = i;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "'" || c === '"') {
      const quote = rest.startsWith(c.repeat(3)) ? c.repeat(3) : c;
      const [start, startLine, startLineStart] = [i, line, lineStart];
      let value = "";
      i += quote.length;
      while (!source.startsWith(quote, i)) {
        if (i >= source.length || (quote.length === 1 && source[i] === "\n")) fail("a string that does not end");
        if (source[i] === "\\") {
          const escaped = stringEscapes[source[i + 1]] ?? fail(`the escape \\${source[i + 1]} is not understood`);
          value += escaped;
          i += 2;
        } else {
          if (source[i] === "\n") { line++; lineStart = i + 1; }
          value += source[i++];
        }
      }
      i += quote.length;
      push("string", value, start, startLine, startLineStart);
    } else if (/[A-Za-z_]/.test(c)) {
      const name = /^[A-Za-z_]\w*/.exec(rest)![0];
      if (/^['"]/.test(source.slice(i + name.length))) fail(`the string prefix ${name} is not understood`);
      push("name", name, i);
      i += name.length;
    } else if (/\d/.test(c)) {
      const number = /^\d[\d_]*(\.\d[\d_]*)?/.exec(rest)![0];
      if (/^[\w.]/.test(source.slice(i + number.length))) fail(`the number ${number}${source[i + number.length]} is not understood`);
      push("number", number, i);
      i += number.length;
    } else if ("()[]{},:.=".includes(c) && !rest.startsWith("==")) {
      push("op", c, i);
      if ("([{".includes(c)) depth++;
      if (")]}".includes(c)) depth--;
      i++;
    } else if (c === "\\") {
      fail("a line continued with \\ is not understood (break it inside brackets)");
    } else {
      fail(`"${rest.slice(0, 2).trim()}" is not understood`);
    }
  }
  if (tokens.length > 0 && tokens.at(-1)!.kind !== "newline") tokens.push({ kind: "newline", text: "\n", line });
  tokens.push({ kind: "end", text: "end of file", line });
  return tokens;
}

class PythonParser {
  private position = 0;

  constructor(private readonly tokens: Token[], private readonly file: string) {}

  module(): PyStmt[] {
    const statements: PyStmt[] = [];
    while (this.peek().kind !== "end") {
      statements.push(this.statement());
      if (this.peek().kind !== "newline") this.fail(this.peek(), `${this.quote(this.peek())} after a complete statement is not understood`);
      this.position++;
    }
    return statements;
  }

  private statement(): PyStmt {
    const first = this.peek();
    if (this.isName(first, "import")) {
      this.position++;
      const module = [this.name()];
      while (this.isOp(this.peek(), ".")) {
        this.position++;
        module.push(this.name());
      }
      const alias = this.isName(this.peek(), "as") ? (this.position++, this.name()) : undefined;
      if (module.length > 1 && !alias) this.fail(first, "import of a dotted module without `as` is not understood");
      return { kind: "import", module: module.join("."), alias, line: first.line };
    }
    if (first.kind === "name" && this.isOp(this.tokens[this.position + 1], "=")) {
      const target = this.name();
      this.position++;
      return { kind: "assign", target, value: this.expression(), line: first.line };
    }
    return { kind: "expr", value: this.expression(), line: first.line };
  }

  private expression(): PyExpr {
    let expr = this.atom();
    for (;;) {
      const token = this.peek();
      if (this.isOp(token, ".")) {
        this.position++;
        expr = { kind: "attr", target: expr, name: this.name(), line: token.line };
      } else if (this.isOp(token, "(")) {
        this.position++;
        expr = this.call(expr, token.line);
      } else {
        return expr;
      }
    }
  }

  private call(callee: PyExpr, line: number): PyExpr {
    const args: PyExpr[] = [];
    const keywords: { name: string; value: PyExpr }[] = [];
    this.sequence(")", () => {
      if (this.peek().kind === "name" && this.isOp(this.tokens[this.position + 1], "=")) {
        const name = this.name();
        this.position++;
        if (keywords.some((keyword) => keyword.name === name)) this.fail(this.peek(), `keyword argument ${name} repeated`);
        keywords.push({ name, value: this.expression() });
      } else {
        if (keywords.length > 0) this.fail(this.peek(), "a positional argument after keyword arguments");
        args.push(this.expression());
      }
    });
    return { kind: "call", callee, args, keywords, line };
  }

  private atom(): PyExpr {
    const token = this.next();
    const line = token.line;
    switch (token.kind) {
      case "name":
        if (pythonKeywords.has(token.text) && !["True", "False", "None"].includes(token.text)) this.fail(token, `\`${token.text}\` is not understood`);
        return { kind: "name", id: token.text, line };
      case "number":
        return { kind: "num", value: Number(token.text.replace(/_/g, "")), integer: !token.text.includes("."), line };
      case "string": {
        let value = token.text;
        // Adjacent literals are one string, as in Python.
        while (this.peek().kind === "string") value += this.next().text;
        return { kind: "str", value, line };
      }
      default:
        if (this.isOp(token, "[")) {
          const items: PyExpr[] = [];
          this.sequence("]", () => items.push(this.expression()));
          return { kind: "list", items, line };
        }
        if (this.isOp(token, "{")) {
          const entries: [PyExpr, PyExpr][] = [];
          this.sequence("}", () => {
            const key = this.expression();
            this.expect(":");
            entries.push([key, this.expression()]);
          });
          return { kind: "dict", entries, line };
        }
        return this.fail(token, `${this.quote(token)} is not understood here`);
    }
  }

  /** Items up to `close`, comma-separated, a trailing comma allowed. */
  private sequence(close: string, item: () => void): void {
    while (!this.isOp(this.peek(), close)) {
      item();
      if (this.isOp(this.peek(), ",")) this.position++;
      else if (!this.isOp(this.peek(), close)) this.fail(this.peek(), `expected "," or "${close}", found ${this.quote(this.peek())}`);
    }
    this.position++;
  }

  private name(): string {
    const token = this.next();
    if (token.kind !== "name" || pythonKeywords.has(token.text)) this.fail(token, `expected a name, found ${this.quote(token)}`);
    return token.text;
  }

  private expect(op: string): void {
    const token = this.next();
    if (!this.isOp(token, op)) this.fail(token, `expected "${op}", found ${this.quote(token)}`);
  }

  private peek(): Token { return this.tokens[this.position]; }
  private next(): Token { return this.tokens[this.position++]; }
  private isOp(token: Token | undefined, op: string): boolean { return token?.kind === "op" && token.text === op; }
  private isName(token: Token, name: string): boolean { return token.kind === "name" && token.text === name; }
  private quote(token: Token): string { return token.kind === "end" || token.kind === "newline" ? "the end of the line" : `"${token.text}"`; }
  private fail(token: Token, message: string): never { throw new NotUnderstood(`${this.file}:${token.line}: ${message}`); }
}

const parsePython = (source: string, file: string): PyStmt[] => new PythonParser(tokenize(source, file), file).module();

const pythonDialect = (sdkAlias: string): Dialect => ({
  name: (schemaName, ofResource) => ofResource ? initParamName(schemaName) : pyName(schemaName),
  objectForm: (token) => `${sdkAlias}.${pyInputTypeName(token)}(...)`,
  enumForm: (token) => `a member of ${sdkAlias}.${tokenToName(token)}`,
  objectsByClass: true,
  enumByValue: false,
});

/** Python's `pulumi.Config` reader for each config type (the ones this checker knows). */
const configReaders: Record<string, string> = { string: "require", integer: "require_int", boolean: "require_bool", array: "require_object", object: "require_object" };

/**
 * A Python program that uses the connect-chat SDK (imported as `sdkModule`), pulumi and pulumi_aws,
 * against the schema and the project's config declarations.
 */
export function checkPythonProgram(schema: Schema, project: Project, file: string, source: string, sdkModule: string): ProgramCheck {
  const statements = parsePython(source, file);
  const sdkImport = statements.find((statement) => statement.kind === "import" && statement.module === sdkModule);
  const sdkAlias = (sdkImport?.kind === "import" && sdkImport.alias) || sdkModule;
  const checker = new SchemaChecker(schema, pythonDialect(sdkAlias));
  const env = new Map<string, Value>();
  const at = (line: number) => `${file}:${line}`;

  const positionalString = (args: CallArgs, what: string): string | undefined => {
    if (args.keywords.has("opts")) throw new NotUnderstood(`${args.origin}: resource options (opts) are not understood`);
    const [first] = args.positional;
    if (args.positional.length !== 1 || first.is !== "string" || typeof first.literal !== "string") {
      checker.fail(args.origin, `${what} takes one string literal as its only positional argument`);
      return undefined;
    }
    return first.literal;
  };
  const callable = (what: string, call: (args: CallArgs) => Value): Value => ({ is: "callable", what, call, origin: "" });
  const namespace = (what: string, member: (name: string, origin: string) => Value | undefined): Value => ({
    is: "namespace", what, origin: "",
    member: (name, origin) => member(name, origin) ?? checker.fail(origin, `${what} has no ${name} that this checker knows`),
  });

  const config = namespace("pulumi.Config()", (method) => !Object.values(configReaders).includes(method) ? undefined : callable(`config.${method}`, (args) => {
    const key = positionalString(args, `config.${method}`);
    if (key === undefined) return { is: "invalid", origin: args.origin };
    if (args.keywords.size > 0) return checker.fail(args.origin, `config.${method} takes no keyword arguments here`);
    const declared = project.config[key];
    if (!declared) return checker.fail(args.origin, `config.${method}("${key}") reads a key Pulumi.yaml does not declare`);
    const reader = configReaders[declared.type ?? "string"];
    if (reader !== method) return checker.fail(args.origin, `config.${method}("${key}"): Pulumi.yaml declares ${key} as ${declared.type}, which config.${reader} reads`);
    return checker.config(key, declared, args.origin);
  }));

  const pulumiModule = namespace("pulumi", (name) => ({
    Config: callable("pulumi.Config", (args) => args.positional.length + args.keywords.size === 0 ? config : checker.fail(args.origin, "pulumi.Config(...) with arguments is not understood")),
    export: callable("pulumi.export", (args) => {
      const [exportName] = args.positional;
      if (args.positional.length !== 2 || args.keywords.size > 0 || exportName.is !== "string" || typeof exportName.literal !== "string") return checker.fail(args.origin, "pulumi.export takes a string literal and a value");
      checker.exports.push(exportName.literal);
      return { is: "opaque", what: "None", origin: args.origin };
    }),
  } as Record<string, Value>)[name]);

  const awsModule = namespace("pulumi_aws", (moduleName) => {
    const dir = awsModuleDir(moduleName);
    return dir === undefined ? undefined : namespace(`aws.${moduleName}`, (className) => {
      const declaration = awsDeclaration(dir, className.charAt(0).toLowerCase() + className.slice(1), className);
      return declaration === undefined ? undefined : callable(declaration.label, (args) => {
        if (positionalString(args, declaration.label) === undefined) return { is: "invalid", origin: args.origin };
        const bySpelling = new Map([...declaration.args.keys()].map((name) => [pyName(name), name]));
        for (const [spelled, value] of args.keywords) {
          // AWS's own types are pulumi_aws's to check; only the names are held to its declarations here.
          if (!bySpelling.has(spelled)) checker.fail(value.origin, `${declaration.label} has no argument ${spelled}`);
        }
        for (const [name, optional] of declaration.args) {
          if (!optional && !args.keywords.has(pyName(name))) checker.fail(args.origin, `${declaration.label} is missing its required argument ${pyName(name)}`);
        }
        return { is: "awsResource", declaration, origin: args.origin };
      });
    });
  });

  const sdk = namespace(sdkAlias, (name) => {
    const indexToken = `${schema.name}:index:${name}`;
    if (checker.resource(indexToken)) {
      return callable(name, (args) => {
        if (positionalString(args, name) === undefined) return { is: "invalid", origin: args.origin };
        return checker.create(indexToken, name, args.keywords, args.origin);
      });
    }
    const objectToken = Object.keys(schema.types).find((token) => !schema.types[token].enum && pyInputTypeName(token) === name);
    if (objectToken) {
      return callable(name, (args) => args.positional.length > 0
        ? checker.fail(args.origin, `${name} takes keyword arguments only`)
        : { is: "map", entries: args.keywords, argsOf: objectToken, origin: args.origin });
    }
    const enumToken = Object.keys(schema.types).find((token) => schema.types[token].enum && tokenToName(token) === name);
    if (enumToken) {
      const members = schema.types[enumToken].enum!.map((member) => pyEnumMemberName(member.name ?? String(member.value), name));
      return namespace(`${sdkAlias}.${name}`, (member, origin) => members.includes(member)
        ? { is: "enum", token: enumToken, origin }
        : checker.fail(origin, `${sdkAlias}.${name} has no member ${member}; its members are ${list(members)}`));
    }
    return undefined;
  });

  const modules: Record<string, Value> = { pulumi: pulumiModule, pulumi_aws: awsModule, [sdkModule]: sdk };

  const evaluate = (expr: PyExpr): Value => {
    const origin = at(expr.line);
    switch (expr.kind) {
      case "name":
        if (expr.id === "True" || expr.id === "False") return { is: "boolean", literal: expr.id === "True", origin };
        if (expr.id === "None") throw new NotUnderstood(`${origin}: None is not understood (leave the argument out)`);
        return env.get(expr.id) ?? checker.fail(origin, `${expr.id} is not defined`);
      case "str": return { is: "string", literal: expr.value, origin };
      case "num": return { is: expr.integer ? "integer" : "number", literal: expr.value, origin };
      case "list": return { is: "list", items: expr.items.map(evaluate), origin };
      case "dict": {
        const entries = new Map<string, Value>();
        for (const [key, value] of expr.entries) {
          if (key.kind !== "str") throw new NotUnderstood(`${origin}: a dict key that is not a string literal is not understood`);
          entries.set(key.value, evaluate(value));
        }
        return { is: "map", entries, origin };
      }
      case "attr": return checker.attribute(evaluate(expr.target), expr.name, origin);
      case "call": {
        const callee = evaluate(expr.callee);
        const args: CallArgs = { positional: expr.args.map(evaluate), keywords: new Map(expr.keywords.map((keyword) => [keyword.name, evaluate(keyword.value)])), origin };
        if (callee.is === "invalid") return callee;
        if (callee.is !== "callable") return checker.fail(origin, `${describe(callee, checker.dialect)} is not callable`);
        return callee.call(args);
      }
    }
  };

  statements.forEach((statement, i) => {
    switch (statement.kind) {
      case "import": {
        const module = modules[statement.module];
        if (!module) checker.fail(at(statement.line), `imports ${statement.module}, but \`pulumi package add\` names this package's module ${sdkModule} (and besides it this checker knows pulumi and pulumi_aws)`);
        env.set(statement.alias ?? statement.module, module ?? { is: "invalid", origin: at(statement.line) });
        return;
      }
      case "assign":
        env.set(statement.target, evaluate(statement.value));
        return;
      case "expr":
        if (i === 0 && statement.value.kind === "str") return; // the module's docstring
        if (statement.value.kind !== "call") throw new NotUnderstood(`${at(statement.line)}: a statement that is not a call or an assignment is not understood`);
        evaluate(statement.value);
    }
  });
  return checker.result();
}

// ---------------------------------------------------------------------------------------------
// Pulumi YAML: resources of the package, their properties, `${...}` references, outputs
// ---------------------------------------------------------------------------------------------

const yamlDialect = (schema: Schema): Dialect => ({
  name: (schemaName) => schemaName,
  objectForm: (token) => `a map with ${list(Object.keys(schema.types[token].properties ?? {}))}`,
  enumForm: (token) => `one of ${schema.types[token].enum!.map((member) => JSON.stringify(member.value)).join(", ")}`,
  objectsByClass: false,
  enumByValue: true,
});

/** The sections of a YAML program this checker reads; any other is refused. */
const yamlSections = new Set(["name", "description", "runtime", "config", "packages", "resources", "outputs"]);

/** A Pulumi YAML program (its Pulumi.yaml) that uses connect-chat's components. */
export function checkYamlProgram(schema: Schema, file: string, text: string): ProgramCheck {
  const checker = new SchemaChecker(schema, yamlDialect(schema));
  const project = projectFromText(text, file);
  const program = parseYaml(text) as Record<string, unknown>;
  const resources = (program.resources ?? {}) as Record<string, Record<string, unknown>>;

  for (const section of Object.keys(program)) {
    if (!yamlSections.has(section)) throw new NotUnderstood(`${file}: the ${section} section is not understood`);
  }
  if (!(program.packages as Record<string, unknown> | undefined)?.[schema.name]) {
    checker.fail(file, `packages has no ${schema.name} entry, so the program could not load the package`);
  }

  /**
   * `pkg:Type` or `pkg:module:Type`, as pulumi-yaml resolves it, among connect-chat's resources.
   * Newer pulumi-yaml also matches a token ignoring case (`findTokenFold`); older does not, so the
   * schema's casing is asked for.
   */
  const resolveType = (name: string, type: unknown): string | undefined => {
    const origin = `resources.${name}.type`;
    const [pkg, ...rest] = String(type).split(":");
    const token = rest.length === 1 ? `${pkg}:index:${rest[0]}` : String(type);
    if (pkg !== schema.name) checker.fail(origin, `${type} is not a ${schema.name} resource; this checker knows only those`);
    else if (!checker.resource(token)) checker.fail(origin, `${schema.name} has no resource ${type}; it has ${list(Object.keys(schema.resources).map(tokenToName))}`);
    else return token;
    return undefined;
  };
  const tokens = new Map(Object.entries(resources).map(([name, resource]) => [name, resolveType(name, resource.type)]));

  const reference = (ref: string, origin: string): Value => {
    if (/[[\]]/.test(ref)) throw new NotUnderstood(`${origin}: the index in \${${ref}} is not understood`);
    const [head, ...path] = ref.split(".");
    const declared = project.config[head];
    if (declared && path.length === 0) return checker.config(head, declared, origin);
    if (!tokens.has(head)) return checker.fail(origin, `\${${ref}} names neither a resource nor a config key of this program`);
    const token = tokens.get(head);
    const resource: Value = token ? { is: "component", token, origin } : { is: "invalid", origin };
    return path.reduce<Value>((target, name) => checker.attribute(target, name, origin), resource);
  };

  const value = (node: unknown, origin: string): Value => {
    if (typeof node === "string") {
      const whole = /^\$\{([^{}]+)\}$/.exec(node);
      if (whole) return reference(whole[1], origin);
      if (node.includes("$${")) throw new NotUnderstood(`${origin}: the escape $\${ is not understood`);
      const refs = [...node.matchAll(/\$\{([^{}]+)\}/g)].map((match) => reference(match[1], origin));
      if (node.replace(/\$\{[^{}]+\}/g, "").includes("${")) throw new NotUnderstood(`${origin}: "${node}" is not understood`);
      return { is: "string", literal: refs.length > 0 ? undefined : node, output: refs.some((ref) => ref.output), origin };
    }
    if (typeof node === "number") return { is: Number.isInteger(node) ? "integer" : "number", literal: node, origin };
    if (typeof node === "boolean") return { is: "boolean", literal: node, origin };
    if (Array.isArray(node)) return { is: "list", items: node.map((item, i) => value(item, `${origin}[${i}]`)), origin };
    if (node !== null && typeof node === "object") {
      const keys = Object.keys(node);
      if (keys.some((key) => key.startsWith("fn::"))) throw new NotUnderstood(`${origin}: ${keys.join(", ")} is not understood`);
      return { is: "map", entries: new Map(keys.map((key) => [key, value((node as Record<string, unknown>)[key], `${origin}.${key}`)])), origin };
    }
    throw new NotUnderstood(`${origin}: an empty value is not understood`);
  };

  for (const [name, resource] of Object.entries(resources)) {
    const origin = `resources.${name}`;
    for (const key of Object.keys(resource)) {
      if (key !== "type" && key !== "properties") throw new NotUnderstood(`${origin}.${key} is not understood`);
    }
    const token = tokens.get(name);
    const properties = value(resource.properties ?? {}, `${origin}.properties`);
    if (properties.is !== "map") throw new NotUnderstood(`${origin}.properties: only a map of properties is understood`);
    if (token) checker.create(token, tokenToName(token), properties.entries!, origin);
  }
  for (const [name, output] of Object.entries((program.outputs ?? {}) as Record<string, unknown>)) {
    value(output, `outputs.${name}`);
    checker.exports.push(name);
  }
  return checker.result();
}
