import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dependencies } from "../package.json";

/**
 * The nodejs22.x runtime ships AWS SDK v3, so no `@aws-sdk/*` package goes into a zip: bundled,
 * one client alone would outweigh our code a hundredfold.
 */
export const runtimeProvidedPackages = Object.keys(dependencies).filter((name) => name.startsWith("@aws-sdk/"));

export interface HandlerFunctionArgs {
  /** Builds the handler in the Lambda; it is serialized with everything it captures. */
  callbackFactory: () => (event: never) => Promise<unknown>;
  environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Days to keep the function's logs. */
  logRetentionDays: number;
  timeoutSeconds: number;
  memorySize?: number;
  reservedConcurrency?: number;
}

/**
 * A Pulumi inline function (`CallbackFunction`) as this project runs them: nodejs22.x on arm64, JSON
 * logs into its own log group with retention, and a role that may write only there. Callers grant
 * the rest on `role`.
 */
export class HandlerFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
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
    this.function = new aws.lambda.CallbackFunction(name, {
      callbackFactory: args.callbackFactory,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      memorySize: args.memorySize ?? 512,
      timeout: args.timeoutSeconds,
      role: this.role.arn,
      reservedConcurrentExecutions: args.reservedConcurrency,
      environment: { variables: args.environment },
      loggingConfig: { logFormat: "JSON", applicationLogLevel: "INFO", systemLogLevel: "WARN", logGroup: this.logGroup.name },
      codePathOptions: { extraExcludePackages: [...runtimeProvidedPackages] },
    }, parent);
    this.registerOutputs({ functionArn: this.function.arn });
  }
}
