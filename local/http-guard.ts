/**
 * The local stack's front door: every request and websocket upgrade passes here before a route.
 * - Only requests addressed to the stack by a loopback name are served (Host `127.0.0.1:<port>`,
 *   `localhost:<port>` or `[::1]:<port>`); any other Host gets 421. A page on another site that
 *   points its own DNS name at 127.0.0.1 (DNS rebinding) could otherwise read the agent API's
 *   tokens and the emulators, as its requests would be same-origin to the browser.
 * - The request-target must be a path (origin-form) whose percent-encoding decodes; otherwise 400.
 * - One error boundary per request: whatever a route throws or rejects with is answered (its
 *   status for a RequestError, else 500 with one line on stderr), and the server goes on serving.
 * Answers from here are JSON: `{ "error": { "code", "message" } }`, as the start-chat API's are.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isAbsolute, relative } from "node:path";
import type { Duplex } from "node:stream";
import { RequestError } from "./request-body";

export interface GuardedRoutes {
  /** Serves a request that passed the checks; may return a promise, whose rejection is answered too. */
  request(req: IncomingMessage, res: ServerResponse): unknown;
  /** Takes over an upgrade request's socket (the participant websocket). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): unknown;
}

/** The path of a request-target, still percent-encoded; throws unless it is origin-form. */
export function pathOf(req: IncomingMessage): string {
  const target = req.url ?? "";
  if (!target.startsWith("/")) throw new RequestError(400, "BAD_REQUEST", "The request-target must be a path (origin-form).");
  // Not `new URL(target, base)`: that reads `//host/…` as another host.
  return new URL(`http://local${target}`).pathname;
}

/** The Host values the stack answers: loopback names with its port (without it only on port 80, as browsers send it). */
function loopbackHosts(port: number): Set<string> {
  const names = ["127.0.0.1", "localhost", "[::1]"];
  return new Set([...names.map((name) => `${name}:${port}`), ...(port === 80 ? names : [])]);
}

/** A 421 unless the request is addressed to the stack by a loopback name. */
function hostRefusal(req: IncomingMessage, hosts: Set<string>): RequestError | undefined {
  const host = req.headers.host ?? "";
  if (hosts.has(host.toLowerCase())) return undefined;
  const [first] = hosts;
  return new RequestError(421, "MISDIRECTED_REQUEST", `This local stack answers only requests addressed to ${[...hosts].join(", ")} (Host was ${JSON.stringify(host.slice(0, 100))}). Open http://${first}/ instead; another name for this machine is how DNS rebinding reaches it.`);
}

/** Why this request is not served, or undefined when it passes. */
function refusal(req: IncomingMessage, hosts: Set<string>): RequestError | undefined {
  const misdirected = hostRefusal(req, hosts);
  if (misdirected) return misdirected;
  try {
    decodeURIComponent(pathOf(req));
  } catch (error) {
    return error instanceof RequestError ? error : new RequestError(400, "BAD_REQUEST", "The path is not valid percent-encoding (RFC 3986: % and two hex digits, forming UTF-8).");
  }
  return undefined;
}

const errorBody = (error: RequestError) => JSON.stringify({ error: { code: error.code, message: error.message } });

/** An answer written straight to a socket that left HTTP (an upgrade, a CONNECT), then closed. */
function answerSocket(socket: Duplex, error: RequestError): void {
  if (!socket.writable) return void socket.destroy();
  const body = errorBody(error);
  socket.end(`HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ""}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** Refuses an upgrade the stack does not take, with an HTTP answer rather than a dropped connection. */
export function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  answerSocket(socket, new RequestError(status, code, message));
}

/** One line for stderr: what failed, where, and which request (its path only: query strings carry tokens). */
function logFailure(req: IncomingMessage, error: unknown): void {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // The innermost frame's file:line:column, as the stack trace has it.
  const frame = error instanceof Error ? /\n\s+at (?:.*\()?([^()\n]+:\d+:\d+)\)?/.exec(error.stack ?? "")?.[1] : undefined;
  const where = frame && isAbsolute(frame) ? relative(process.cwd(), frame) : frame;
  const path = (req.url ?? "").split("?")[0].slice(0, 200);
  console.error(`local stack: ${req.method} ${path} failed: ${what}${where ? ` (at ${where})` : ""}`.replace(/\s*\n\s*/g, " "));
}

const internal = () => new RequestError(500, "INTERNAL", "The local stack failed to answer this request; its console has the error.");

/** Answers a request a route failed: its own status for a RequestError, else 500 and one line on stderr. */
function answerFailure(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  const client = req.destroyed && !req.complete;
  if (!(error instanceof RequestError) && !client) logFailure(req, error);
  if (res.headersSent || res.writableEnded || res.destroyed) {
    // Too late for a status: end the answer so the client is not left waiting.
    if (!res.writableEnded) res.destroy();
    return;
  }
  const answer = error instanceof RequestError ? error : internal();
  try {
    res.removeHeader("content-length");
    res.writeHead(answer.status, { "content-type": "application/json", "cache-control": "no-store" }).end(errorBody(answer));
  } catch (writeError) {
    logFailure(req, writeError);
    res.destroy();
  }
}

/** Puts `server`'s requests, upgrades and CONNECTs behind the checks and the error boundary. */
export function guardServer(server: Server, routes: GuardedRoutes): void {
  let hosts: Set<string> | undefined;
  const allowedHosts = () => (hosts ??= loopbackHosts((server.address() as AddressInfo).port));

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const refused = refusal(req, allowedHosts());
    if (refused) return answerFailure(req, res, refused);
    // The executor runs now: a route's synchronous throw becomes a rejection like an async one's.
    new Promise((resolve) => resolve(routes.request(req, res))).catch((error: unknown) => answerFailure(req, res, error));
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves an upgraded socket without an error listener; a client that resets it mid-handshake must not end the process.
    socket.on("error", () => socket.destroy());
    const refused = refusal(req, allowedHosts());
    if (refused) return answerSocket(socket, refused);
    try {
      routes.upgrade(req, socket, head);
    } catch (error) {
      logFailure(req, error);
      answerSocket(socket, internal());
    }
  });

  // CONNECT (a proxy's method): Node drops the connection unless someone answers.
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => socket.destroy());
    answerSocket(socket, hostRefusal(req, allowedHosts()) ?? new RequestError(405, "METHOD_NOT_ALLOWED", "CONNECT is not served here: this is not a proxy."));
  });
}
