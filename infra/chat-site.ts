import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { builtSiteDir, servingOf } from "../www/serving";
import { contentSecurityPolicy, otherSecurityHeaders } from "../www/security-headers";
import { ArgChecks } from "./args";
import { PrivateBucket } from "./private-bucket";

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
  priceClass?: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
  /** Origins allowed to frame the page (CSP frame-ancestors). Default none. Embedding by script tag needs none. */
  frameAncestors?: string[];
  /** Serve on your own domain: its names and an ACM certificate for them in us-east-1. */
  domain?: { names: string[]; certificateArn: pulumi.Input<string> };
  /** Delete the site's files with the bucket on `pulumi destroy`. Default true: every deploy uploads them again. */
  forceDestroy?: boolean;
}

// AWS managed CloudFront policies (the same ids in every account).
const managedPolicies = {
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
};

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

  constructor(name: string, args: ChatSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("connect-chat:index:ChatSite", name, {}, opts);
    const siteDir = args.siteDir ?? builtSiteDir;
    checkArgs(this, args, siteDir);
    const parent = { parent: this };
    const apiBehindSite = args.apiBehindSite ?? true;
    const region = args.region ?? aws.getRegionOutput({}, parent).region;
    const apiUrl = pulumi.output(args.apiUrl);
    const apiOrigin = apiUrl.apply((url) => new URL(url).origin);

    const headers = new aws.cloudfront.ResponseHeadersPolicy(`${name}-headers`, {
      comment: "connect-chat customer site: CSP, HSTS, nosniff, referrer policy",
      securityHeadersConfig: {
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
        ...(args.frameAncestors?.length ? {} : { frameOptions: { override: true, frameOption: "DENY" } }),
      },
    }, parent);

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
        }] : []),
      ],
      defaultCacheBehavior: {
        targetOriginId: "site",
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: managedPolicies.cachingOptimized,
        responseHeadersPolicyId: headers.id,
      },
      orderedCacheBehaviors: rewrite ? [{
        pathPattern: "/api/*",
        targetOriginId: "api",
        viewerProtocolPolicy: "https-only",
        allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
        cachedMethods: ["GET", "HEAD"],
        compress: true,
        cachePolicyId: managedPolicies.cachingDisabled,
        originRequestPolicyId: managedPolicies.allViewerExceptHostHeader,
        functionAssociations: [{ eventType: "viewer-request", functionArn: rewrite.arn }],
      }] : [],
      restrictions: { geoRestriction: { restrictionType: "none" } },
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
      content: pulumi.all([apiUrl, region]).apply(([url, connectRegion]) => JSON.stringify({ apiUrl: apiBehindSite ? "/api/chat" : url, region: connectRegion })),
      ...servingOf("config.json"),
    }, parent);

    this.url = args.domain ? pulumi.output(`https://${args.domain.names[0]}`) : pulumi.interpolate`https://${distribution.domainName}`;
    this.scriptUrl = pulumi.interpolate`${this.url}/connect-chat.js`;
    this.distributionId = distribution.id;
    this.bucketName = files.bucket.id;
    this.registerOutputs({ url: this.url, scriptUrl: this.scriptUrl, distributionId: this.distributionId, bucketName: this.bucketName });
  }
}

const priceClasses: ChatSiteArgs["priceClass"][] = ["PriceClass_100", "PriceClass_200", "PriceClass_All"];

function checkArgs(site: ChatSite, args: ChatSiteArgs, siteDir: string): void {
  const { domain } = args;
  const certificateArn = domain?.certificateArn;
  new ArgChecks(site)
    .httpsUrl("apiUrl", args.apiUrl)
    .expect(existsSync(join(siteDir, "connect-chat.js")), "siteDir", `${siteDir} holds no built page (no connect-chat.js): run \`npm run build\`, or pass the folder buildSite() wrote`)
    .oneOf("priceClass", args.priceClass, priceClasses)
    .origins("frameAncestors", args.frameAncestors, true)
    .expect(!domain || domain.names.length > 0, "domain.names", "must name at least one domain")
    // CloudFront takes certificates from us-east-1 only, whatever the stack's region.
    .expect(typeof certificateArn !== "string" || /^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\//.test(certificateArn), "domain.certificateArn", `must be an ACM certificate ARN in us-east-1, got "${certificateArn}"`)
    .done();
}
