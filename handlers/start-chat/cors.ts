/**
 * The API's CORS rules: ChatApi gives them to API Gateway, and the local API Gateway adapter
 * applies the same ones, so what the tests see is what is deployed.
 */
export interface CorsRules {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  /**
   * Response headers a page on another origin may read: Retry-After is not CORS-safelisted (Fetch
   * standard, "CORS-safelisted response-header name"), and the page waits as it says when the API
   * is busy (429/503).
   */
  exposeHeaders: string[];
  /** Seconds a browser may keep a preflight answer. */
  maxAge: number;
}

export function chatCors(allowedOrigins: string[], signedIn: boolean): CorsRules {
  return { allowOrigins: allowedOrigins, allowMethods: ["POST"], allowHeaders: ["content-type", ...(signedIn ? ["authorization"] : [])], exposeHeaders: ["retry-after"], maxAge: 3600 };
}

/** Hosts a browser reaches without the network, so http there is as safe as https (the Secure Contexts spec's "potentially trustworthy"). */
const loopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

/**
 * Why `value` cannot be an allowed origin, or undefined when it can: an origin like
 * https://www.example.com (no path, no wildcard), and plain http only on loopback, since anyone on
 * the network path can rewrite an http page and act as that origin.
 */
export function originProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL("invalid:");
  }
  if (url.origin !== value || !/^https?:$/.test(url.protocol) || url.hostname.includes("*")) return "is not an origin like https://www.example.com (no path, no wildcard)";
  if (url.protocol !== "https:" && !loopbackHosts.includes(url.hostname)) {
    return `must be https:// (plain http only on loopback: ${loopbackHosts.map((host) => `http://${host}`).join(", ")}, any port)`;
  }
  return undefined;
}
