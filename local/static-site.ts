/**
 * Serves the built customer site with the headers CloudFront would add, and its config.json: with
 * CORS for the pages that embed the widget (`embedOrigins`), as ChatSite's response headers policy
 * for config.json does. The rest needs none: a classic script and a stylesheet load cross-origin.
 */
import { readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, normalize } from "node:path";
import { servingOf } from "../www/serving";
import { contentSecurityPolicy, otherSecurityHeaders } from "../www/security-headers";

export function staticSite(dir: string, config: Record<string, unknown>, origin: string, embedOrigins: string[] = []) {
  const headers = {
    "content-security-policy": contentSecurityPolicy({ apiOrigins: [], participant: { localOrigin: origin } }),
    ...otherSecurityHeaders,
  };
  const configJson = JSON.stringify(config);
  return (req: IncomingMessage, res: ServerResponse, path: string): void => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/config.json") {
      const { contentType, cacheControl } = servingOf("config.json");
      const requester = req.headers.origin;
      const cors = requester && embedOrigins.includes(requester) ? { "access-control-allow-origin": requester, vary: "origin" } : {};
      res.writeHead(200, { ...headers, ...cors, "content-type": contentType, "cache-control": cacheControl }).end(configJson);
      return;
    }
    const file = normalize(join(dir, path === "/" ? "index.html" : decodeURIComponent(path)));
    if (!file.startsWith(dir) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404, { ...headers, "content-type": "text/plain" }).end("Not found");
      return;
    }
    const { contentType, cacheControl } = servingOf(file);
    res.writeHead(200, { ...headers, "content-type": contentType, "cache-control": cacheControl });
    res.end(req.method === "HEAD" ? undefined : readFileSync(file));
  };
}
