/**
 * A host site on an origin of its own (`localhost` on another port, where the chat is on
 * `127.0.0.1`), serving the pages a test gives it, as a user's site embeds the widget.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface HostSite {
  origin: string;
  /** Serves `body` in a page titled "Shop" at `path` (default "/"), with extra response headers. */
  serve(body: string, options?: { path?: string; headers?: Record<string, string>; head?: string }): string;
  close(): Promise<void>;
}

export async function hostSite(): Promise<HostSite> {
  const pages = new Map<string, { html: string; headers: Record<string, string> }>();
  const server: Server = createServer((req, res) => {
    const page = pages.get(new URL(req.url ?? "/", "http://host").pathname);
    if (!page) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...page.headers }).end(page.html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    serve(body, { path = "/", headers = {}, head = "" } = {}) {
      pages.set(path, { html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>${head}</head><body><h1>Shop</h1>${body}</body></html>`, headers });
      return `${origin}${path}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
