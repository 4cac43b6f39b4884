/**
 * `npm start`: sets up what is missing, starts the embedded PostgreSQL (unless DATABASE_URL is
 * set), applies migrations, publishes examples/, builds the Next app when needed and serves it
 * (scripts/serve.ts), with a worker in this process for this machine's Docker engine.
 *
 * Nothing the hub itself sends crosses loopback: PostgreSQL listens on a unix socket in its data
 * directory (no TCP port), FerretDB on one of setup's, and the worker reaches the web server on
 * `<data dir>/run/hub.sock` (0600 in a 0700 directory), not on HOST:PORT.
 *
 *   LEVHUB_DATA_DIR  state (PostgreSQL data, packages, secret, the hub's sockets); default ~/.levhub/data
 *   PORT, HOST       where the hub listens for browsers and clients; default 3000 on 127.0.0.1
 *   LEVHUB_SOCKET    a unix socket to listen on as well, for a reverse proxy on this machine
 *                    (LEVHUB_SOCKET_MODE, default 660)
 *   LEVHUB_PG_PORT   the embedded PostgreSQL listens on 127.0.0.1:<port> as well (an external client)
 *   DATABASE_URL     an external PostgreSQL instead of the embedded one
 *   MONGODB_URI      an external MongoDB instead of FerretDB (default: the FerretDB setup starts, on a unix socket)
 *   DOCKER_HOST      an external Docker engine
 *   NEXTAUTH_SECRET  else one is generated and kept in the data dir
 *   The first admin signs up through the one-time link printed at the first start (also kept in
 *   <data dir>/admin-bootstrap-token until used); `npm run admin` manages admins later.
 *   LEVHUB_SKIP_SETUP=1 / LEVHUB_SKIP_EXAMPLES=1 / LEVHUB_SKIP_BUILD=1  skip a step
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { dataDir, ensureAuthSecret, mongoUri } from "../lib/platform/config.ts";
import { applyMigrations } from "../lib/platform/migrate.ts";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../lib/platform/postgres.ts";
import { privateDirectory, socketPathProblem } from "../lib/platform/unix-socket.ts";
import { webServerEnv, webServerNodeArgs } from "./web-server-args.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** What `npm start` says about who may create an account (Admin → Accounts changes it). */
const SIGN_UP_STATE = {
  invite: "  Sign-up is invite-only: invite people in Admin → Accounts or with `npm run admin -- invite <email>`.",
  open: "  Sign-up is open: anyone who reaches this address can create an account (Admin → Accounts, or `npm run admin -- sign-up-mode invite`).",
  closed: "  Sign-up is closed: nobody can create an account (Admin → Accounts, or `npm run admin -- sign-up-mode invite`).",
} as const;

const say = (msg: string) => console.log(`\x1b[1m[levhub]\x1b[0m ${msg}`);

let pgServer: EmbeddedDatabase | null = null;
let next: ChildProcess | null = null;
let worker: { stop(opts: { cancelRunning: boolean }): Promise<void> } | null = null;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  if (worker) {
    say("stopping the worker (its runs are cancelled) …");
    await worker.stop({ cancelRunning: true }).catch((err: unknown) => console.error(err));
  }
  if (next && next.exitCode === null) {
    say("stopping the web server …");
    next.kill("SIGTERM");
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        next?.kill("SIGKILL");
        resolve();
      }, 10_000);
      next?.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  try {
    const { disconnectDb } = await import("../lib/platform/db.ts");
    await disconnectDb();
  } catch {
    // nothing was connected
  }
  if (pgServer) {
    say("stopping PostgreSQL …");
    await pgServer.stop().catch((err: unknown) => console.error(err));
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

/** The newest modification time under the given paths (files and folders, recursively). */
function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    newest = Math.max(newest, st.mtimeMs);
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== "node_modules" && e !== "__pycache__" && !e.endsWith(".test.ts")) visit(path.join(p, e));
    }
  };
  paths.forEach(visit);
  return newest;
}

function buildIsStale(): boolean {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const sources = ["app", "components", "lib", "runner/src", "next.config.js", "package.json", "postcss.config.mjs", "tsconfig.json", "public"];
  return newestMtime(sources.map((s) => path.join(ROOT, s))) > statSync(buildId).mtimeMs;
}

async function main() {
  const t0 = Date.now();
  const port = Number(process.env.PORT || 3000);
  const host = process.env.HOST || "127.0.0.1";
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT=${process.env.PORT} is not a port number`);

  if (process.env.LEVHUB_SKIP_SETUP !== "1") {
    say("setup (Docker, images, FerretDB) …");
    const r = spawnSync("bash", [path.join(ROOT, "scripts/setup.sh")], { stdio: "inherit", env: process.env });
    if (r.status !== 0) throw new Error("scripts/setup.sh failed (see above)");
  }

  process.env.LEVHUB_DATA_DIR = dataDir();
  ensureAuthSecret();
  process.env.MONGODB_URI = mongoUri();
  // the key project secrets are encrypted with: LEVHUB_SECRETS_KEY, or <data dir>/secrets.key (made now, 0600)
  const { keyRing } = await import("../lib/platform/secrets-key.ts");
  const ring = keyRing();
  say(`secrets key ${ring.current.id} (${ring.source === "environment" ? "LEVHUB_SECRETS_KEY" : path.join(dataDir(), "secrets.key")})`);
  if (ring.leftovers.size) say(`older secrets keys are still in the data directory (an interrupted rotation?): npm run admin -- rotate-secrets-key finishes it`);

  if (!process.env.DATABASE_URL) {
    const pgDir = path.join(dataDir(), "pg");
    say(`starting the embedded PostgreSQL (${pgDir}) …`);
    const tcpPort = process.env.LEVHUB_PG_PORT ? Number(process.env.LEVHUB_PG_PORT) : undefined;
    if (tcpPort !== undefined && (!Number.isInteger(tcpPort) || tcpPort < 1 || tcpPort > 65535)) throw new Error(`LEVHUB_PG_PORT=${process.env.LEVHUB_PG_PORT} is not a port number`);
    pgServer = await startEmbeddedPostgres(pgDir, { tcpPort });
    process.env.DATABASE_URL = pgServer.url;
    say(`PostgreSQL listens on its unix socket in ${pgServer.socketDir}${pgServer.tcpPort ? ` and on 127.0.0.1:${pgServer.tcpPort} (LEVHUB_PG_PORT)` : " (no TCP port)"}`);
  }
  const schema = path.join(ROOT, "prisma", "schema.prisma");
  const client = path.join(ROOT, "lib", "generated", "prisma", "client.ts");
  if (!existsSync(client) || statSync(schema).mtimeMs > statSync(client).mtimeMs) {
    say("generating the Prisma client …");
    const g = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "prisma", "build", "index.js"), "generate"], {
      cwd: ROOT,
      stdio: "inherit",
      // generate needs no schema engine; Prisma only insists that the variable names a file
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || "/bin/true" },
    });
    if (g.status !== 0) throw new Error("prisma generate failed (see above)");
  }
  const applied = await applyMigrations(process.env.DATABASE_URL);
  say(applied.length ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");

  // runs of a worker process that is gone (this hub's previous in-process worker, too) end WorkerLost after three missed heartbeats
  const { startJanitor } = await import("../lib/queue/janitor.ts");
  startJanitor();
  // debug sessions nobody watches end with their task, their worker or their idle timeout
  const { startDebugSweep } = await import("../lib/debug/sessions.ts");
  startDebugSweep();

  // files given to runs: uploads nothing references are removed a day after their upload, blobs no upload names with them
  const { startFileCollector } = await import("../lib/files/collect.ts");
  startFileCollector();

  // saved scans: those that came due while no hub ran fire once now; then pg-boss ticks every minute
  const { startScanTicker } = await import("../lib/scans/tick-schedule.ts");
  await startScanTicker().catch((err: unknown) => console.error(`[levhub] scheduled scans do not run: ${err instanceof Error ? err.message : String(err)}`));
  // retention (Admin → Retention): a daily pg-boss job; nothing is deleted until an admin sets days
  const { startRetentionSchedule } = await import("../lib/retention/schedule.ts");
  await startRetentionSchedule().catch((err: unknown) => console.error(`[levhub] retention does not run: ${err instanceof Error ? err.message : String(err)}`));

  // notifications: the outbox dispatched into levhub-notify jobs and delivered with retries, apart from runs
  const { startNotifier } = await import("../lib/notify/notifier.ts");
  await startNotifier().catch((err: unknown) => console.error(`[levhub] notifications are not sent: ${err instanceof Error ? err.message : String(err)}`));

  if (process.env.LEVHUB_SKIP_EXAMPLES !== "1") {
    const { publishDirectory } = await import("../lib/packages/upload.ts");
    const { ensureOperatorGrant } = await import("../lib/policy/grants.ts");
    const { publishOrder, readExample } = await import("./example-order.ts");
    const examples = path.join(ROOT, "examples");
    // an example is published after those it depends on: an upload resolves against what is published
    const dirs = existsSync(examples)
      ? publishOrder(
          readdirSync(examples)
            .map((d) => path.join(examples, d))
            .filter((d) => statSync(d).isDirectory() && existsSync(path.join(d, "lev")))
            .map(readExample),
        ).map((e) => e.dir)
      : [];
    for (const dir of dirs) {
      try {
        const r = await publishDirectory("system", dir, { skipExisting: true });
        say(`${r.created ? "published" : "already published:"} ${r.namespace}.${r.name} ${r.version}${r.imageRef ? ` (image ${r.imageRef})` : ""}`);
        // the operator's own grant: only what the example's functions ask for, by name (given once;
        // an older operator grant of host networking nobody changed becomes this one)
        if (await ensureOperatorGrant(r)) say(`granted ${r.namespace}.${r.name} what its scans need: NET_RAW on each run's own network (Admin → Policy)`);
      } catch (err) {
        const e = err as { message?: string; problems?: { where: string; message: string }[] };
        console.error(`[levhub] example ${path.basename(dir)} was not published: ${e.message ?? String(err)}`);
        for (const p of e.problems ?? []) console.error(`    ${p.where ? `${p.where}: ` : ""}${p.message}`);
      }
    }
  }

  const { ensureBootstrapToken } = await import("../lib/accounts/bootstrap.ts");
  const bootstrapToken = await ensureBootstrapToken();
  const { getSettings } = await import("../lib/platform/settings.ts");
  const signUpMode = (await getSettings()).signUpMode;

  const nextBin = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
  // the in-process worker's way to the web server: never loopback
  const workerSocket = path.join(privateDirectory(path.join(dataDir(), "run")), "hub.sock");
  const problem = socketPathProblem(workerSocket);
  if (problem) throw new Error(`the hub's socket: ${problem}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXTAUTH_URL: process.env.NEXTAUTH_URL || `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    LEVHUB_WORKER_SOCKET: workerSocket,
  };
  if (process.env.LEVHUB_SKIP_BUILD !== "1" && buildIsStale()) {
    say("building the web app (next build) …");
    const b = spawnSync(process.execPath, [nextBin, "build"], { cwd: ROOT, stdio: "inherit", env: { ...env, NODE_ENV: "production" } });
    if (b.status !== 0) throw new Error("next build failed (see above)");
  }

  say("starting the web server …");
  // plain node, as `next start` runs: the web server's own modules need no loader
  next = spawn(process.execPath, [...webServerNodeArgs(), path.join(ROOT, "scripts", "serve.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...env, ...webServerEnv(env), NODE_ENV: "production", PORT: String(port), HOST: host },
  });
  let announced = false;
  next.on("message", (msg: { ready?: boolean; sockets?: string[] }) => {
    if (!announced && msg?.ready) {
      announced = true;
      void startInProcessWorker(`unix:${workerSocket}`);
      const url = env.NEXTAUTH_URL;
      console.log(
        [
          "",
          `\x1b[1m  Levhub is running at ${url}\x1b[0m  (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
          bootstrapToken
            ? `  No admin yet: create the admin account with this one-time link: ${url}/signup?bootstrap=${bootstrapToken}`
            : `  Sign in at ${url}/signin.`,
          SIGN_UP_STATE[signUpMode],
          `  Data: ${dataDir()}   Results: ${process.env.MONGODB_URI}`,
          ...(process.env.LEVHUB_SOCKET ? [`  Also on the unix socket ${process.env.LEVHUB_SOCKET} (for a reverse proxy on this machine).`] : []),
          "  Stop with Ctrl-C.",
          "",
        ].join("\n"),
      );
    }
  });
  next.on("exit", (code) => {
    if (!stopping) {
      say(`the web server exited with code ${code}`);
      void shutdown(code ?? 1);
    }
  });
}

/**
 * The worker `npm start` runs in this process (the two-command setup keeps running runs on this
 * machine's Docker engine): a credential created once and kept in <data>/worker-token (0600),
 * registered like any other worker, through the web server's unix socket (`unix:<data>/run/hub.sock`).
 */
async function startInProcessWorker(hubUrl: string) {
  try {
    const file = path.join(dataDir(), "worker-token");
    if (!existsSync(file)) {
      const { createWorkerCredential } = await import("../lib/queue/credentials.ts");
      const { token } = await createWorkerCredential(null, "npm start");
      writeFileSync(file, token, { mode: 0o600 });
    }
    const token = readFileSync(file, "utf8").trim();
    const { startWorker } = await import("../runner/worker/worker.ts");
    const capacity = Number(process.env.LEVHUB_WORKER_CAPACITY) || 4;
    worker = await startWorker({ hubUrl, token, name: process.env.LEVHUB_WORKER_NAME || "hub", dataDir: path.join(dataDir(), "worker"), capacity, labels: { hostNetwork: true } });
    say(`worker "hub" serves this machine's Docker engine (${capacity} runs at once)`);
  } catch (err) {
    console.error(`[levhub] the in-process worker did not start: ${err instanceof Error ? err.message : String(err)}; runs wait in the queue until a worker registers`);
  }
}

main().catch((err: unknown) => {
  console.error(`[levhub] start failed: ${err instanceof Error ? err.message : String(err)}`);
  void shutdown(1);
});
