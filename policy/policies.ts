/**
 * The connect-chat policies: what keeps a deployment of our components (infra/) safe when a
 * consumer's config, transform or hand-written resource changes it. Each rule is what the
 * components themselves do; a violation says what to change. No side effects: index.ts serves
 * these, tests call them directly.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { originProblem } from "../handlers/start-chat/cors";
import { forTypes, known, labelOf, pending, refersTo } from "./resources";

const types = {
  table: "aws:dynamodb/table:Table",
  stage: "aws:apigatewayv2/stage:Stage",
  api: "aws:apigatewayv2/api:Api",
  responseHeadersPolicy: "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
  bucket: "aws:s3/bucket:Bucket",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  distribution: "aws:cloudfront/distribution:Distribution",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
};

interface TableProps {
  pointInTimeRecovery?: { enabled?: boolean };
  serverSideEncryption?: { enabled?: boolean };
}

const pointInTimeRecovery: ResourceValidationPolicy = {
  name: "dynamodb-point-in-time-recovery",
  description: "DynamoDB tables (the chats table) keep point-in-time recovery on, so a bad write or delete can be undone (up to 35 days back).",
  enforcementLevel: "mandatory",
  validateResource: forTypes<TableProps>([types.table], (table, args, reportViolation) => {
    if (table.pointInTimeRecovery?.enabled !== true) {
      reportViolation(`${labelOf(args)} has point-in-time recovery off: set pointInTimeRecovery: { enabled: true } (ChatApi does).`);
    }
  }),
};

const tableEncryption: ResourceValidationPolicy = {
  name: "dynamodb-kms-encryption",
  description: "DynamoDB tables are encrypted with a KMS key of the account (serverSideEncryption on: aws/dynamodb or your own), whose use CloudTrail records and whose grants decide who can read customers' chat records.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<TableProps>([types.table], (table, args, reportViolation) => {
    if (table.serverSideEncryption?.enabled !== true) {
      reportViolation(`${labelOf(args)} is not encrypted with a KMS key: set serverSideEncryption: { enabled: true } (ChatApi does).`);
    }
  }),
};

interface StageProps {
  defaultRouteSettings?: { throttlingRateLimit?: number; throttlingBurstLimit?: number };
}
const throttlingLimits = ["throttlingRateLimit", "throttlingBurstLimit"] as const;

const stageThrottling: ResourceValidationPolicy = {
  name: "apigateway-stage-throttling",
  description: "API Gateway (v2: HTTP and WebSocket) stages set a rate and a burst limit above 0, so one client cannot drive the function and Connect's API quotas without bound.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<StageProps>([types.stage], (stage, args, reportViolation) => {
    const unset = throttlingLimits.filter((limit) => !((stage.defaultRouteSettings?.[limit] ?? 0) > 0));
    if (unset.length > 0) {
      reportViolation(`${labelOf(args)} leaves defaultRouteSettings.${unset.join(" and ")} unset or 0 (API Gateway's account-wide limit then applies): set both above 0 (connect-chat config throttle: { rateLimit, burstLimit }).`);
    }
  }),
};

interface CorsProps {
  corsConfiguration?: { allowOrigins?: string[] };
  corsConfig?: { accessControlAllowOrigins?: { items?: string[] } };
}
/** Where each resource with CORS rules lists its allowed origins. */
const corsOrigins: Record<string, { path: string; of: (props: CorsProps) => string[] | undefined }> = {
  [types.api]: { path: "corsConfiguration.allowOrigins", of: (props) => props.corsConfiguration?.allowOrigins },
  [types.responseHeadersPolicy]: { path: "corsConfig.accessControlAllowOrigins.items", of: (props) => props.corsConfig?.accessControlAllowOrigins?.items },
};

const corsOriginsExact: ResourceValidationPolicy = {
  name: "cors-exact-origins",
  description: "CORS rules (the API's, and the site's config.json for embedding pages) allow exact https origins only: no wildcard (with allowCredentials or without), which would let any site's pages start chats and read the answers, and no plain http except loopback, whose pages anyone on the network path can rewrite.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<CorsProps>(Object.keys(corsOrigins), (props, args, reportViolation) => {
    const { path, of } = corsOrigins[args.type];
    for (const origin of of(props) ?? []) {
      const problem = originProblem(origin);
      if (problem) reportViolation(`${labelOf(args)}: ${path} "${origin}" ${problem}. List the exact origins of the pages allowed to call it (connect-chat config allowedOrigins).`);
    }
  }),
};

const publicAccessFlags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

const bucketPrivate: StackValidationPolicy = {
  name: "s3-bucket-private",
  description: "Every S3 bucket in the stack is private as PrivateBucket makes it: a public access block with all four flags on, and object ownership BucketOwnerEnforced (ACLs off).",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const ofType = (type: string) => args.resources.filter((resource) => resource.type === type);
    for (const bucket of ofType(types.bucket)) {
      // A bucket's id is its name: what the resources that name it hold.
      const bucketName = known(() => bucket.props.bucket as string | undefined);
      const naming = (type: string) => ofType(type).filter((resource) => refersTo(resource, "bucket", bucket, bucketName));

      const blocks = naming(types.publicAccessBlock);
      if (blocks.length === 0) {
        reportViolation(`${labelOf(bucket)} has no public access block: add an aws.s3.BucketPublicAccessBlock for it with ${publicAccessFlags.join(", ")} all true (PrivateBucket does).`, bucket.urn);
      }
      for (const block of blocks) {
        const notOn = publicAccessFlags.filter((flag) => known(() => block.props[flag]) !== true);
        if (notOn.length > 0) reportViolation(`${labelOf(block)} does not set ${notOn.join(", ")} to true for bucket "${bucket.name}": set all four flags to true.`, block.urn);
      }

      const controls = naming(types.ownershipControls);
      if (controls.length === 0) {
        reportViolation(`${labelOf(bucket)} has no ownership controls, so ACLs can grant access: add an aws.s3.BucketOwnershipControls for it with rule: { objectOwnership: "BucketOwnerEnforced" } (PrivateBucket does).`, bucket.urn);
      }
      for (const control of controls) {
        if (known(() => control.props.rule?.objectOwnership) !== "BucketOwnerEnforced") {
          reportViolation(`${labelOf(control)} does not set rule.objectOwnership to "BucketOwnerEnforced" for bucket "${bucket.name}": set it, which turns ACLs off.`, control.urn);
        }
      }
    }
  },
};

interface AclProps {
  acl?: string;
  grants?: { uri?: string }[];
  accessControlPolicy?: { grants?: { grantee?: { uri?: string } }[] };
}
/** Canned ACLs that grant everyone, or every AWS account, access. */
const publicCannedAcls = ["public-read", "public-read-write", "authenticated-read"];
const publicGrantees = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];

const noPublicAcls: ResourceValidationPolicy = {
  name: "s3-no-public-acls",
  description: "No S3 bucket or object is granted to everyone (or every AWS account) by a canned ACL or an ACL grant.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<AclProps>(
    [types.bucket, "aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/bucketObject:BucketObject"],
    (props, args, reportViolation) => {
      if (props.acl && publicCannedAcls.includes(props.acl)) {
        reportViolation(`${labelOf(args)} sets acl "${props.acl}": remove it (connect-chat's buckets need no ACL: CloudFront reads the site's files through Origin Access Control).`);
      }
      const grantees = [...(props.grants ?? []).map((grant) => grant.uri), ...(props.accessControlPolicy?.grants ?? []).map((grant) => grant.grantee?.uri)];
      for (const grantee of grantees.filter((uri): uri is string => publicGrantees.includes(uri ?? ""))) {
        reportViolation(`${labelOf(args)} grants ${grantee}: remove that grant.`);
      }
    },
  ),
};

interface ProductionConfig {
  productionStacks?: string[];
}
const defaultProductionStacks = ["prod", "production"];

/** Whether `stack` matches one of `patterns`, where `*` stands for any run of characters. */
function matchesAny(stack: string, patterns: string[]): boolean {
  const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  return patterns.some((pattern) => new RegExp(`^${pattern.split("*").map(escape).join(".*")}$`).test(stack));
}

/**
 * A policy pack learns its stack as the program does, from PULUMI_NODEJS_STACK (what
 * `pulumi.getStack()` reads): the Node language host sets it for the pack's process from the
 * engine's ConfigureStack request (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go,
 * `RunPlugin`; the older pulumi-analyzer-policy path sets it too: pkg/resource/plugin/
 * analyzer_plugin.go, `constructEnv`). `currentStack` reads it when a resource is checked.
 */
function wafInProduction(currentStack: () => string): ResourceValidationPolicy {
  return {
    name: "cloudfront-waf-in-production",
    description: `CloudFront distributions (the chat site) have an AWS WAF web ACL in production stacks: those whose name matches the config productionStacks (default ${defaultProductionStacks.join(", ")}; * matches any run of characters).`,
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        productionStacks: {
          type: "array",
          items: { type: "string" },
          default: defaultProductionStacks,
          description: "Names of the production stacks; * matches any run of characters, e.g. prod-*.",
        },
      },
    },
    validateResource: forTypes<{ webAclId?: string }>([types.distribution], (distribution, args, reportViolation) => {
      const stack = currentStack();
      const productionStacks = args.getConfig<ProductionConfig>().productionStacks ?? defaultProductionStacks;
      if (!matchesAny(stack, productionStacks)) return;
      // A web ACL the stack creates has an ARN preview cannot know yet: it is there all the same.
      const webAclId = known(() => distribution.webAclId);
      if (webAclId === pending || webAclId) return;
      reportViolation(`${labelOf(args)} has no AWS WAF web ACL, and stack "${stack}" is a production stack (productionStacks: ${productionStacks.join(", ")}): turn on the site's WAF (connect-chat config siteWaf: true; ChatSite's waf) or set webAclId to your own web ACL's ARN.`);
    }),
  };
}

const logRetention: ResourceValidationPolicy = {
  name: "cloudwatch-log-retention",
  description: "CloudWatch log groups (function and API access logs, which hold customers' IP addresses) expire their logs: retentionInDays is set.",
  enforcementLevel: "mandatory",
  validateResource: forTypes<{ retentionInDays?: number }>([types.logGroup], (logGroup, args, reportViolation) => {
    if (!((logGroup.retentionInDays ?? 0) > 0)) {
      reportViolation(`${labelOf(args)} keeps its logs forever: set retentionInDays (connect-chat config logRetentionDays).`);
    }
  }),
};

/** Every policy, with the production check reading the stack's name from `currentStack`. */
export function policiesFor(currentStack: () => string): Policies {
  return [pointInTimeRecovery, tableEncryption, stageThrottling, corsOriginsExact, bucketPrivate, noPublicAcls, wafInProduction(currentStack), logRetention];
}

/** The pack's policies, for the stack the Pulumi CLI runs them on. */
export const policies = policiesFor(pulumi.getStack);
