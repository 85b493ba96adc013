import { existsSync, readFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { sdkBundlePath } from "./sdk-bundle";

const handlersDir = join(__dirname, "..", "handlers") + sep;

/**
 * Pulumi serializes a module a callback uses by value when it is the program's own source, but as
 * `require("<package>/…")` when it lives under node_modules, as this package's handlers do in a
 * consumer's program: the zip would then need the whole package and its dependencies. Pulumi's
 * `deploymentOnlyModule` flag makes it serialize a module by value wherever it lives, so the zip
 * holds just the handler whether the component runs from source or from the package.
 */
function serializeHandlersByValue(): void {
  for (const [file, loaded] of Object.entries(require.cache)) {
    if (loaded && file.startsWith(handlersDir)) loaded.exports.deploymentOnlyModule = true;
  }
}

/**
 * Pulumi also zips every `dependencies` package of the program's package.json (found from the
 * working directory, as Pulumi finds it) with each callback. Our handlers need none of them: they
 * are serialized whole, and the nodejs22.x runtime ships AWS SDK v3. So all stay out: the SDK
 * clients in this project, this package and the rest of a consumer's dependencies in theirs.
 */
function programDependencies(): string[] {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) return Object.keys(JSON.parse(readFileSync(manifest, "utf8")).dependencies ?? {});
    if (dirname(dir) === dir) return [];
  }
}

export interface HandlerFunctionArgs {
  /**
   * Builds the handler in the Lambda, given the SDK bundle's loader; it is serialized with
   * everything it captures.
   */
  callbackFactory: (loadSdk: () => never) => (event: never) => Promise<unknown>;
  /** The handler folder whose `aws-sdk.ts` is bundled into the package (infra/sdk-bundle.ts). */
  sdkOf: string;
  /** Environment variables: the handler's settings. */
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Days to keep the function's logs. */
  logRetentionDays: number;
  /** How long one invocation may run, in seconds. */
  timeoutSeconds: number;
  /** Memory, in MB; CPU grows with it. Default 512. */
  memorySize?: number;
  /** Cap on concurrent executions. Default unreserved. */
  reservedConcurrency?: number;
}

/**
 * A Pulumi inline function (`CallbackFunction`) as this project runs them: nodejs22.x on arm64, JSON
 * logs into its own log group with retention, and a role that may write only there. Callers grant
 * the rest on `role`.
 */
export class HandlerFunction extends pulumi.ComponentResource {
  /** The function, with its handler serialized into `__index.js`. */
  readonly function: aws.lambda.Function;
  /** The function's role: it may write its logs; callers grant the rest. */
  readonly role: aws.iam.Role;
  /** The function's own log group, with retention. */
  readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("connect-chat:index:HandlerFunction", name, {}, opts);
    const parent = { parent: this };
    this.logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
      namePrefix: `/aws/lambda/${name}-`,
      retentionInDays: args.logRetentionDays,
    }, parent);
    this.role = new aws.iam.Role(`${name}-role`, {
      assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
    }, parent);
    new aws.iam.RolePolicy(`${name}-logs`, {
      role: this.role.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${this.logGroup.arn}:*` }],
      }),
    }, parent);
    serializeHandlersByValue();
    const factory = args.callbackFactory;
    // The bundle goes into the package at this path, and the handler requires it from there
    // (`__index.js` is at the package's root): the runtime's own SDK is never loaded.
    const sdkBundle = sdkBundlePath(args.sdkOf);
    const sdkModule = `./${sdkBundle}`;
    this.function = new aws.lambda.CallbackFunction(name, {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle, beside __index.js in the package
      callbackFactory: () => factory(() => require(sdkModule) as never),
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      memorySize: args.memorySize ?? 512,
      timeout: args.timeoutSeconds,
      role: this.role.arn,
      reservedConcurrentExecutions: args.reservedConcurrency,
      environment: { variables: args.environment },
      loggingConfig: { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "WARN", logGroup: this.logGroup.name },
      codePathOptions: { extraExcludePackages: programDependencies(), extraIncludePaths: [sdkBundle] },
    }, parent);
    this.registerOutputs({ functionArn: this.function.arn });
  }
}
