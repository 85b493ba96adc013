import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface PrivateBucketArgs {
  /** ARN of the one CloudFront distribution that may read the objects (through Origin Access Control). */
  cloudFrontReader?: pulumi.Input<string>;
  /** Delete the objects with the bucket on `pulumi destroy`. Default false. */
  forceDestroy?: boolean;
  /**
   * Encrypt objects by default with this KMS key (SSE-KMS, with an S3 bucket key to keep KMS
   * requests down); whoever reads them then needs `kms:Decrypt` on it too. Default: S3-managed keys
   * (SSE-S3).
   */
  kmsKeyArn?: pulumi.Input<string>;
}

/**
 * An S3 bucket nobody outside the account can reach: all four public-access blocks, object
 * ownership enforced (no ACLs), encryption at rest, and a policy refusing any request without TLS.
 */
export class PrivateBucket extends pulumi.ComponentResource {
  /** The bucket itself. */
  readonly bucket: aws.s3.Bucket;
  /** The bucket policy; resources that rely on it being in place depend on this. */
  readonly policy: aws.s3.BucketPolicy;

  constructor(name: string, args: PrivateBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("connect-chat:index:PrivateBucket", name, {}, opts);
    const parent = { parent: this };
    this.bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false }, parent);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }, parent);
    new aws.s3.BucketOwnershipControls(`${name}-ownership`, {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    }, parent);
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
      bucket: this.bucket.id,
      rules: [{
        applyServerSideEncryptionByDefault: args.kmsKeyArn === undefined ? { sseAlgorithm: "AES256" } : { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
        bucketKeyEnabled: true,
      }],
    }, parent);
    this.policy = new aws.s3.BucketPolicy(`${name}-policy`, {
      bucket: this.bucket.id,
      policy: pulumi.all([this.bucket.arn, args.cloudFrontReader]).apply(([arn, reader]) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyWithoutTls",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [arn, `${arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
          ...(reader ? [{
            Sid: "OnlyThisDistributionReads",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "s3:GetObject",
            Resource: `${arn}/*`,
            Condition: { StringEquals: { "AWS:SourceArn": reader } },
          }] : []),
        ],
      })),
    }, { parent: this, dependsOn: [publicAccess] }); // S3 refuses a policy while the block is being set
    this.registerOutputs({ bucketName: this.bucket.id, bucketArn: this.bucket.arn });
  }
}
