/**
 * Who is calling, as far as the request itself can prove it: which site a browser request comes
 * from, whether it came through our CloudFront distribution, and the client's address (the key of
 * the per-client limit on new chats).
 */
import { timingSafeEqual } from "node:crypto";
import { fail, type HttpApiEvent } from "../http";
import type { StartChatSettings } from "./settings";

/** The header ChatSite's CloudFront adds on the way to the API, holding the current origin secret. */
export const originSecretHeader = "x-connect-chat-origin";

/**
 * Refuses a browser request from a site that is neither ours nor allowed, before anything is
 * created. CORS cannot do this: a page can send a "simple" POST (text/plain, `mode: "no-cors"`)
 * without a preflight, and CORS only hides the answer. Browsers attach `Sec-Fetch-Site` and `Origin`
 * to such requests and page script cannot forge either (both are forbidden request headers, Fetch
 * standard §2.2.2). `Sec-Fetch-Site: same-origin` is the page on our own site (`/api/chat` behind
 * CloudFront); a request with neither header is not from a browser, and is left to the other limits.
 */
export function checkBrowserOrigin(headers: HttpApiEvent["headers"], settings: Pick<StartChatSettings, "allowedOrigins">): void {
  const site = headers?.["sec-fetch-site"];
  const origin = headers?.origin;
  if (site === "same-origin" || site === "none") return;
  if (site === undefined && origin === undefined) return;
  if (origin !== undefined && settings.allowedOrigins.includes(origin)) return;
  fail({ status: 403, code: "FOREIGN_ORIGIN", message: "Chats can only be started from this site's own pages." });
}

/**
 * The calling client's address, for limits. Behind ChatSite the connection comes from a CloudFront
 * edge, so the client is the viewer address CloudFront reports (`CloudFront-Viewer-Address`,
 * "ip:port"), trusted only with the origin secret that proves CloudFront added it. That also
 * closes the API's own execute-api URL to callers who would skip the site's protections. An IPv6
 * client is its /64: one subscriber usually holds the whole prefix.
 */
export function clientAddress(event: HttpApiEvent, settings: Pick<StartChatSettings, "originSecrets">): string {
  if (settings.originSecrets.length === 0) return networkOf(event.requestContext?.http?.sourceIp ?? "unknown");
  const presented = Buffer.from(event.headers?.[originSecretHeader] ?? "");
  // timingSafeEqual: a mismatch takes as long wherever it is, so the secret cannot be guessed byte by byte.
  const known = settings.originSecrets.some((secret) => secret.length === presented.length && timingSafeEqual(Buffer.from(secret), presented));
  if (!known) fail({ status: 403, code: "NOT_THROUGH_SITE", message: "Use the chat through its site." });
  const viewer = event.headers?.["cloudfront-viewer-address"];
  return networkOf(viewer ? viewer.slice(0, viewer.lastIndexOf(":")) : "unknown");
}

/** An IPv4 address as it is; an IPv6 address as its /64 prefix. */
export function networkOf(address: string): string {
  if (!address.includes(":")) return address;
  const [head, tail = ""] = address.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const groups = [...headGroups, ...Array(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill("0"), ...tailGroups];
  return `${groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(":")}::/64`;
}
