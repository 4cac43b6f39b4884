/**
 * A whole queued hub for the two-worker tests, the fault suite and bench:queue: throwaway
 * PostgreSQL and Mongo database (startTestHub), a hub web process of its own (hub-process.ts:
 * the /api routes and the janitor) that reaches its database and results store through proxies
 * a test can take down, a user with an API token, and workers — in this process
 * (`startWorker`) or as `npm run worker` processes that a test can SIGKILL — each with a data
 * directory of its own, on the first engine or on any other (a SecondEngine).
 *
 * Set up as `npm start` sets a hub up: nothing of the hub's own crosses loopback. The proxies
 * listen on unix sockets in a 0700 directory, and the hub process listens on one there as well,
 * which workers use unless a test asks for TCP (`via: "tcp"`, as a worker on another host would);
 * clients (alice's API token) use the TCP port.
 *
 * The test process itself talks to the real database and store (to submit runs and to check
 * what arrived); only the hub process goes through the proxies.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ferretdbSocket } from "../../runner/src/config.ts";
import type { ContainerEngine } from "../../runner/src/index.ts";
import type { WorkerHandle, WorkerLogger } from "../../runner/worker/worker.ts";
import type { PublishResult, Viewer } from "../types.ts";
import { startTestHub, type TestHub } from "./hub.ts";
import { spawnHubProcess, type HubProcess } from "./hub-process.ts";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ClusterOptions {
  /** the heartbeat the hub asks of workers; three missed ones make a worker lost (default 500 ms) */
  heartbeatMs?: number;
  /** queue limits (HubSettings.queue) */
  queue?: { totalRuns?: number; perUserRuns?: number };
}

export interface WorkerSpec {
  name: string;
  /** default: the first engine */
  engine?: ContainerEngine;
  /** for a worker process: the engine it serves (DOCKER_HOST); default the first engine */
  dockerHost?: string;
  capacity?: number;
  hostNetwork?: boolean;
  logger?: WorkerLogger;
  storeRetryMs?: number;
  /** how the worker reaches the hub: its unix socket (default, like npm start's worker) or its TCP port */
  via?: "socket" | "tcp";
}

export interface ClusterWorker {
  name: string;
  dataDir: string;
  handle: WorkerHandle;
  stop(opts?: { cancelRunning: boolean }): Promise<void>;
}

export interface WorkerProcess {
  name: string;
  dataDir: string;
  child: ChildProcess;
  /** what it printed so far (its log lines) */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface QueueCluster {
  hub: TestHub;
  /** the hub web process (replaced by `restartHub`) */
  web: HubProcess;
  /** where clients (and workers on other hosts) reach the hub: the same port across restarts */
  readonly url: string;
  /** where workers on this machine reach the hub: `unix:<its socket>`, the same across restarts */
  readonly socketUrl: string;
  /** the hub process's way to PostgreSQL */
  db: TcpProxy;
  /** the hub process's way to the results store */
  store: TcpProxy;
  alice: Viewer;
  /** alice's API token (for the HTTP API: run events, submissions) */
  aliceToken: string;
  publishDirectory(dir: string): Promise<PublishResult>;
  workerToken(name: string): Promise<string>;
  startWorker(spec: WorkerSpec): Promise<ClusterWorker>;
  /** `npm run worker` (scripts/worker.ts), or another entry of the same settings (bench:queue's fake-engine worker) */
  spawnWorker(spec: WorkerSpec, opts?: { script?: string; env?: Record<string, string> }): Promise<WorkerProcess>;
  /** SIGKILLs the hub web process; `restartHub` starts a new one on the same port, database and data */
  killHub(): Promise<void>;
  restartHub(): Promise<void>;
  close(): Promise<void>;
}

/** `databaseUrl` (over a unix socket) through a proxy whose socket lies in `socketDir` under the same name. */
function viaProxy(databaseUrl: string, socketDir: string): string {
  const u = new URL(databaseUrl);
  u.searchParams.set("host", socketDir);
  return u.toString();
}

export async function startQueueCluster(opts: ClusterOptions = {}): Promise<QueueCluster> {
  const heartbeatMs = opts.heartbeatMs ?? 500;
  process.env.LEVHUB_WORKER_HEARTBEAT_MS = String(heartbeatMs);
  const hub = await startTestHub();
  const cleanups: (() => Promise<unknown>)[] = [];
  // the hub's sockets: a directory only this user enters, short enough for a socket's path
  const runDir = mkdtempSync(path.join(tmpdir(), "levhub-run-"));
  const pgUrl = new URL(hub.databaseUrl);
  const pgSocketName = `.s.PGSQL.${pgUrl.port || 5432}`;
  mkdirSync(path.join(runDir, "pg"), { mode: 0o700 });
  const db = await startTcpProxy({ path: path.join(pgUrl.searchParams.get("host") ?? "", pgSocketName) }, { path: path.join(runDir, "pg", pgSocketName) });
  const store = await startTcpProxy({ path: ferretdbSocket() }, { path: path.join(runDir, "store.sock") });
  const dbName = new URL(hub.mongoUri.replace(/^mongodb:\/\/[^/]*/, "mongodb://x")).pathname.slice(1);
  const webEnv: Record<string, string> = {
    DATABASE_URL: viaProxy(hub.databaseUrl, path.join(runDir, "pg")),
    MONGODB_URI: `mongodb://${encodeURIComponent(store.path!)}/${dbName}?directConnection=true&serverSelectionTimeoutMS=2000`,
    LEVHUB_DATA_DIR: hub.dataDir,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "levhub-test-secret",
    LEVHUB_WORKER_HEARTBEAT_MS: String(heartbeatMs),
    LEVHUB_WORKER_SOCKET: path.join(runDir, "hub.sock"),
  };

  const { signUp } = await import("../accounts/users.ts");
  const { createToken } = await import("../accounts/tokens.ts");
  const alice = await signUp({ email: "alice@example.org", username: "alice", password: "longenough" });
  const aliceToken = (await createToken(alice, { name: "cluster" })).token;
  if (opts.queue) {
    const { getSettings, updateSettings } = await import("../platform/settings.ts");
    const current = await getSettings();
    await updateSettings({ queue: { ...current.queue, ...opts.queue } });
  }

  let web = await spawnHubProcess(webEnv);
  const port = Number(new URL(web.url).port);
  const dataDirs: string[] = [];
  const newDataDir = (name: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), `levhub-worker-${name}-`));
    dataDirs.push(dir);
    return dir;
  };
  const workerToken = async (name: string) => {
    const { createWorkerCredential } = await import("../queue/credentials.ts");
    return (await createWorkerCredential(null, name)).token;
  };

  const cluster: QueueCluster = {
    hub,
    get web() {
      return web;
    },
    get url() {
      return web.url;
    },
    get socketUrl() {
      return `unix:${web.socket}`;
    },
    db,
    store,
    alice,
    aliceToken,
    async publishDirectory(dir) {
      const { publishDirectory } = await import("../packages/upload.ts");
      return publishDirectory("system", dir, { skipExisting: true });
    },
    workerToken,
    async startWorker(spec) {
      const { startWorker } = await import("../../runner/worker/worker.ts");
      const dataDir = newDataDir(spec.name);
      const handle = await startWorker({
        hubUrl: spec.via === "tcp" ? web.url : `unix:${web.socket}`,
        token: await workerToken(spec.name),
        name: spec.name,
        engine: spec.engine,
        dataDir,
        capacity: spec.capacity ?? 4,
        labels: { hostNetwork: spec.hostNetwork ?? false },
        logger: spec.logger,
        storeRetryMs: spec.storeRetryMs,
      });
      let stopped: Promise<void> | null = null;
      const stop = (o = { cancelRunning: true }) => (stopped ??= handle.stop(o));
      cleanups.push(() => stop());
      return { name: spec.name, dataDir, handle, stop };
    },
    async spawnWorker(spec, extra = {}) {
      const dataDir = newDataDir(spec.name);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        LEVHUB_HUB_URL: spec.via === "tcp" ? web.url : `unix:${web.socket}`,
        LEVHUB_WORKER_TOKEN: await workerToken(spec.name),
        LEVHUB_WORKER_NAME: spec.name,
        LEVHUB_WORKER_CAPACITY: String(spec.capacity ?? 4),
        LEVHUB_WORKER_LABELS: spec.hostNetwork ? "hostNetwork" : "",
        LEVHUB_WORKER_DATA_DIR: dataDir,
        ...extra.env,
      };
      if (spec.dockerHost) env.DOCKER_HOST = spec.dockerHost;
      else delete env.DOCKER_HOST;
      const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, extra.script ?? "scripts/worker.ts")], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited;
      };
      cleanups.push(() => kill("SIGKILL"));
      return { name: spec.name, dataDir, child, output: () => out, kill };
    },
    async killHub() {
      await web.kill();
    },
    async restartHub() {
      await web.kill();
      web = await spawnHubProcess(webEnv, { port });
    },
    async close() {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
      await web.stop().catch(() => undefined);
      await db.close();
      await store.close();
      const { stopBoss } = await import("../queue/boss.ts");
      const { closeNotify } = await import("../queue/notify.ts");
      const { closeResultStore } = await import("../results/results-store.ts");
      await stopBoss().catch(() => undefined);
      await closeNotify().catch(() => undefined);
      await closeResultStore().catch(() => undefined);
      await hub.close();
      for (const d of [...dataDirs, runDir]) rmSync(d, { recursive: true, force: true });
    },
  };
  return cluster;
}
