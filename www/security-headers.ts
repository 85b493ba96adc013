/**
 * The security headers the customer site is served with: by CloudFront (infra/chat-site.ts) and by
 * the local stack, from this one definition. The CSP allows scripts and styles only from the site,
 * and connections only to the site, its API, and Amazon Connect's participant service and websocket.
 */
export interface SiteSecurityOptions {
  /** Origins the page may call besides itself (the API, when it is not behind the site's /api). */
  apiOrigins: string[];
  /** Where the participant service and its websocket are. */
  participant: { region: string } | { localOrigin: string };
  /** Who may frame the page: CSP frame-ancestors sources. Default: nobody. */
  frameAncestors?: string[];
}

export function contentSecurityPolicy(options: SiteSecurityOptions): string {
  const participant = "region" in options.participant
    ? [
      `https://participant.connect.${options.participant.region}.amazonaws.com`,
      `wss://*.transport.connect.${options.participant.region}.amazonaws.com`,
      // Attachments go up and come down through pre-signed S3 URLs.
      `https://*.s3.${options.participant.region}.amazonaws.com`,
    ]
    : [options.participant.localOrigin, options.participant.localOrigin.replace(/^http/, "ws")];
  const frameAncestors = options.frameAncestors?.length ? options.frameAncestors.join(" ") : "'none'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${[...options.apiOrigins, ...participant].join(" ")}`,
    `frame-ancestors ${frameAncestors}`,
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ].join("; ");
}

export const otherSecurityHeaders = {
  "strict-transport-security": "max-age=63072000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
};
