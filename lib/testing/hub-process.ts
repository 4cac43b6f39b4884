/**
 * A hub web process of its own, for tests that kill it: the route handlers (route-server.ts)
 * and the janitor every hub web process runs, on the database, results store and data directory
 * of the environment (DATABASE_URL, MONGODB_URI, LEVHUB_DATA_DIR, NEXTAUTH_SECRET; PORT, else any),
 * listening on the unix socket LEVHUB_WORKER_SOCKET as well when it is set (as `npm start`'s web
 * server does for its worker). Prints one JSON line `{"url": …}` once it listens. Started with
 *   node --conditions=react-server --import tsx lib/testing/hub-process.ts
 * `spawnHubProcess()` does that from a test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), "../..");

export interface HubProcess {
  url: string;
  /** the unix socket it listens on as well (LEVHUB_WORKER_SOCKET), or null */
  socket: string | null;
  pid: number;
  child: ChildProcess;
  /** SIGKILL, as a crash or the OOM killer would; resolves once it is gone */
  kill(): Promise<void>;
  /** SIGTERM and wait */
  stop(): Promise<void>;
}

export async function spawnHubProcess(env: Record<string, string>, opts: { port?: number } = {}): Promise<HubProcess> {
  // bench:queue profiles the hub's CPU: LEVHUB_HUB_CPU_PROF names the directory of its .cpuprofile (written at exit)
  const prof = process.env.LEVHUB_HUB_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.LEVHUB_HUB_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, "--conditions=react-server", "--import", "tsx", SELF], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(opts.port ?? 0) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { url, socket } = await new Promise<{ url: string; socket: string | null }>((resolve, reject) => {
    let buf = "";
    const onData = (d: Buffer) => {
      buf += d.toString();
      const line = buf.split("\n").find((l) => l.startsWith("{"));
      if (line) {
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        resolve(JSON.parse(line) as { url: string; socket: string | null });
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the hub process exited (${code}) before listening`)));
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, socket, pid: child.pid!, child, kill: () => end("SIGKILL"), stop: () => end("SIGTERM") };
}

async function main() {
  const { serveRoutes } = await import("./route-server.ts");
  const { startJanitor, stopJanitor } = await import("../queue/janitor.ts");
  const server = await serveRoutes({ port: Number(process.env.PORT ?? 0), socket: process.env.LEVHUB_WORKER_SOCKET || undefined });
  startJanitor();
  const { startDebugSweep, stopDebugSweep } = await import("../debug/sessions.ts");
  startDebugSweep(1000);
  process.stdout.write(`${JSON.stringify({ url: server.url, socket: server.socket, pid: process.pid })}\n`);
  const shutdown = async () => {
    stopJanitor();
    stopDebugSweep();
    await server.close();
    const { disconnectDb } = await import("../platform/db.ts");
    await disconnectDb().catch(() => undefined);
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown());
  process.once("SIGINT", () => void shutdown());
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  main().catch((err: unknown) => {
    console.error("hub process:", err);
    process.exit(1);
  });
}
