/**
 * Serves the built customer site with the headers CloudFront would add, and its config.json: with
 * CORS for the pages that embed the widget (`embedOrigins`), as ChatSite's response headers policy
 * for config.json does. The rest needs none: a classic script and a stylesheet load cross-origin.
 */
import { readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { servingOf } from "../www/serving";
import { contentSecurityPolicy, otherSecurityHeaders } from "../www/security-headers";

export function staticSite(dir: string, config: Record<string, unknown>, origin: string, embedOrigins: string[] = []) {
  const headers = {
    "content-security-policy": contentSecurityPolicy({ apiOrigins: [], participant: { localOrigin: origin } }),
    ...otherSecurityHeaders,
  };
  const configJson = JSON.stringify(config);
  const root = resolve(dir);
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
    let wanted: string | undefined;
    try {
      wanted = path === "/" ? "index.html" : decodeURIComponent(path);
    } catch {
      wanted = undefined;
    }
    // Not valid percent-encoding, or a NUL byte, which no file name holds.
    if (wanted === undefined || wanted.includes("\0")) {
      res.writeHead(400, { ...headers, "content-type": "text/plain" }).end("Bad request: the path is not valid percent-encoding, or holds a NUL byte");
      return;
    }
    // Inside the folder, by path.relative: a prefix test (file.startsWith(dir)) also lets through
    // a sibling whose name starts the same way, dist-private beside dist.
    const file = resolve(join(root, wanted));
    const inside = relative(root, file);
    const outside = inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside);
    if (outside || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404, { ...headers, "content-type": "text/plain" }).end("Not found");
      return;
    }
    const { contentType, cacheControl } = servingOf(file);
    res.writeHead(200, { ...headers, "content-type": contentType, "cache-control": cacheControl });
    res.end(req.method === "HEAD" ? undefined : readFileSync(file));
  };
}
