/**
 * `/signed-in`, a local-only page for signed-in mode: the customer site's widget mounted as a
 * signed-in site would mount it, with `authToken` (widget.ts MountOptions). The token is the demo
 * customer's from the local issuer, or one given in the address: `/signed-in#token=<JWT>`.
 * Nothing here is part of www/: a real site gets its customers' tokens from its own sign-in.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { contentSecurityPolicy, otherSecurityHeaders } from "../www/security-headers";

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Chat with us (signed in, local)</title>
  <link rel="icon" href="data:,">
</head>
<body>
  <main id="chat"></main>
  <script src="/connect-chat.js"></script>
  <script src="/signed-in/page.js"></script>
</body>
</html>
`;

/** The page's script: mounts the widget with the token, and names the customer it signs in as. */
const script = (demoToken: string) => `"use strict";
(function () {
  var token = new URLSearchParams(location.hash.slice(1)).get("token") || ${JSON.stringify(demoToken)};
  var sub = "";
  try { sub = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).sub; } catch (e) { /* not a JWT: the API will say so */ }
  ConnectChat.mount(document.getElementById("chat"), {
    title: sub ? "Chat with us (signed in as " + sub + ")" : "Chat with us",
    authToken: function () { return token; },
  });
})();
`;

export function signedInPage(origin: string, demoToken: string) {
  const headers = {
    "content-security-policy": contentSecurityPolicy({ apiOrigins: [], participant: { localOrigin: origin } }),
    ...otherSecurityHeaders,
    // A token for this run only: never from a cache.
    "cache-control": "no-store",
  };
  const body = { "/signed-in": ["text/html; charset=utf-8", page], "/signed-in/page.js": ["text/javascript; charset=utf-8", script(demoToken)] } as const;
  return (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const found = body[path as keyof typeof body];
    if (!found) return void res.writeHead(404, { ...headers, "content-type": "text/plain" }).end("Not found");
    if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405, { ...headers, allow: "GET, HEAD" }).end();
    res.writeHead(200, { ...headers, "content-type": found[0] }).end(req.method === "HEAD" ? undefined : found[1]);
  };
}
