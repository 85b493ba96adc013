/** ChatSite under Pulumi's mocks: bucket, CloudFront, headers, uploaded files, config.json. */
import { readdirSync } from "node:fs";
import { expect } from "chai";
import { ChatSite, type ChatSiteArgs } from "../infra";
import { buildSite } from "../www/build";
import { allRegistered, mockAccount, useMocks, valueOf, type MockResource } from "./support/pulumi-mocks";

const apiUrl = "https://abc123.execute-api.us-east-1.amazonaws.com/chat";

async function deploy(extra: Partial<ChatSiteArgs> = {}) {
  const resources = useMocks();
  const site = new ChatSite("site", { apiUrl, siteDir: built, ...extra });
  await allRegistered();
  const url = await valueOf(site.url);
  const all = (type: string) => resources.filter((r: MockResource) => r.type === type);
  const one = (type: string) => {
    const found = all(type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0].inputs;
  };
  return { resources, site, url, all, one };
}

let built: string;

describe("ChatSite (Pulumi mocks)", () => {
  let deployed: Awaited<ReturnType<typeof deploy>>;
  before(async () => {
    built = buildSite("test-output/site-build").dir;
    deployed = await deploy();
  });

  it("keeps the bucket private: only this distribution reads it, only over TLS", () => {
    expect(deployed.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")).to.deep.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(deployed.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
    expect(JSON.parse(deployed.one("aws:s3/bucketPolicy:BucketPolicy").policy).Statement).to.deep.equal([
      { Sid: "DenyWithoutTls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::site-files", "arn:aws:s3:::site-files/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } },
      {
        Sid: "OnlyThisDistributionReads", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject",
        Resource: "arn:aws:s3:::site-files/*", Condition: { StringEquals: { "AWS:SourceArn": `arn:aws:cloudfront::${mockAccount.accountId}:distribution/site-cdn-id` } },
      },
    ]);
  });

  it("reads the bucket through Origin Access Control, signed, never OAI", () => {
    expect(deployed.one("aws:cloudfront/originAccessControl:OriginAccessControl")).to.deep.include({ originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" });
    const [siteOrigin] = deployed.one("aws:cloudfront/distribution:Distribution").origins;
    expect(siteOrigin).to.deep.equal({ originId: "site", domainName: "site-files.s3.us-east-1.amazonaws.com", originAccessControlId: "site-oac-id" });
  });

  it("serves HTTPS only, from index.html, compressed, with the headers policy", async () => {
    const cdn = deployed.one("aws:cloudfront/distribution:Distribution");
    expect(cdn).to.deep.include({ enabled: true, defaultRootObject: "index.html", priceClass: "PriceClass_100", httpVersion: "http2and3" });
    expect(cdn.defaultCacheBehavior).to.deep.include({ viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], compress: true, responseHeadersPolicyId: "site-headers-id" });
    expect(cdn.viewerCertificate).to.deep.equal({ cloudfrontDefaultCertificate: true });
    expect(deployed.url).to.equal("https://site-cdn.cloudfront.net");
    expect(await valueOf(deployed.site.scriptUrl)).to.equal("https://site-cdn.cloudfront.net/connect-chat.js");
  });

  describe("embedded on other origins (embedOrigins)", () => {
    const shop = "https://shop.example.com";

    /**
     * What CloudFront answers a GET with this Origin, from a response headers policy's CORS config:
     * Access-Control-Allow-Origin only when the Origin is one of its items (CloudFront developer
     * guide, "Understand response headers policies", CORS section; originOverride: true).
     */
    function corsAnswer(policy: MockResource["inputs"] | undefined, origin: string): Record<string, string> {
      const cors = policy?.corsConfig;
      if (!cors || !(cors.accessControlAllowOrigins.items as string[]).includes(origin)) return {};
      return { "access-control-allow-origin": origin, "access-control-allow-methods": cors.accessControlAllowMethods.items.join(",") };
    }

    it("answers an allowed origin's fetch of config.json with CORS, and another origin's without", async () => {
      const { all, one } = await deploy({ embedOrigins: [shop] });
      const cdn = one("aws:cloudfront/distribution:Distribution");
      const configBehaviour = cdn.orderedCacheBehaviors.find((behaviour: { pathPattern: string }) => behaviour.pathPattern === "/config.json");
      const policy = all("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").find((r) => `${r.name}-id` === configBehaviour.responseHeadersPolicyId);
      expect(corsAnswer(policy?.inputs, shop)).to.deep.equal({ "access-control-allow-origin": shop, "access-control-allow-methods": "GET,HEAD" });
      expect(corsAnswer(policy?.inputs, "https://evil.example")).to.deep.equal({});
      expect(policy!.inputs.corsConfig.accessControlAllowCredentials).to.equal(false);
      // The same security headers as every other answer of the site.
      const sitePolicy = all("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").find((r) => r.name === "site-headers")!;
      expect(policy!.inputs.securityHeadersConfig).to.deep.equal(sitePolicy.inputs.securityHeadersConfig);
    });

    it("answers no origin but its own without embedOrigins", async () => {
      const cdn = deployed.one("aws:cloudfront/distribution:Distribution");
      expect(cdn.orderedCacheBehaviors.map((behaviour: { pathPattern: string }) => behaviour.pathPattern)).to.deep.equal(["/api/*"]);
      expect(deployed.all("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy").every((r) => r.inputs.corsConfig === undefined)).to.equal(true);
    });
  });

  it("sends a CSP limited to the site and Connect's participant service, plus HSTS, nosniff, referrer policy", () => {
    const { securityHeadersConfig } = deployed.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy");
    expect(securityHeadersConfig.contentSecurityPolicy).to.deep.equal({
      override: true,
      contentSecurityPolicy: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
        "connect-src 'self' https://participant.connect.us-east-1.amazonaws.com wss://*.transport.connect.us-east-1.amazonaws.com https://*.s3.us-east-1.amazonaws.com; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'",
    });
    expect(securityHeadersConfig).to.deep.include({
      strictTransportSecurity: { override: true, accessControlMaxAgeSec: 63072000, includeSubdomains: true },
      contentTypeOptions: { override: true },
      referrerPolicy: { override: true, referrerPolicy: "strict-origin-when-cross-origin" },
      frameOptions: { override: true, frameOption: "DENY" },
    });
  });

  it("routes /api/* to the API, uncached, rewriting /api/chat to the API's /chat", () => {
    const cdn = deployed.one("aws:cloudfront/distribution:Distribution");
    expect(cdn.origins[1]).to.deep.equal({ originId: "api", domainName: "abc123.execute-api.us-east-1.amazonaws.com", customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } });
    const [api] = cdn.orderedCacheBehaviors;
    expect(api).to.deep.include({ pathPattern: "/api/*", targetOriginId: "api", viewerProtocolPolicy: "https-only" });
    expect(api.allowedMethods).to.include.members(["POST", "OPTIONS"]);
    const { code, runtime } = deployed.one("aws:cloudfront/function:Function");
    expect(runtime).to.equal("cloudfront-js-2.0");
    const handler = new Function(`${code}; return handler;`)() as (event: { request: { uri: string } }) => { uri: string };
    expect(handler({ request: { uri: "/api/chat" } }).uri).to.equal("/chat");
  });

  it("sends the security headers on /api/* answers too", () => {
    const [api] = deployed.one("aws:cloudfront/distribution:Distribution").orderedCacheBehaviors;
    expect(api.responseHeadersPolicyId).to.equal("site-headers-id");
  });

  it("forwards to the API the viewer headers it reads, Authorization, and CloudFront-Viewer-Address, never Host", () => {
    const [api] = deployed.one("aws:cloudfront/distribution:Distribution").orderedCacheBehaviors;
    expect(api).to.deep.include({ originRequestPolicyId: "site-api-origin-request-id", cachePolicyId: "site-api-cache-id" });
    const forwarded = deployed.one("aws:cloudfront/originRequestPolicy:OriginRequestPolicy");
    expect(forwarded.headersConfig.headerBehavior).to.equal("whitelist");
    expect(forwarded.headersConfig.headers.items).to.include.members(["CloudFront-Viewer-Address", "Origin", "Sec-Fetch-Site", "Access-Control-Request-Method", "Access-Control-Request-Headers"]);
    expect(forwarded.headersConfig.headers.items.map((h: string) => h.toLowerCase())).to.not.include.members(["host"]).and.not.include("x-connect-chat-origin");
    expect(forwarded).to.deep.include({ cookiesConfig: { cookieBehavior: "none" }, queryStringsConfig: { queryStringBehavior: "none" } });
    // Authorization (signed-in mode's JWT) can only be forwarded by a cache policy; nothing is cached for longer than 1 s.
    const cache = deployed.one("aws:cloudfront/cachePolicy:CachePolicy");
    expect(cache).to.deep.include({ minTtl: 0, defaultTtl: 0, maxTtl: 1 });
    expect(cache.parametersInCacheKeyAndForwardedToOrigin.headersConfig).to.deep.equal({ headerBehavior: "whitelist", headers: { items: ["Authorization"] } });
  });

  it("adds no origin secret and no web ACL unless asked", () => {
    const cdn = deployed.one("aws:cloudfront/distribution:Distribution");
    expect(cdn.origins[1]).to.not.have.property("customHeaders");
    expect(cdn).to.not.have.property("webAclId");
    expect(deployed.all("aws:wafv2/webAcl:WebAcl")).to.deep.equal([]);
  });

  it("sends the origin secret to the API origin only, in x-connect-chat-origin", async () => {
    const { one } = await deploy({ apiOriginSecret: "s3cr3tS3CR3Ts3cr3tS3CR3Ts3cr3tS3CR3T" });
    const [siteOrigin, apiOrigin] = one("aws:cloudfront/distribution:Distribution").origins;
    expect(apiOrigin.customHeaders).to.deep.equal([{ name: "x-connect-chat-origin", value: "s3cr3tS3CR3Ts3cr3tS3CR3Ts3cr3tS3CR3T" }]);
    expect(siteOrigin).to.not.have.property("customHeaders");
  });

  it("with waf: a CloudFront web ACL in us-east-1 with AWS managed rules and a per-IP limit on /api/, on the distribution", async () => {
    const { one } = await deploy({ waf: {} });
    const acl = one("aws:wafv2/webAcl:WebAcl");
    expect(acl).to.deep.include({ scope: "CLOUDFRONT", region: "us-east-1", defaultAction: { allow: {} } });
    expect(acl.rules.map((rule: { name: string; priority: number }) => [rule.priority, rule.name])).to.deep.equal([
      [0, "aws-ip-reputation"], [1, "api-requests-per-ip"], [2, "aws-common-rules"],
    ]);
    const [reputation, perIp, common] = acl.rules;
    expect(reputation).to.deep.include({ overrideAction: { none: {} } });
    expect(reputation.statement.managedRuleGroupStatement).to.deep.include({ vendorName: "AWS", name: "AWSManagedRulesAmazonIpReputationList" });
    expect(common.statement.managedRuleGroupStatement).to.deep.include({ vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" });
    // The API takes bodies up to 16 KB and answers 413 itself; the rule set's 8 KB body limit only counts.
    expect(common.statement.managedRuleGroupStatement.ruleActionOverrides).to.deep.equal([{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]);
    expect(perIp.statement.rateBasedStatement).to.deep.equal({
      limit: 100, evaluationWindowSec: 300, aggregateKeyType: "IP",
      scopeDownStatement: { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: "STARTS_WITH", searchString: "/api/", textTransformations: [{ priority: 0, type: "URL_DECODE" }] } },
    });
    // Refused starts get the API's own JSON error shape, as a 429.
    expect(perIp.action.block.customResponse).to.deep.include({ responseCode: 429, customResponseBodyKey: "too-many-requests" });
    const [body] = acl.customResponseBodies;
    expect(body).to.deep.include({ key: "too-many-requests", contentType: "APPLICATION_JSON" });
    expect(JSON.parse(body.content).error.code).to.equal("THROTTLED");
    for (const rule of acl.rules) expect(rule.visibilityConfig).to.deep.equal({ cloudwatchMetricsEnabled: true, metricName: rule.name, sampledRequestsEnabled: true });
    expect(one("aws:cloudfront/distribution:Distribution").webAclId).to.equal("arn:aws:wafv2:us-east-1:123456789012:site-waf");
  });

  it("with waf and no managed rules: only the per-IP limit, at the given rate", async () => {
    const { one } = await deploy({ waf: { apiRequestsPer5Minutes: 20, managedRules: false } });
    const acl = one("aws:wafv2/webAcl:WebAcl");
    expect(acl.rules.map((rule: { name: string }) => rule.name)).to.deep.equal(["api-requests-per-ip"]);
    expect(acl.rules[0].statement.rateBasedStatement.limit).to.equal(20);
  });

  it("uploads every built file with its type and cache rule, and config.json pointing at /api/chat", () => {
    const objects: Record<string, MockResource["inputs"]> = Object.fromEntries(deployed.all("aws:s3/bucketObjectv2:BucketObjectv2").map((r) => [r.inputs.key, r.inputs]));
    expect(Object.keys(objects).sort()).to.deep.equal([...readdirSync(built), "config.json"].sort());
    for (const [key, object] of Object.entries(objects)) {
      const hashed = /-[0-9a-f]{10}\.(js|css)$/.test(key);
      expect(object.cacheControl, key).to.equal(hashed ? "public, max-age=31536000, immutable" : "no-cache");
    }
    expect(objects["index.html"].contentType).to.equal("text/html; charset=utf-8");
    expect(objects["connect-chat.js"].contentType).to.equal("text/javascript; charset=utf-8");
    expect(JSON.parse(objects["config.json"].content)).to.deep.equal({ apiUrl: "/api/chat", region: "us-east-1" });
  });

  it("without the API behind it: config names the API and the CSP allows its origin", async () => {
    const { one, all } = await deploy({ apiBehindSite: false, region: "eu-west-2", frameAncestors: ["https://shop.example.com"] });
    const config = all("aws:s3/bucketObjectv2:BucketObjectv2").find((r) => r.inputs.key === "config.json")!.inputs;
    expect(JSON.parse(config.content)).to.deep.equal({ apiUrl, region: "eu-west-2" });
    const { securityHeadersConfig } = one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy");
    expect(securityHeadersConfig.contentSecurityPolicy.contentSecurityPolicy)
      .to.include("connect-src 'self' https://abc123.execute-api.us-east-1.amazonaws.com https://participant.connect.eu-west-2.amazonaws.com")
      .and.include("frame-ancestors https://shop.example.com");
    expect(securityHeadersConfig).to.not.have.property("frameOptions");
    expect(one("aws:cloudfront/distribution:Distribution").orderedCacheBehaviors).to.deep.equal([]);
    expect(all("aws:cloudfront/function:Function")).to.deep.equal([]);
    expect(all("aws:cloudfront/originRequestPolicy:OriginRequestPolicy")).to.deep.equal([]);
    expect(all("aws:cloudfront/cachePolicy:CachePolicy")).to.deep.equal([]);
  });

  it("on a custom domain: its names, its certificate, TLS 1.2 at least", async () => {
    const { one, url } = await deploy({ domain: { names: ["chat.example.com"], certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" }, priceClass: "PriceClass_All" });
    const cdn = one("aws:cloudfront/distribution:Distribution");
    expect(cdn.aliases).to.deep.equal(["chat.example.com"]);
    expect(cdn.viewerCertificate).to.deep.equal({ acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" });
    expect(cdn.priceClass).to.equal("PriceClass_All");
    expect(url).to.equal("https://chat.example.com");
  });
});
