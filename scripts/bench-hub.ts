/**
 * `npm run bench:hub` (outside CI): the hub at scale, measured over plain HTTP against a real
 * Next production server. Everything runs on data of its own: a temporary data dir with its own
 * embedded PostgreSQL, its own database on the Mongo-wire store, an admin and a user with API
 * tokens. Parts: the catalog (scripts/bench-hub/catalog.ts), the results
 * (scripts/bench-hub/results.ts) and the exports' memory (scripts/bench-hub/exports.ts). Prints
 * one table: figure, target, measured, met?
 *
 *   LEVHUB_BENCH_PORT   the server's port (default: a free one)
 *   LEVHUB_BENCH_KEEP=1 keep the data dir (its path is printed)
 *   LEVHUB_BENCH_PARTS  which parts run, comma-separated (default: catalog,results,exports)
 *   LEVHUB_BENCH_LOAD   busy loops for the catalog's figures under load (default 1)
 * The Next build in .next is rebuilt first when the sources are newer. `npm run bench:hub` holds
 * the tree's e2e lock for the whole run: .next is shared, and a build by someone else would pull it
 * from under the running server.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MongoClient } from "mongodb";
import pg from "pg";
import { mongoUri as mongoUriFor } from "../runner/src/config.ts";
import { applyMigrations } from "../lib/platform/migrate.ts";
import { freePort, startEmbeddedPostgres } from "../lib/platform/postgres.ts";
import { anonByMapping, atMost, fmtMb, fmtMemory, printFigures, processTree, rssMb, rssParts, serverMemory, type BenchContext, type Figure } from "./bench-hub/common.ts";
import { benchCatalog } from "./bench-hub/catalog.ts";
import { benchExports } from "./bench-hub/exports.ts";
import { webServerEnv, webServerNodeArgs } from "./web-server-args.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
const say = (msg: string) => console.log(`[bench] ${msg}`);
/** how long the server rests before its resting memory is read: V8's memory reducer acts after a few idle seconds */
const IDLE_MS = 20_000;

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(p).filter((e) => e !== "node_modules" && e !== "generated" && !e.endsWith(".test.ts")).map((e) => newestMtime(path.join(p, e))));
}

/** Rebuilds .next when the sources changed since its build: a stale build would measure old code. */
function ensureBuild() {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  const sources = ["app", "components", "lib", "runner/src", "next.config.js", "package.json"].map((s) => path.join(ROOT, s));
  if (existsSync(buildId) && Math.max(...sources.map(newestMtime)) <= statSync(buildId).mtimeMs) return;
  say("building the web app (next build) …");
  const b = spawnSync(process.execPath, [NEXT_BIN, "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
  if (b.status !== 0) throw new Error("next build failed (see above)");
}

/** The web server npm start runs (scripts/serve.ts), on 127.0.0.1:<port>. */
async function startNext(port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...webServerNodeArgs(), path.join(ROOT, "scripts", "serve.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...env, ...webServerEnv(env), PORT: String(port), HOST: "127.0.0.1" },
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the web server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/me`);
      await res.arrayBuffer();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  child.kill("SIGKILL");
  throw new Error("the web server did not answer within 120 s");
}

async function makeAccount(role: "admin" | "user", username: string) {
  const { signUp, setUserRoleByEmail } = await import("../lib/accounts/users.ts");
  const { createToken } = await import("../lib/accounts/tokens.ts");
  const email = `${username}@bench.invalid`;
  let viewer = await signUp({ email, username, password: randomBytes(12).toString("hex") });
  if (role === "admin") viewer = await setUserRoleByEmail(email, "admin");
  const { token } = await createToken(viewer, { name: "bench", scopes: role === "admin" ? ["read", "run", "publish", "admin"] : undefined });
  return { id: viewer.id, username, token };
}

const treeRss = (pid: number) => processTree(pid).reduce((sum, p) => sum + (rssMb(p) || 0), 0);

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "levhub-bench-"));
  const dbName = `levhub_bench_${randomBytes(4).toString("hex")}`;
  say(`data dir ${dataDir}`);
  const pgServer = await startEmbeddedPostgres(path.join(dataDir, "pg"));
  let next: ChildProcess | null = null;
  let sql: pg.Pool | null = null;
  const mongoUri = mongoUriFor(dbName);
  try {
    await applyMigrations(pgServer.url);
    Object.assign(process.env, { LEVHUB_DATA_DIR: dataDir, DATABASE_URL: pgServer.url, MONGODB_URI: mongoUri, NEXTAUTH_SECRET: randomBytes(24).toString("hex") });
    // the bench signs its accounts up directly, as an open hub would let it
    const { updateSettings } = await import("../lib/platform/settings.ts");
    await updateSettings({ signUpMode: "open" });
    const admin = await makeAccount("admin", "benchadmin");
    const user = await makeAccount("user", "benchuser");
    ensureBuild();
    const port = Number(process.env.LEVHUB_BENCH_PORT) || (await freePort());
    const baseUrl = `http://127.0.0.1:${port}`;
    const metricsToken = randomBytes(24).toString("hex");
    next = await startNext(port, { ...process.env, NODE_ENV: "production", NEXTAUTH_URL: baseUrl, LEVHUB_METRICS_TOKEN: metricsToken });
    const nextPid = next.pid!;
    sql = new pg.Pool({ connectionString: pgServer.url, max: 4 });
    const ctx: BenchContext = { baseUrl, databaseUrl: pgServer.url, mongoUri, dataDir, admin, user, nextPid, sql, metricsToken };
    const idle = treeRss(nextPid);
    say(`Next server up on ${baseUrl} (pid ${nextPid}, ${fmtMb(idle)} RSS)`);

    const malloc = Object.entries(webServerEnv()).map(([k, v]) => `${k}=${v}`).join(" ");
    const figures: Figure[] = [{ figure: `Next server memory right after start (${webServerNodeArgs().join(" ")} ${malloc}; its own /metrics)`, target: "—", measured: `${fmtMb(idle)} (${fmtMemory(await serverMemory(ctx))})`, met: null }];
    // timings on a shared machine mean little without its load beside them
    const load = () => loadavg()[0].toFixed(1);
    const loadBefore = load();
    const parts = new Set((process.env.LEVHUB_BENCH_PARTS || "catalog,results,exports").split(",").map((p) => p.trim()));
    if (parts.has("catalog")) {
      const catalog = await benchCatalog(ctx);
      // each part's figures as soon as it has them: the next part runs for minutes
      printFigures(catalog);
      figures.push(...catalog);
    }
    const resultsPart = path.join(ROOT, "scripts", "bench-hub", "results.ts");
    if (!parts.has("results")) say("results part skipped (LEVHUB_BENCH_PARTS)");
    else if (existsSync(resultsPart)) {
      const { benchResults } = (await import(resultsPart)) as { benchResults: (c: BenchContext) => Promise<Figure[]> };
      figures.push(...(await benchResults(ctx)));
    } else say("results part (scripts/bench-hub/results.ts) not present: its figures are missing");
    if (parts.has("exports")) {
      const exports = await benchExports(ctx, parts.has("results"));
      printFigures(exports);
      figures.push(...exports);
    }

    const rss = rssParts(nextPid);
    const pids = processTree(nextPid);
    figures.push({ figure: "Next server memory after all of the above (its own /metrics)", target: "—", measured: fmtMemory(await serverMemory(ctx)), met: null });
    figures.push(atMost(`Next server RSS after all of the above (${pids.length} process${pids.length === 1 ? "" : "es"}; anon ${fmtMb(rss.anon)}, file ${fmtMb(rss.file)})`, treeRss(nextPid), 300, "MB"));
    const where = anonByMapping(nextPid);
    figures.push({ figure: "  … its anonymous memory by mapping: malloc's heap / ≤ 1 MiB (V8 pages) / ≤ 1 GiB / reservations > 1 GiB (WebAssembly)", target: "—", measured: [where.mallocHeap, where.small, where.medium, where.reserved].map(fmtMb).join(" / "), met: null });
    // Right after load the heap still holds the pages V8 pools for reuse; its memory reducer gives
    // them back after a few idle seconds. Both figures: the peak a host must allow, and the resting one.
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const resting = anonByMapping(nextPid);
    figures.push(atMost(`Next server RSS after ${IDLE_MS / 1000} s idle (${fmtMemory(await serverMemory(ctx))}; V8 pages ${fmtMb(resting.small)})`, treeRss(nextPid), 300, "MB"));
    figures.push({ figure: "1-minute load average before / after the measurements (2 cores here)", target: "—", measured: `${loadBefore} / ${load()}`, met: null });
    printFigures(figures);
  } finally {
    if (next && next.exitCode === null) {
      next.kill("SIGTERM");
      await new Promise((r) => next!.once("exit", r));
    }
    await sql?.end().catch(() => undefined);
    const { disconnectDb } = await import("../lib/platform/db.ts");
    await disconnectDb().catch(() => undefined);
    const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 3000 });
    await client
      .connect()
      .then(() => client.db(dbName).dropDatabase())
      .catch(() => undefined)
      .finally(() => client.close().catch(() => undefined));
    await pgServer.stop();
    if (process.env.LEVHUB_BENCH_KEEP === "1") say(`kept ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
