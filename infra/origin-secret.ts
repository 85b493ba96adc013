import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export interface OriginSecretArgs {
  /**
   * Bump (1, 2, 3, …) and `pulumi up` to rotate. Default 1. Each step replaces only the secret that
   * CloudFront is not sending, then switches CloudFront to it; the function accepts both, so edges
   * still on the old distribution config keep working while it propagates.
   */
  rotation?: number;
}

/**
 * The secret that proves a request to ChatApi came through ChatSite's CloudFront: give `current` to
 * ChatSite (`apiOriginSecret`) and `accepted` to ChatApi (`originSecrets`). Two secrets in turn, so
 * a rotation never refuses a request in flight.
 */
export class OriginSecret extends pulumi.ComponentResource {
  /** What CloudFront sends now. */
  readonly current: pulumi.Output<string>;
  /** What the function accepts: both secrets. */
  readonly accepted: pulumi.Output<string>[];

  constructor(name: string, args: OriginSecretArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("connect-chat:index:OriginSecret", name, {}, opts);
    const rotation = args.rotation ?? 1;
    if (!Number.isInteger(rotation) || rotation < 1) throw new pulumi.ResourceError(`rotation must be a whole number from 1, not ${rotation}`, this);
    // Secret A changes on odd rotations, B on even ones; CloudFront sends the one changed last.
    const secret = (slot: string, generation: number) => new random.RandomPassword(`${name}-${slot}`, {
      length: 48,
      special: false,
      keepers: { generation: String(generation) },
    }, { parent: this }).result;
    const a = secret("a", Math.floor((rotation + 1) / 2));
    const b = secret("b", Math.floor(rotation / 2));
    this.current = rotation % 2 === 1 ? a : b;
    this.accepted = [a, b];
    this.registerOutputs({ current: this.current, accepted: this.accepted });
  }
}
