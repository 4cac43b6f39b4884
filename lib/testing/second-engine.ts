/**
 * A second Docker engine on this machine that behaves like another host, for the two-worker and
 * fault tests and bench:queue: dockerd in a network namespace of its own (its own loopback and
 * docker0, so its containers cannot reach the first host's 127.0.0.1 services), with its own
 * data, exec root and socket under a temporary directory. The file system is shared, so bind
 * mounts of host paths work as they do on the first engine.
 *
 * Started with `nsenter --net`, never `ip netns exec` (that remounts /sys and dockerd then finds
 * no devices cgroup), and never as a second engine in the host namespace (stopping one with
 * `--bridge=none` there deleted the first engine's docker0). The first engine is never touched
 * except to read images from it.
 *
 * Every engine lives in `<tmp>/levhub-eng-<name>-<random>` and the namespace of the same name,
 * with an owner file naming the process that started it: `cleanStaleEngines()` (called by every
 * start) removes those whose owner is gone, after a crashed or killed test run.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { DockerodeEngine } from "../../runner/src/index.ts";
import { alive, netnsAdd, netnsDelete, netnsPids, processStart, unmountUnder, waitExit } from "./host-tools.ts";

const PREFIX = "levhub-eng-";
const PING_MS = 60_000;
const STOP_MS = 30_000;

export interface SecondEngineOptions {
  /** a short word naming the engine in paths and the namespace ([a-z0-9-], ≤ 12 characters) */
  name: string;
  /** the engine's docker0 address: distinct from the first engine's so logs never mix them up */
  bip?: string;
  /** where the engine takes user-defined networks (the runner's per-run networks) from */
  addressPool?: string;
}

export interface ImageCopy {
  ref: string;
  id: string;
  /** false when the engine already had the image under that id */
  copied: boolean;
  ms: number;
}

export interface SecondEngine {
  readonly name: string;
  readonly netns: string;
  readonly dir: string;
  readonly socket: string;
  /** `unix://…/docker.sock`, for DOCKER_HOST */
  readonly dockerHost: string;
  readonly docker: Docker;
  /** the runner's engine over this socket */
  engine(): DockerodeEngine;
  /** copies an image from the first engine (`docker save | docker load`: the image id stays the same) */
  loadImage(ref: string, from?: Docker): Promise<ImageCopy>;
  /**
   * stops dockerd (it stops its containers as a host's engine restart does: SIGTERM, then SIGKILL
   * after the container's stop timeout, 10 s by default) and starts it again
   */
  restart(): Promise<void>;
  /** stops dockerd and removes the namespace and every file; idempotent */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Owner {
  pid: number;
  start: string | null;
  netns: string;
}

function dockerdArgs(dir: string, opts: Required<Omit<SecondEngineOptions, "name">>): string[] {
  return [
    "-H",
    `unix://${path.join(dir, "docker.sock")}`,
    "--data-root",
    path.join(dir, "data"),
    "--exec-root",
    path.join(dir, "exec"),
    "--pidfile",
    path.join(dir, "docker.pid"),
    // no iptables: the rules would be the namespace's own, but the proven setup leaves them alone
    // (and so cannot have setup.sh's --icc=false, which needs them)
    "--iptables=false",
    "--bip",
    opts.bip,
    "--default-address-pool",
    `base=${opts.addressPool},size=24`,
    "--log-level",
    "warn",
  ];
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function launch(dir: string, netns: string, args: string[]): Promise<void> {
  const log = openSync(path.join(dir, "dockerd.log"), "a");
  // nsenter execs dockerd: the child is dockerd itself, detached so a test process exiting never waits for it
  const child = spawn("nsenter", [`--net=/run/netns/${netns}`, "dockerd", ...args], { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  let exited: string | null = null;
  child.once("exit", (code, signal) => (exited = `exited (${signal ?? code})`));
  child.once("error", (e) => (exited = e.message));
  child.unref();
  const docker = new Docker({ socketPath: path.join(dir, "docker.sock") });
  const until = Date.now() + PING_MS;
  while (Date.now() < until) {
    if (exited) break;
    try {
      await docker.ping();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const tail = readFileSync(path.join(dir, "dockerd.log"), "utf8").split("\n").slice(-15).join("\n");
  throw new Error(`the second Docker engine in ${netns} did not answer: ${exited ?? `no _ping within ${PING_MS / 1000} s`}\n${tail}`);
}

/** SIGTERM (dockerd stops its containers and its containerd), then SIGKILL if it hangs. */
async function shutdown(dir: string): Promise<void> {
  const pid = readPid(path.join(dir, "docker.pid"));
  if (pid === null || !alive(pid)) return;
  process.kill(pid, "SIGTERM");
  if (await waitExit(pid, STOP_MS)) return;
  process.kill(pid, "SIGKILL");
  await waitExit(pid, 5000);
}

/** Removes what is left once dockerd is down: processes in the namespace, mounts, the namespace, the files. */
async function dismantle(dir: string, netns: string, args: string[]): Promise<void> {
  await shutdown(dir);
  if ((await netnsPids(netns)).length > 0) {
    // a dockerd that was SIGKILLed leaves containerd and its shims: a new dockerd on the same
    // directories takes them over and, stopping, stops their containers the way Docker does
    await launch(dir, netns, args).catch(() => undefined);
    await shutdown(dir);
  }
  for (const pid of await netnsPids(netns)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  await unmountUnder(dir);
  await netnsDelete(netns);
  rmSync(dir, { recursive: true, force: true });
}

const defaults = { bip: "10.213.0.1/24", addressPool: "10.214.0.0/16" };

/** Removes engines left by test processes that are gone; returns their directories. */
export async function cleanStaleEngines(): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(PREFIX)) continue;
    const dir = path.join(tmpdir(), entry);
    let owner: Owner;
    try {
      owner = JSON.parse(readFileSync(path.join(dir, "owner.json"), "utf8")) as Owner;
    } catch {
      continue; // still being created, or not ours
    }
    if (processStart(owner.pid) !== null && processStart(owner.pid) === owner.start) continue;
    try {
      // one remover per directory even when several test processes start at once
      closeSync(openSync(path.join(dir, "reaping"), "wx"));
    } catch {
      continue;
    }
    await dismantle(dir, owner.netns, dockerdArgs(dir, defaults));
    removed.push(dir);
  }
  return removed;
}

export async function startSecondEngine(options: SecondEngineOptions): Promise<SecondEngine> {
  if (!/^[a-z0-9-]{1,12}$/.test(options.name)) throw new Error(`engine name '${options.name}': use 1-12 of [a-z0-9-]`);
  if (process.getuid?.() !== 0) throw new Error("a second Docker engine needs root (network namespaces, dockerd)");
  await cleanStaleEngines();
  const opts = { ...defaults, ...options };
  const netns = `${PREFIX}${options.name}-${randomBytes(3).toString("hex")}`;
  const dir = path.join(tmpdir(), netns);
  mkdirSync(dir, { mode: 0o700 });
  const owner: Owner = { pid: process.pid, start: processStart(process.pid), netns };
  writeFileSync(path.join(dir, "owner.json"), JSON.stringify(owner));
  const args = dockerdArgs(dir, opts);
  const socket = path.join(dir, "docker.sock");
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= dismantle(dir, netns, args));
  try {
    await netnsAdd(netns);
    await launch(dir, netns, args);
  } catch (e) {
    await stop();
    throw e;
  }
  const docker = new Docker({ socketPath: socket });
  return {
    name: options.name,
    netns,
    dir,
    socket,
    dockerHost: `unix://${socket}`,
    docker,
    engine: () => new DockerodeEngine(docker),
    async loadImage(ref, from = new Docker()) {
      const t0 = performance.now();
      const source = await from.getImage(ref).inspect();
      const present = await docker
        .getImage(ref)
        .inspect()
        .catch(() => null);
      if (present?.Id === source.Id) return { ref, id: source.Id, copied: false, ms: performance.now() - t0 };
      const tar = await from.getImage(ref).get();
      const out = await docker.loadImage(tar, { quiet: true });
      await new Promise<void>((resolve, reject) => docker.modem.followProgress(out, (err) => (err ? reject(err) : resolve())));
      const loaded = await docker.getImage(ref).inspect();
      if (loaded.Id !== source.Id) throw new Error(`loading ${ref} gave ${loaded.Id}, not ${source.Id}`);
      return { ref, id: loaded.Id, copied: true, ms: performance.now() - t0 };
    },
    async restart() {
      if (stopped) throw new Error(`the engine ${netns} was stopped`);
      await shutdown(dir);
      await launch(dir, netns, args);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

