import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { HubClient, HubError, HubUnreachableError } from "./hub-client.ts";
import { REQUEST_SEQ_HEADER } from "./protocol.ts";

let server: http.Server;
let url = "";
/** what the next answers are, in order; each entry: status and body (or "drop" to cut the connection) */
let script: (number | "drop" | "slow" | "replayed")[] = [];
let calls = 0;
let lastAuth = "";
/** the sequence number of each request, in order of arrival */
let seqs: string[] = [];

function answer(req: http.IncomingMessage, res: http.ServerResponse) {
  calls++;
  lastAuth = req.headers.authorization ?? "";
  seqs.push(String(req.headers[REQUEST_SEQ_HEADER]));
  const next = script.shift() ?? 200;
  if (next === "drop") return void req.socket.destroy();
  if (next === "replayed") return void res.writeHead(409, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "replayed", message: "seen" } }));
  if (next === "slow") {
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end('{"slow":true}'), 1500);
    return;
  }
  res.writeHead(next, { "content-type": "application/json" });
  res.end(next === 200 ? JSON.stringify({ ok: true }) : next === 502 ? "<html>bad gateway</html>" : JSON.stringify({ error: { code: `c${next}`, message: `m${next}` } }));
}

before(async () => {
  server = http.createServer(answer);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => new Promise((r) => server.close(r)));

const client = () => new HubClient({ url, token: "lwk_x", timeoutMs: 2000, backoff: { baseMs: 5, maxMs: 20 } });

test("a JSON answer with the bearer credential", async () => {
  script = [];
  assert.deepEqual(await client().post("/api/worker/heartbeat", {}), { ok: true });
  assert.equal(lastAuth, "Bearer lwk_x");
});

test("the hub's error shape stays structured: status, code, message; a 4xx is never retried", async () => {
  for (const status of [400, 401, 404, 410]) {
    script = [status, 200];
    calls = 0;
    const err = await client().post("/x", {}, { retryForMs: 5000 }).catch((e: unknown) => e);
    assert.ok(err instanceof HubError);
    assert.equal(err.status, status);
    assert.equal(err.code, `c${status}`);
    assert.equal(err.message, `m${status}`);
    assert.equal(err.transient, false);
    assert.equal(calls, 1, `${status} was not retried`);
  }
});

test("network errors and 5xx are retried with backoff while the caller allows; then the last error", async () => {
  script = ["drop", 503, 502, 200];
  calls = 0;
  const retries: string[] = [];
  assert.deepEqual(await client().post("/x", {}, { retryForMs: 5000, onRetry: (e) => retries.push(e.name) }), { ok: true });
  assert.equal(calls, 4);
  assert.deepEqual(retries, ["HubUnreachableError", "HubError", "HubError"]);

  script = [503, 503, 503, 503, 503, 503, 503, 503, 503, 503];
  const err = await client().post("/x", {}, { retryForMs: 30 }).catch((e: unknown) => e);
  assert.ok(err instanceof HubError && err.status === 503 && err.code === "c503");
  script = [502];
  const proxy = await client().post("/x", {}).catch((e: unknown) => e);
  assert.ok(proxy instanceof HubError && proxy.code === "502" && /HTTP 502: <html>bad gateway/.test(proxy.message), "a non-JSON error page is still readable");
});

test("nobody listening: HubUnreachableError naming the hub", async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const c = new HubClient({ url: `http://127.0.0.1:${port}`, token: "t", timeoutMs: 1000 });
  const err = await c.post("/api/worker/poll", {}).catch((e: unknown) => e);
  assert.ok(err instanceof HubUnreachableError);
  assert.equal(err.message, `cannot reach the hub at http://127.0.0.1:${port} (/api/worker/poll): ECONNREFUSED`);
});

test("an abort stops the retries at once", async () => {
  script = Array(100).fill("drop");
  const ac = new AbortController();
  const t0 = Date.now();
  const p = new HubClient({ url, token: "t", backoff: { baseMs: 30_000, maxMs: 30_000 } }).post("/x", {}, { retryForMs: 120_000, signal: ac.signal }).catch((e: unknown) => e);
  setTimeout(() => ac.abort(), 100);
  assert.ok((await p) instanceof Error);
  // sooner than the next retry could have come: the abort ended the wait, not the backoff
  assert.ok(Date.now() - t0 < 30_000);
  script = [];
});

test("each call may set its own time limit (a long poll waits longer than the client's default)", async () => {
  const c = new HubClient({ url, token: "t", timeoutMs: 500 });
  script = ["slow"];
  const err = await c.post("/api/worker/poll", {}).catch((e: unknown) => e);
  assert.ok(err instanceof HubUnreachableError);
  assert.match(err.message, /no answer within 500 ms$/);
  script = ["slow"];
  assert.deepEqual(await c.post("/api/worker/poll", {}, { timeoutMs: 60_000 }), { slow: true });
});

test("every attempt carries a new, growing sequence number; a refused one goes again at once under the next", async () => {
  const c = client();
  script = [];
  seqs = [];
  await c.post("/api/worker/heartbeat", {});
  await c.get("/api/worker/packages/x").then((r) => r.text());
  script = ["drop", 503, 200];
  await c.post("/x", {}, { retryForMs: 5000 });
  assert.deepEqual(seqs, ["1", "2", "3", "4", "5"], "a retry is a new request");

  script = ["replayed", "replayed", 200];
  seqs = [];
  calls = 0;
  assert.deepEqual(await c.post("/x", {}), { ok: true }, "no retry time was given: a refused number is not a failure of the hub");
  assert.deepEqual(seqs, ["6", "7", "8"]);

  script = Array(10).fill("replayed");
  const err = await c.post("/x", {}).catch((e: unknown) => e);
  assert.ok(err instanceof HubError && err.code === "replayed" && err.status === 409, "refused again and again: the caller hears it");
  assert.equal(script.length, 4, "after five more tries");
  script = [];
});

test("unix:/path speaks HTTP over that socket: the same answers, errors and numbers", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hub-client-"));
  const socket = path.join(dir, "hub.sock");
  const unixServer = http.createServer(answer);
  await new Promise<void>((r) => unixServer.listen(socket, r));
  try {
    const c = new HubClient({ url: `unix:${socket}`, token: "lwk_u", timeoutMs: 2000, backoff: { baseMs: 5, maxMs: 20 } });
    script = [];
    seqs = [];
    assert.deepEqual(await c.post("/api/worker/heartbeat", { a: 1 }), { ok: true });
    assert.equal(lastAuth, "Bearer lwk_u");
    const download = await c.get("/api/worker/packages/x", { headers: { "x-levhub-instance": "i" } });
    assert.equal(download.status, 200);
    assert.equal(await download.text(), JSON.stringify({ ok: true }), "a download's body streams");
    script = [404];
    const err = await c.post("/x", {}).catch((e: unknown) => e);
    assert.ok(err instanceof HubError && err.status === 404 && err.code === "c404");
    script = ["drop", 200];
    assert.deepEqual(await c.post("/x", {}, { retryForMs: 5000 }), { ok: true });
    assert.deepEqual(seqs, ["1", "2", "3", "4", "5"]);
    script = ["slow"];
    const slow = await c.post("/x", {}, { timeoutMs: 300 }).catch((e: unknown) => e);
    assert.ok(slow instanceof HubUnreachableError && /no answer within 300 ms$/.test(slow.message), String(slow));
    c.close();
  } finally {
    await new Promise((r) => unixServer.close(r));
  }
  const gone = new HubClient({ url: `unix:${socket}`, token: "t", timeoutMs: 1000 });
  const err = await gone.post("/api/worker/poll", {}).catch((e: unknown) => e);
  assert.ok(err instanceof HubUnreachableError);
  assert.equal(err.message, `cannot reach the hub at unix:${socket} (/api/worker/poll): ENOENT`);
  gone.close();
  rmSync(dir, { recursive: true, force: true });
  script = [];
});

test("within the hub's limit of requests in flight, requests wait for a turn (one place kept for unmetered ones); an abort while waiting sends nothing", async () => {
  script = ["slow", "slow", 200, 200];
  calls = 0;
  const c = client();
  c.limitRequests(2); // one for this client's own requests, one kept for heartbeats
  const first = c.post("/a", {});
  const second = c.post("/b", {});
  const beat = c.post("/api/worker/heartbeat", {}, { unmetered: true });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(calls, 2, "the second request waits for the first; the unmetered one does not wait");
  const abort = new AbortController();
  const given = c.post("/c", {}, { signal: abort.signal }).catch((e: unknown) => e);
  abort.abort();
  assert.ok((await given) instanceof Error, "an abort while waiting rejects");
  assert.deepEqual(await first, { slow: true });
  await Promise.all([second, beat]);
  assert.equal(calls, 3, "the aborted request was never sent");
});
