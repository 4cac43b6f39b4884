/**
 * The hub's route handlers (every app/…/route.ts: `/api/…` and `/metrics`, the very modules Next.js
 * serves) behind a plain node HTTP server, for tests and benches that need a hub web process without a Next build:
 * workers speak their protocol to it, clients read run events from it (user API tokens; sessions
 * need Next). Paths match as in Next's app router: `[id]` is a parameter, static segments win.
 * Like the hub's web server it may listen on a unix socket as well (its workers' way in, as the
 * worker `npm start` runs reaches the hub without loopback).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readdirSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { listenOnSocket } from "../platform/unix-socket.ts";
import { INSTANCE_HEADER, REQUEST_SEQ_HEADER } from "../../runner/worker/protocol.ts";
import { apiRouteTable, methodRefusal } from "../api/route-table.ts";

const APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../app");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

interface RouteFile {
  segments: string[];
  file: string;
}

function routeFiles(dir: string, segments: string[] = []): RouteFile[] {
  const found: RouteFile[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...routeFiles(full, [...segments, entry]));
    else if (entry === "route.ts") found.push({ segments, file: full });
  }
  return found;
}

/** `params` of `segments` matched against a request path's parts, or null. Catch-all routes (auth) are not served. */
function match(segments: string[], parts: string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const dynamic = /^\[([A-Za-z0-9_]+)\]$/.exec(s);
    if (dynamic) params[dynamic[1]] = decodeURIComponent(parts[i]);
    else if (s !== parts[i]) return null;
  }
  return params;
}

const staticCount = (r: RouteFile) => r.segments.filter((s) => !s.startsWith("[")).length;

export interface RouteServer {
  url: string;
  /** the unix socket it listens on as well, or null */
  socket: string | null;
  close(): Promise<void>;
}

/** One request as the server saw it: the bytes it had read from the connection when the answer was done. */
export interface Served {
  method: string;
  path: string;
  status: number;
  /** of the connection so far: one request's alone when the client used a new connection for it */
  bytesRead: number;
}

export async function serveRoutes(opts: { port?: number; socket?: string; onServed?: (s: Served) => void } = {}): Promise<RouteServer> {
  const routes = routeFiles(APP)
    .filter((r) => !r.segments.some((s) => s.startsWith("[...")))
    .sort((a, b) => staticCount(b) - staticCount(a));
  const modules = new Map<string, Promise<Record<string, Handler>>>();
  const load = (file: string) => {
    if (!modules.has(file)) modules.set(file, import(pathToFileURL(file).href) as Promise<Record<string, Handler>>);
    return modules.get(file)!;
  };

  const table = apiRouteTable(path.resolve(APP, ".."));
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    // as the hub's web server does (scripts/serve.ts): an undeclared method is 405 with Allow
    const refusal = methodRefusal(table, req.method ?? "GET", url.pathname);
    if (refusal) return void res.writeHead(refusal.status, refusal.headers).end(refusal.body);
    const parts = url.pathname.split("/").filter(Boolean);
    let found: { route: RouteFile; params: Record<string, string> } | null = null;
    for (const route of routes) {
      const params = match(route.segments, parts);
      if (params) {
        found = { route, params };
        break;
      }
    }
    if (!found) return void res.writeHead(404).end();
    const method = (req.method ?? "GET").toUpperCase() as (typeof METHODS)[number];
    const handler = (await load(found.route.file))[method];
    if (!METHODS.includes(method) || typeof handler !== "function") return void res.writeHead(405).end();
    const abort = new AbortController();
    res.on("close", () => {
      abort.abort();
      opts.onServed?.({ method, path: url.pathname, status: res.statusCode, bytesRead: req.socket.bytesRead });
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
      else if (v !== undefined) headers.set(k, v);
    }
    const hasBody = method !== "GET" && method !== "DELETE";
    // the request itself as the body, as Next.js passes it: read only as far as the handler pulls
    // (Readable.toWeb would read ahead up to 16 384 chunks, whatever the handler does)
    const request = new Request(url, {
      method,
      headers,
      body: hasBody ? (req as unknown as AsyncIterable<Uint8Array>) : undefined,
      signal: abort.signal,
      ...(hasBody ? { duplex: "half" } : {}),
    } as RequestInit);
    const response = await handler(request, { params: Promise.resolve(found.params) });
    const out: Record<string, string | string[]> = {};
    response.headers.forEach((v, k) => {
      if (k !== "set-cookie") out[k] = v;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length) out["set-cookie"] = cookies;
    res.writeHead(response.status, out);
    if (!response.body) return void res.end();
    res.flushHeaders();
    const reader = response.body.getReader();
    abort.signal.addEventListener("abort", () => void reader.cancel().catch(() => undefined), { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        // backpressure as under Next: a client that stops reading stops the stream being pulled
        if (!res.write(value)) await new Promise<void>((resolve) => {
          const go = () => {
            res.off("drain", go);
            res.off("close", go);
            resolve();
          };
          res.on("drain", go);
          res.on("close", go);
        });
        if (res.destroyed) break;
      }
    } finally {
      res.end();
    }
  }

  const newServer = () => {
    const server = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        console.error("route server:", err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "internal", message: "internal error" } }));
        else res.destroy();
      });
    });
    // long polls and event streams stay open far longer than node's defaults allow
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = 60_000;
    return server;
  };
  const tcp = newServer();
  await new Promise<void>((resolve) => tcp.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = tcp.address() as AddressInfo;
  const unix = opts.socket ? newServer() : null;
  if (unix && opts.socket) await listenOnSocket(unix, opts.socket);
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    socket: opts.socket ?? null,
    close: async () => {
      await Promise.all([close(tcp), unix ? close(unix) : null]);
    },
  };
}

/** One JSON request to a route server as `token`'s bearer (tests drive the API as a client would). */
export async function callRoute<T>(url: string, token: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: T }> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

let workerSeq = 0;

/**
 * The headers of one request of a hand-driven worker, as runner/worker's HubClient sends them:
 * the next request sequence number (one counter for the whole test process, so every instance
 * sees its numbers grow) and the instance asking (every request but a registration names it).
 */
export function workerHeaders(instance?: string): Record<string, string> {
  return { [REQUEST_SEQ_HEADER]: String(++workerSeq), ...(instance ? { [INSTANCE_HEADER]: instance } : {}) };
}

/** The instance a worker request's body names, if it names one. */
export function bodyInstance(body: unknown): string | undefined {
  const instance = (body as { instance?: unknown } | null | undefined)?.instance;
  return typeof instance === "string" ? instance : undefined;
}

/** One JSON request to a worker route as a hand-driven worker sends it (callRoute with workerHeaders, naming the body's instance). */
export function callWorkerRoute<T>(url: string, token: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: T }> {
  return callRoute<T>(url, token, method, route, body, { ...workerHeaders(bodyInstance(body)), ...headers });
}
