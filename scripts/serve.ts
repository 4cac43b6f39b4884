/**
 * The hub's web server, which `npm start` runs where it used to run `next start`: Next's request
 * handler on HOST:PORT for browsers and clients, and on unix sockets for what must not cross
 * loopback, where a host-network tool with NET_RAW could read it:
 *
 *   LEVHUB_WORKER_SOCKET  the in-process worker's way to the hub (npm start sets it: mode 0600,
 *                         in the data directory's 0700 `run/`)
 *   LEVHUB_SOCKET         a reverse proxy's on the same machine (the operator's choice), with
 *   LEVHUB_SOCKET_MODE    its permissions in octal (default 660: the owner and its group)
 *
 * Run from the repository root with NODE_ENV=production under plain node (type stripping: no
 * loader in the web server's process, as with `next start`). It tells its parent that it listens
 * over IPC (`{ ready: true }`) or, without an IPC channel, on stdout.
 */
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { listenOnSocket } from "../lib/platform/unix-socket.ts";
import { apiRouteTable, methodRefusal } from "../lib/api/route-table.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function fail(message: string): never {
  console.error(`[levhub] the web server did not start: ${message}`);
  process.exit(1);
}

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || "127.0.0.1";
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`PORT=${process.env.PORT} is not a port number`);
const rawMode = process.env.LEVHUB_SOCKET_MODE?.trim() || "660";
if (!/^0?[0-7]{3}$/.test(rawMode)) fail(`LEVHUB_SOCKET_MODE=${rawMode} is not a file mode in octal (e.g. 660)`);
const sockets: { path: string; mode: number }[] = [];
if (process.env.LEVHUB_WORKER_SOCKET) sockets.push({ path: process.env.LEVHUB_WORKER_SOCKET, mode: 0o600 });
if (process.env.LEVHUB_SOCKET) sockets.push({ path: path.resolve(process.env.LEVHUB_SOCKET), mode: parseInt(rawMode, 8) });

const app = next({ dev: false, dir: ROOT, hostname: host, port });
await app.prepare();
const handle = app.getRequestHandler();
// what `next start` does: a server action is forwarded to the page that has it at this origin
process.env.__NEXT_PRIVATE_ORIGIN ??= `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;

// the API's declared methods, read once: anything else is 405 with `Allow` before Next sees it
const handlerRoutes = apiRouteTable(ROOT);

const listener: http.RequestListener = (req, res) => {
  // route handlers only (the API, /metrics): pages are Next's, which answers their methods itself
  const refusal = req.url?.startsWith("/") ? methodRefusal(handlerRoutes, req.method ?? "GET", new URL(req.url, "http://levhub.invalid").pathname) : null;
  if (refusal) {
    // the body is never read: the connection closes after the answer rather than drain it
    res.writeHead(refusal.status, { ...refusal.headers, connection: "close" }).end(refusal.body);
    return;
  }
  handle(req, res).catch((err: unknown) => {
    console.error(`[levhub] ${req.method} ${req.url} failed:`, err);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error");
    else res.destroy();
  });
};
/**
 * Requests node's parser refuses never reach a route: they still get the one JSON error shape. URLs
 * up to 128 KiB are read (the longest query parameters the API documents, percent-encoded, fit).
 */
const MAX_HEADER_BYTES = 128 * 1024;
const onClientError = (err: NodeJS.ErrnoException, socket: import("node:stream").Duplex) => {
  if (!socket.writable) return void socket.destroy();
  const [status, code, message] =
    err.code === "HPE_HEADER_OVERFLOW" ? [431, "too_large", `the request line and headers are larger than ${MAX_HEADER_BYTES / 1024} KiB`] : [400, "validation", "the request is not valid HTTP"];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
};
const newServer = () => http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, listener).on("clientError", onClientError);
const servers: http.Server[] = [];
try {
  const tcp = newServer();
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(port, host, () => resolve());
  });
  servers.push(tcp);
  for (const s of sockets) {
    const server = newServer();
    await listenOnSocket(server, s.path, s.mode);
    servers.push(server);
  }
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  // new connections are refused at once (and the socket files go); open ones get a moment to finish
  const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  for (const s of servers) s.closeIdleConnections();
  void Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]).then(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

const ready = { ready: true, url: `http://${host}:${port}`, sockets: sockets.map((s) => s.path) };
if (process.send) process.send(ready);
else console.log(JSON.stringify(ready));
