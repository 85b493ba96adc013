/**
 * How the built page's files are served, by CloudFront (ChatSite) and by the local stack alike.
 * No build tooling here: the published package uses this with the page it ships already built.
 */
import { join } from "node:path";

/** Where `npm run build` writes the page; in the published package, the page it ships. */
export const builtSiteDir = join(__dirname, "dist");

/** Files whose name carries a content hash: safe to cache for ever. */
const hashedName = /-[0-9a-f]{10}\.(js|css)$/;

const contentTypes: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json; charset=utf-8",
};

/** How a built file is served: its type, and how long browsers and CloudFront may keep it. */
export function servingOf(file: string): { contentType: string; cacheControl: string } {
  return {
    contentType: contentTypes[file.slice(file.lastIndexOf(".") + 1)] ?? "application/octet-stream",
    cacheControl: hashedName.test(file) ? "public, max-age=31536000, immutable" : "no-cache",
  };
}
