/**
 * Readers cannot starve each other: exports whose clients never read hold connections of the
 * export pool only, under per-user and hub-wide limits, and are closed after the idle timeout;
 * another user's results queries answer meanwhile. Over HTTP (the route server) with raw sockets
 * that read the status line and then nothing.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import { serveRoutes, type RouteServer } from "../testing/route-server.ts";

let hub: TestHub;
let server: RouteServer;
let sql: pg.Client;
/** four admins (they read every document, so every export is the same large one), two tokens each */
const exporters: string[] = [];
let bobToken: string;
/** documents of about 2 KB: each export is far larger than what socket buffers hold */
const DOCS = 6000;
const IDLE_MS = 3000;

before(async () => {
  hub = await startTestHub();
  sql = new pg.Client({ connectionString: hub.databaseUrl });
  await sql.connect();
  const { EXPORT_LIMITS } = await import("./pg.ts");
  EXPORT_LIMITS.idleMs = IDLE_MS;
  const { signUp } = await import("../accounts/users.ts");
  const { signUpAdmin } = await import("../testing/accounts.ts");
  const { createToken } = await import("../accounts/tokens.ts");
  const { seedPackage, seedRun } = await import("./testing.ts");
  for (let i = 0; i < 4; i++) {
    const admin = await signUpAdmin({ email: `exporter${i}@example.org`, username: `exporter_${i}`, password: "longenough" });
    exporters.push((await createToken(admin, { name: "export", scopes: ["read", "admin"] })).token);
  }
  const bob = await signUp({ email: "bob@example.org", username: "bob", password: "longenough" });
  bobToken = (await createToken(bob, { name: "bob" })).token;
  const pkg = await seedPackage(null);
  const bigRun = await seedRun(bob.id, pkg);
  // the index is keyed by project: bob's run is in his personal project
  await sql.query(
    `INSERT INTO "ResultDocument" ("coll", "runId", "projectId", "packageId", "versionId", "function", "job", "task", "bytes", "doc")
     SELECT 'big|export@1', r."id", r."projectId", $2, $3, 'scan.ports', $4, g, 2048, jsonb_build_object('i', g, 'pad', repeat('x', 2000))
     FROM generate_series(1, ${DOCS}) g, "Run" r WHERE r."id" = $1`,
    [bigRun.id, pkg.packageId, pkg.versionId, bigRun.number],
  );
  server = await serveRoutes();
});

after(async () => {
  await server?.close();
  await sql?.end();
  const { closeResultsPool } = await import("./pg.ts");
  await closeResultsPool();
  await hub?.close();
});

interface Unread {
  status: number;
  head: string;
  socket: net.Socket;
  closed: Promise<void>;
}

/** An export request on a raw socket: the first bytes (status line, headers) are read, then nothing. */
function unreadExport(token: string, query = "format=ndjson"): Promise<Unread> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1");
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    socket.once("error", reject);
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      const head = chunk.toString("latin1");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), head, socket, closed });
    });
    socket.write(`GET /api/results/export?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  });
}

/** Export connections stalled inside their transaction, as PostgreSQL sees them. */
async function stalledExports(): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'idle in transaction' AND query LIKE 'FETCH % FROM levhub_export'`,
  );
  return Number(rows[0].n);
}

const get = (path: string, token: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

test("eight unread exports hold only the export pool; another user's results still answer; the stalled exports are closed after the idle timeout", async () => {
  const { EXPORT_LIMITS } = await import("./pg.ts");
  const unread: Unread[] = [];
  for (const token of exporters) for (let i = 0; i < 2; i++) unread.push(await unreadExport(token));
  const accepted = unread.filter((u) => u.status === 200);
  const refused = unread.filter((u) => u.status === 429);
  assert.equal(accepted.length, EXPORT_LIMITS.connections, unread.map((u) => u.head.split("\r\n")[0]).join(" | "));
  assert.equal(refused.length, unread.length - EXPORT_LIMITS.connections);
  assert.match(refused[0].head, /as many exports as it can at once/);
  // the accepted ones did not finish into socket buffers: each holds its cursor, stalled
  assert.equal(await stalledExports(), EXPORT_LIMITS.connections);

  // another user's results queries are served from the other pool
  const page = await get("/api/results/documents?coll=big%7Cexport%401&limit=5", bobToken);
  assert.equal(page.status, 200, await page.clone().text());
  assert.equal(((await page.json()) as { items: unknown[] }).items.length, 5);
  const collections = await get("/api/results/collections", bobToken);
  assert.equal(collections.status, 200);
  // while the pool is full, a further export is refused at once rather than queued behind them
  const busy = await get("/api/results/export?format=ndjson", bobToken);
  assert.equal(busy.status, 429);

  // the idle timeout ends them: cursors and transactions closed, the responses cut short
  for (let waited = 0; (await stalledExports()) > 0; waited += 200) {
    assert.ok(waited < 30_000, "the stalled exports were still open long after the idle timeout");
    await sleep(200);
  }
  for (const u of accepted) {
    u.socket.resume();
    await u.closed;
  }
  for (const u of refused) u.socket.destroy();

  // the slots are free again: bob exports his documents whole
  const whole = await get("/api/results/export?format=ndjson", bobToken);
  assert.equal(whole.status, 200);
  assert.equal((await whole.text()).trimEnd().split("\n").length, DOCS);
});

test("one user may stream at most EXPORT_LIMITS.perUser exports at once: 429 naming the limit", async () => {
  const { EXPORT_LIMITS } = await import("./pg.ts");
  const mine: Unread[] = [];
  for (let i = 0; i < EXPORT_LIMITS.perUser; i++) mine.push(await unreadExport(bobToken));
  assert.deepEqual(
    mine.map((u) => u.status),
    mine.map(() => 200),
  );
  const third = await get("/api/results/export?format=ndjson", bobToken);
  assert.equal(third.status, 429);
  assert.match(((await third.json()) as { error: { message: string } }).error.message, new RegExp(`the most one user may have at once \\(${EXPORT_LIMITS.perUser}\\)`));
  for (const u of mine) {
    u.socket.destroy();
    await u.closed;
  }
  // a client that goes away frees its slot when the stream is cancelled
  for (let waited = 0; ; waited += 200) {
    const again = await get("/api/results/export?format=ndjson&q=i%20%3D%201", bobToken);
    if (again.status === 200) {
      assert.equal((await again.text()).trimEnd().split("\n").length, 1);
      break;
    }
    assert.ok(waited < 30_000, `still ${again.status} long after the clients went away`);
    await sleep(200);
  }
});

test("an export of large documents FETCHes them a few at a time (sized in bytes), and streams every one whole", async () => {
  const { EXPORT_FETCH_BYTES } = await import("./export-chunks.ts");
  const { rows: runs } = await sql.query<{ runId: string; projectId: string; packageId: string; versionId: string; job: number }>(
    `SELECT "runId", "projectId", "packageId", "versionId", "job" FROM "ResultDocument" WHERE "coll" = 'big|export@1' LIMIT 1`,
  );
  const r = runs[0];
  const PAD = 256 * 1024;
  // 40 MiB: more than loopback socket buffers take, so the stream has to stop pulling
  const HUGE = 160;
  await sql.query(
    `INSERT INTO "ResultDocument" ("coll", "runId", "projectId", "packageId", "versionId", "function", "job", "task", "bytes", "doc")
     SELECT 'huge|export@1', $1, $2, $3, $4, 'scan.ports', $5, 100000 + g, $6, jsonb_build_object('n', g, 'pad', repeat('y', $6))
     FROM generate_series(1, ${HUGE}) g`,
    [r.runId, r.projectId, r.packageId, r.versionId, r.job, PAD],
  );
  const u = await unreadExport(bobToken, "format=ndjson&coll=huge%7Cexport%401");
  assert.equal(u.status, 200, u.head.split("\r\n")[0]);
  // read past the first FETCH (16 rows: nothing was known of their size), then stop: the socket's
  // buffers fill, the stream stops pulling, and the last FETCH says how many rows it asked for
  let got = 0;
  await new Promise<void>((resolve) => {
    u.socket.on("data", (chunk: Buffer) => {
      got += chunk.length;
      if (got > 12 * PAD * 4) {
        u.socket.pause();
        resolve();
      }
    });
    u.socket.resume();
  });
  let fetched: number[] = [];
  // within the idle timeout (IDLE_MS), after which the export is closed
  for (let waited = 0; waited < IDLE_MS - 1000; waited += 100) {
    const { rows } = await sql.query<{ query: string }>(`SELECT "query" FROM pg_stat_activity WHERE state = 'idle in transaction' AND query LIKE 'FETCH % FROM levhub_export'`);
    fetched = rows.map((row) => Number(/FETCH (\d+)/.exec(row.query)?.[1]));
    if (fetched.length && fetched.every((n) => n <= Math.ceil(EXPORT_FETCH_BYTES / PAD))) break;
    await sleep(100);
  }
  assert.equal(fetched.length, 1, "the unread export holds its cursor");
  assert.ok(fetched[0] <= Math.ceil(EXPORT_FETCH_BYTES / PAD), `a FETCH of ${fetched[0]} rows of ${PAD} bytes each`);
  u.socket.destroy();
  await u.closed;
  for (let waited = 0; (await stalledExports()) > 0; waited += 200) {
    assert.ok(waited < 30_000, "the abandoned export was still open");
    await sleep(200);
  }
  const whole = await get("/api/results/export?format=ndjson&coll=huge%7Cexport%401", bobToken);
  assert.equal(whole.status, 200);
  const lines = (await whole.text()).trimEnd().split("\n").map((l) => JSON.parse(l) as { doc: { n: number; pad: string } });
  assert.deepEqual(lines.map((l) => l.doc.n), Array.from({ length: HUGE }, (_, i) => i + 1));
  assert.ok(lines.every((l) => l.doc.pad.length === PAD), "every document whole");
});
