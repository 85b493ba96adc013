import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { originSecretHeader } from "../handlers/start-chat/client";
import { builtSiteDir, servingOf } from "../www/serving";
import { pageContextAttributes } from "../www/src/page-context";
import { contentSecurityPolicy, otherSecurityHeaders } from "../www/security-headers";
import { ArgChecks } from "./args";
import { PrivateBucket } from "./private-bucket";

/** CloudFront price classes: which edge locations serve the page. */
export const PriceClass = {
  /** North America and Europe. */
  PriceClass100: "PriceClass_100",
  /** Those, and Asia, the Middle East and Africa. */
  PriceClass200: "PriceClass_200",
  /** Every edge location. */
  PriceClassAll: "PriceClass_All",
} as const;
export type PriceClass = (typeof PriceClass)[keyof typeof PriceClass];

/** Your own domain for the page. */
export interface SiteDomain {
  /** The names to serve on (point their DNS at the distribution); the first is the page's URL. */
  names: string[];
  /** An ACM certificate for them, in us-east-1 (CloudFront's region). */
  certificateArn: pulumi.Input<string>;
}

export interface ChatSiteArgs {
  /** The start-chat endpoint (`chatApi.url`). */
  apiUrl: pulumi.Input<string>;
  /** Region of the Connect instance, for the participant service the page talks to. Default: the provider's. */
  region?: pulumi.Input<string>;
  /**
   * Serve the API under the site's own origin at `/api/chat`, so the page needs no CORS and the
   * CSP no extra origin. Default true.
   */
  apiBehindSite?: boolean;
  /**
   * A built page: the folder `buildSite()` / `npm run build` writes. Default: the page this package
   * ships built (from a source checkout, `www/dist`, so build it first; the stack's own program
   * builds it on every run).
   */
  siteDir?: string;
  /** CloudFront price class. Default `PriceClass_100` (North America and Europe edges). */
  priceClass?: PriceClass;
  /** Origins allowed to frame the page (CSP frame-ancestors). Default none. Embedding by script tag needs none. */
  frameAncestors?: string[];
  /**
   * Origins whose pages may embed the chat with the script tag (give the same list as ChatApi's
   * `allowedOrigins`): the widget's `config.json` answers them with CORS. The script, its
   * stylesheet and ChatJS load cross-origin without it. Default none: only the site's own page.
   */
  embedOrigins?: string[];
  /**
   * Page-context attributes the widget sends with each new chat: `pageUrl`, `pageTitle`. Each must
   * be in ChatApi's `allowedAttributes`, which refuses the rest (index.ts passes exactly those).
   * Default none.
   */
  pageContext?: string[];
  /** Serve on your own domain: its names and an ACM certificate for them in us-east-1. */
  domain?: SiteDomain;
  /** Delete the site's files with the bucket on `pulumi destroy`. Default true: every deploy uploads them again. */
  forceDestroy?: boolean;
  /**
   * With the API behind the site: a secret CloudFront adds to every request it sends the API, in
   * the `x-connect-chat-origin` header, so the API can refuse callers that skip CloudFront (give
   * the same secrets to ChatApi's `originSecrets`; `OriginSecret` makes and rotates them). Default
   * none.
   */
  apiOriginSecret?: pulumi.Input<string>;
  /**
   * Put AWS WAF in front of the distribution: a web ACL (scope CLOUDFRONT, in us-east-1 whatever
   * the stack's region) with a per-IP limit on `/api/` and, unless turned off, two AWS managed rule
   * groups. Costs: per web ACL, per rule and per million requests (AWS WAF pricing); the AWS
   * managed groups used here carry no subscription fee. Default: no WAF.
   */
  waf?: SiteWaf;
}

/** ChatSite's AWS WAF web ACL. */
/** AWS WAF in front of the distribution. */
export interface SiteWaf {
  /**
   * Requests one IP address may send to `/api/` in any 5 minutes (a rate-based rule: WAF's
   * evaluation window is 300 s, and it allows 10 to 2,000,000,000). Over it, that address gets a
   * JSON 429 (`THROTTLED`) from WAF until its rate falls back under. One chat start is one request,
   * and a resume another; many customers can share one address (offices, mobile carriers).
   * Default 100. Only with `apiBehindSite`.
   */
  apiRequestsPer5Minutes?: number;
  /**
   * Add the AWS managed rule groups `AWSManagedRulesAmazonIpReputationList` (addresses AWS threat
   * intelligence has seen attacking) and `AWSManagedRulesCommonRuleSet` (common exploit patterns;
   * its 8 KB body limit only counts, since the API answers 413 over 16 KB itself). Default true.
   */
  managedRules?: boolean;
}

// AWS managed CloudFront policies (the same ids in every account). The API's are our own (apiForwarding).
const managedPolicies = {
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
};

/**
 * The viewer headers the API needs, and only those: an origin request policy that forwarded every
 * viewer header would forward `Host` too, and API Gateway refuses a Host that is not its own. The
 * start-chat function reads `Origin` and `Sec-Fetch-Site` (which site a browser call comes from) and
 * `CloudFront-Viewer-Address` (the viewer's "ip:port", which CloudFront adds only when an origin
 * request policy names it); API Gateway's CORS needs `Origin` and the preflight's
 * `Access-Control-Request-*`. A header the function starts reading must be added here.
 * `Authorization` (signed-in mode's JWT) cannot be in an origin request policy: the cache policy
 * forwards it.
 */
export const apiViewerHeaders = ["Origin", "Sec-Fetch-Site", "Content-Type", "Access-Control-Request-Method", "Access-Control-Request-Headers", "CloudFront-Viewer-Address"];

/** AWS WAF's bounds for a rate-based rule's limit (RateBasedStatement.Limit). */
const wafRateLimits = { min: 10, max: 2_000_000_000 };

/** The API Gateway route is `POST /chat`; the site exposes it as `/api/chat`. */
const rewriteApiPath = `function handler(event) {
  var request = event.request;
  request.uri = request.uri.replace(/^\\/api\\//, "/");
  return request;
}`;

/**
 * The customer chat page: a private S3 bucket read only by this CloudFront distribution (Origin
 * Access Control), HTTPS only, security headers on every response, the built www/ files with
 * cache headers to match, and a `config.json` that tells the page where its API is.
 */
export class ChatSite extends pulumi.ComponentResource {
  /** `https://…`: the chat page. */
  readonly url: pulumi.Output<string>;
  /** The one script another site embeds. */
  readonly scriptUrl: pulumi.Output<string>;
  /** The CloudFront distribution, e.g. to invalidate `connect-chat.js` after a change. */
  readonly distributionId: pulumi.Output<string>;
  /** The private bucket holding the page's files. */
  readonly bucketName: pulumi.Output<string>;
  /** That bucket itself: add replication, inventory or tags. */
  readonly bucket: aws.s3.Bucket;
  /** The distribution itself: add alarms, logging or tags. */
  readonly distribution: aws.cloudfront.Distribution;
  /** The web ACL, with `waf`: add rules of your own. */
  readonly webAcl?: aws.wafv2.WebAcl;

  constructor(name: string, args: ChatSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("connect-chat:index:ChatSite", name, {}, opts);
    const siteDir = args.siteDir ?? builtSiteDir;
    checkArgs(this, args, siteDir);
    const parent = { parent: this };
    const apiBehindSite = args.apiBehindSite ?? true;
    const region = args.region ?? aws.getRegionOutput({}, parent).region;
    const apiUrl = pulumi.output(args.apiUrl);
    const apiOrigin = apiUrl.apply((url) => new URL(url).origin);

    const securityHeadersConfig = {
        contentSecurityPolicy: {
          override: true,
          contentSecurityPolicy: pulumi.all([apiOrigin, region]).apply(([origin, connectRegion]) => contentSecurityPolicy({
            apiOrigins: apiBehindSite ? [] : [origin],
            participant: { region: connectRegion },
            frameAncestors: args.frameAncestors,
          })),
        },
        strictTransportSecurity: { override: true, accessControlMaxAgeSec: 63072000, includeSubdomains: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { override: true, referrerPolicy: otherSecurityHeaders["referrer-policy"] },
        ...(args.frameAncestors?.length ? {} : { frameOptions: { override: true, frameOption: "DENY" as const } }),
    };
    const headers = new aws.cloudfront.ResponseHeadersPolicy(`${name}-headers`, {
      comment: "connect-chat customer site: CSP, HSTS, nosniff, referrer policy",
      securityHeadersConfig,
    }, parent);
    // config.json for the pages that embed the widget: CloudFront answers an allowed Origin with
    // Access-Control-Allow-Origin, and any other with none (so a browser keeps it from the page).
    const embedding = args.embedOrigins?.length ? new aws.cloudfront.ResponseHeadersPolicy(`${name}-embed-headers`, {
      comment: "connect-chat config.json: the site's headers, and CORS for the pages that embed the widget",
      securityHeadersConfig,
      corsConfig: {
        accessControlAllowOrigins: { items: args.embedOrigins },
        accessControlAllowMethods: { items: ["GET", "HEAD"] },
        accessControlAllowHeaders: { items: ["*"] },
        accessControlAllowCredentials: false,
        accessControlMaxAgeSec: 600,
        originOverride: true,
      },
    }, parent) : undefined;

    const oac = new aws.cloudfront.OriginAccessControl(`${name}-oac`, {
      description: "connect-chat site bucket",
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    }, parent);
    // The bucket's policy names the distribution, which names the bucket: the grant is handed to the
    // bucket as an output that resolves once the distribution exists.
    let grantRead!: (distributionArn: pulumi.Output<string>) => void;
    const reader = pulumi.output(new Promise<pulumi.Output<string>>((resolve) => { grantRead = resolve; }));
    const files = new PrivateBucket(`${name}-files`, { forceDestroy: args.forceDestroy ?? true, cloudFrontReader: reader }, parent);
    const rewrite = apiBehindSite ? new aws.cloudfront.Function(`${name}-api-path`, {
      runtime: "cloudfront-js-2.0",
      comment: "/api/chat on the site is POST /chat on the API",
      code: rewriteApiPath,
      publish: true,
    }, parent) : undefined;
    const apiForwarding = apiBehindSite ? this.apiForwarding(name) : undefined;
    const waf = args.waf && this.createWebAcl(name, args.waf, apiBehindSite);

    // The site's own files, from the bucket: the default behaviour, and config.json's with CORS.
    const siteFiles = {
      targetOriginId: "site",
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["GET", "HEAD"],
      cachedMethods: ["GET", "HEAD"],
      compress: true,
      cachePolicyId: managedPolicies.cachingOptimized,
    };
    const distribution = new aws.cloudfront.Distribution(`${name}-cdn`, {
      enabled: true,
      comment: "connect-chat customer site",
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      defaultRootObject: "index.html",
      priceClass: args.priceClass ?? "PriceClass_100",
      aliases: args.domain?.names,
      viewerCertificate: args.domain
        ? { acmCertificateArn: args.domain.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }
        : { cloudfrontDefaultCertificate: true },
      origins: [
        { originId: "site", domainName: files.bucket.bucketRegionalDomainName, originAccessControlId: oac.id },
        ...(apiBehindSite ? [{
          originId: "api",
          domainName: apiUrl.apply((url) => new URL(url).host),
          customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
          ...(args.apiOriginSecret === undefined ? {} : { customHeaders: [{ name: originSecretHeader, value: args.apiOriginSecret }] }),
        }] : []),
      ],
      defaultCacheBehavior: { ...siteFiles, responseHeadersPolicyId: headers.id },
      orderedCacheBehaviors: [
        ...(embedding ? [{ pathPattern: "/config.json", ...siteFiles, responseHeadersPolicyId: embedding.id }] : []),
        ...(rewrite && apiForwarding ? [{
          pathPattern: "/api/*",
          targetOriginId: "api",
          viewerProtocolPolicy: "https-only",
          allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
          cachedMethods: ["GET", "HEAD"],
          compress: true,
          cachePolicyId: apiForwarding.cachePolicy.id,
          originRequestPolicyId: apiForwarding.originRequestPolicy.id,
          // The API's answers get HSTS, nosniff and the rest too.
          responseHeadersPolicyId: headers.id,
          functionAssociations: [{ eventType: "viewer-request", functionArn: rewrite.arn }],
        }] : []),
      ],
      restrictions: { geoRestriction: { restrictionType: "none" } },
      webAclId: waf?.arn,
    }, parent);

    grantRead(distribution.arn);

    for (const file of readdirSync(siteDir).sort()) {
      new aws.s3.BucketObjectv2(`${name}-${file}`, {
        bucket: files.bucket.id,
        key: file,
        source: new pulumi.asset.FileAsset(join(siteDir, file)),
        ...servingOf(file),
      }, parent);
    }
    new aws.s3.BucketObjectv2(`${name}-config.json`, {
      bucket: files.bucket.id,
      key: "config.json",
      content: pulumi.all([apiUrl, region]).apply(([url, connectRegion]) => JSON.stringify({
        apiUrl: apiBehindSite ? "/api/chat" : url, region: connectRegion, ...(args.pageContext?.length && { pageContext: args.pageContext }),
      })),
      ...servingOf("config.json"),
    }, parent);

    this.url = args.domain ? pulumi.output(`https://${args.domain.names[0]}`) : pulumi.interpolate`https://${distribution.domainName}`;
    this.scriptUrl = pulumi.interpolate`${this.url}/connect-chat.js`;
    this.distributionId = distribution.id;
    this.bucketName = files.bucket.id;
    this.bucket = files.bucket;
    this.distribution = distribution;
    this.webAcl = waf;
    this.registerOutputs({ url: this.url, scriptUrl: this.scriptUrl, distributionId: this.distributionId, bucketName: this.bucketName, bucket: files.bucket, distribution, webAcl: waf });
  }

  /**
   * What CloudFront sends the API: `apiViewerHeaders` by the origin request policy, and
   * `Authorization` by the cache policy, the only place CloudFront lets it be named. Nothing is
   * cached: POST answers never are, and no answer is kept longer than 1 s (a cache policy naming a
   * header must allow some caching; the API sends no Cache-Control, so the default of 0 applies).
   */
  private apiForwarding(name: string) {
    const parent = { parent: this };
    const none = { cookiesConfig: { cookieBehavior: "none" }, queryStringsConfig: { queryStringBehavior: "none" } };
    const originRequestPolicy = new aws.cloudfront.OriginRequestPolicy(`${name}-api-origin-request`, {
      comment: "connect-chat API: the viewer headers it reads, and the viewer's address",
      headersConfig: { headerBehavior: "whitelist", headers: { items: apiViewerHeaders } },
      ...none,
    }, parent);
    const cachePolicy = new aws.cloudfront.CachePolicy(`${name}-api-cache`, {
      comment: "connect-chat API: not cached; forwards Authorization",
      minTtl: 0,
      defaultTtl: 0,
      maxTtl: 1,
      parametersInCacheKeyAndForwardedToOrigin: {
        headersConfig: { headerBehavior: "whitelist", headers: { items: ["Authorization"] } },
        ...none,
      },
    }, parent);
    return { originRequestPolicy, cachePolicy };
  }

  /**
   * The web ACL. CloudFront takes web ACLs from us-east-1 only (scope CLOUDFRONT), so it is made
   * there with the `region` override every regional resource has in @pulumi/aws 7: the same
   * credentials and settings as the rest of the stack, without a second provider to configure.
   */
  private createWebAcl(name: string, waf: SiteWaf, apiBehindSite: boolean): aws.wafv2.WebAcl {
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    const managedGroup = (priority: number, ruleName: string, group: string, overrides?: string[]) => ({
      name: ruleName,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: "AWS",
          name: group,
          ...(overrides ? { ruleActionOverrides: overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })) } : {}),
        },
      },
      visibilityConfig: visibility(ruleName),
    });
    const managedRules = waf.managedRules ?? true;
    const tooManyRequests = "too-many-requests";
    return new aws.wafv2.WebAcl(`${name}-waf`, {
      region: "us-east-1",
      scope: "CLOUDFRONT",
      description: "connect-chat customer site and its API",
      defaultAction: { allow: {} },
      // The same error shape as the API's own answers, so the page shows its sentence for it.
      customResponseBodies: [{
        key: tooManyRequests,
        contentType: "APPLICATION_JSON",
        content: JSON.stringify({ error: { code: "THROTTLED", message: "Too many requests from your network. Please wait a few minutes and try again." } }),
      }],
      rules: [
        ...(managedRules ? [managedGroup(0, "aws-ip-reputation", "AWSManagedRulesAmazonIpReputationList")] : []),
        ...(apiBehindSite ? [{
          name: "api-requests-per-ip",
          priority: 1,
          action: { block: { customResponse: { responseCode: 429, customResponseBodyKey: tooManyRequests, responseHeaders: [{ name: "retry-after", value: "60" }] } } },
          statement: {
            rateBasedStatement: {
              limit: waf.apiRequestsPer5Minutes ?? 100,
              evaluationWindowSec: 300,
              aggregateKeyType: "IP",
              // WAF sees the path before the viewer-request function rewrites it; decoded, so
              // percent-encoding cannot slip a request past the count.
              scopeDownStatement: {
                byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: "STARTS_WITH", searchString: "/api/", textTransformations: [{ priority: 0, type: "URL_DECODE" }] },
              },
            },
          },
          visibilityConfig: visibility("api-requests-per-ip"),
        }] : []),
        // The API takes bodies up to 16 KB and answers 413 above; the rule set's 8 KB body limit only counts.
        ...(managedRules ? [managedGroup(2, "aws-common-rules", "AWSManagedRulesCommonRuleSet", ["SizeRestrictions_BODY"])] : []),
      ],
      visibilityConfig: visibility(`${name}-waf`),
    }, { parent: this });
  }
}

const priceClasses: readonly PriceClass[] = Object.values(PriceClass);

function checkArgs(site: ChatSite, args: ChatSiteArgs, siteDir: string): void {
  const { domain } = args;
  const certificateArn = domain?.certificateArn;
  const rateLimit = args.waf?.apiRequestsPer5Minutes;
  new ArgChecks(site)
    .httpsUrl("apiUrl", args.apiUrl)
    .expect(existsSync(join(siteDir, "connect-chat.js")), "siteDir", `${siteDir} holds no built page (no connect-chat.js): run \`npm run build\`, or pass the folder buildSite() wrote`)
    .oneOf("priceClass", args.priceClass, priceClasses)
    .origins("frameAncestors", args.frameAncestors, true)
    .origins("embedOrigins", args.embedOrigins)
    .expect((args.pageContext ?? []).every((name) => (pageContextAttributes as readonly string[]).includes(name)), "pageContext", `may name only ${pageContextAttributes.join(", ")}, got ${JSON.stringify(args.pageContext)}`)
    .expect(args.apiOriginSecret === undefined || args.apiBehindSite !== false, "apiOriginSecret", "goes with apiBehindSite: with the API not behind the site, CloudFront never calls it")
    .expect(typeof rateLimit !== "number" || (Number.isInteger(rateLimit) && rateLimit >= wafRateLimits.min && rateLimit <= wafRateLimits.max), "waf.apiRequestsPer5Minutes",
      `must be a whole number from ${wafRateLimits.min} to ${wafRateLimits.max} (AWS WAF's bounds for a rate-based rule), got ${rateLimit}`)
    .expect(!args.waf || args.apiBehindSite !== false || args.waf.managedRules !== false, "waf", "would have no rules: its per-IP limit is on /api/, which is not behind the site (apiBehindSite: false), and managedRules is off")
    .expect(!domain || domain.names.length > 0, "domain.names", "must name at least one domain")
    // CloudFront takes certificates from us-east-1 only, whatever the stack's region.
    .expect(typeof certificateArn !== "string" || /^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\//.test(certificateArn), "domain.certificateArn", `must be an ACM certificate ARN in us-east-1, got "${certificateArn}"`)
    .done();
}
