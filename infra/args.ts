/**
 * Construction-time checks of a component's args: a bad value fails `pulumi preview` at once, with
 * the arg's name and the reason, instead of as a provider error minutes into `pulumi up`. Values
 * known only at deploy time (Outputs) are left to the provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { originProblem } from "../handlers/start-chat/cors";

/** Every problem found in one component's args; shown without a stack trace. */
export class InvalidArgsError extends pulumi.ResourceError {
  constructor(resource: pulumi.Resource, readonly problems: string[]) {
    super(`invalid args: ${problems.join("; ")}`, resource, true);
    this.name = "InvalidArgsError";
  }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The retention periods CloudWatch Logs accepts, in days. */
const logRetentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Collects the problems with a component's args, each led by the arg's name, and throws them together. */
export class ArgChecks {
  private readonly problems: string[] = [];

  constructor(private readonly resource: pulumi.Resource) {}

  /** Records `why` against `arg` unless `ok`. */
  expect(ok: boolean, arg: string, why: string): this {
    if (!ok) this.problems.push(`${arg} ${why}`);
    return this;
  }

  /** Problems found elsewhere (e.g. by the handler's own settings check), already led by their arg. */
  add(problems: string[]): this {
    this.problems.push(...problems);
    return this;
  }

  /** An Amazon Connect id: the UUID at the end of its ARN, not the ARN itself. */
  connectId(arg: string, value: pulumi.Input<string> | undefined): this {
    if (typeof value !== "string") return this;
    const hint = value.startsWith("arn:") ? " (the UUID at the end of the ARN, not the ARN)" : "";
    return this.expect(uuid.test(value), arg, `must be a UUID${hint}, got "${value}"`);
  }

  wholeNumber(arg: string, value: number | undefined, min: number): this {
    if (value === undefined) return this;
    return this.expect(Number.isInteger(value) && value >= min, arg, `must be a whole number from ${min} up, got ${value}`);
  }

  oneOf<T>(arg: string, value: T | undefined, allowed: readonly T[]): this {
    if (value === undefined) return this;
    return this.expect(allowed.includes(value), arg, `must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  }

  logRetention(arg: string, value: number | undefined): this {
    return this.oneOf(arg, value, logRetentionDays);
  }

  /**
   * Browser origins (`scheme://host[:port]`): a path would never match, a wildcard would match too
   * much. `subdomainWildcards` lets `https://*.example.com` through, for CSP lists that allow it.
   * Plain `http://` only on loopback: anyone on the network path can rewrite an http page, and so
   * act as that origin (start chats and read the answers, or frame the chat page).
   */
  origins(arg: string, values: string[] | undefined, subdomainWildcards = false): this {
    for (const value of values ?? []) {
      const problem = originProblem(subdomainWildcards ? value.replace("://*.", "://") : value);
      if (problem) this.expect(false, arg, `entry "${value}" ${problem}`);
    }
    return this;
  }

  /** An https URL, when already known. */
  httpsUrl(arg: string, value: pulumi.Input<string> | undefined): this {
    if (typeof value !== "string") return this;
    return this.expect(parsedUrl(value)?.protocol === "https:", arg, `must be an https:// URL, got "${value}"`);
  }

  /** Throws every problem found so far, if any. */
  done(): void {
    if (this.problems.length) throw new InvalidArgsError(this.resource, this.problems);
  }
}

function parsedUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
