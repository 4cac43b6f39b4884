/**
 * A few workflow containers started ahead of runs (levrt/_warm.py), so a run's workflow begins
 * without waiting for a container's create and start: an optional, off-by-default pool
 * (RunnerOptions.warmContainers) whose idle cost is the containers' memory (bench:queue prints it).
 *
 * Each slot has its own host directory, mounted read-only into its container only: `ctl` (a FIFO
 * and the run's call), `pkg`, `deps`, `chan`. A lease takes a slot whose process waits on its FIFO,
 * the run fills `pkg` and `deps` with hard links of its package and dependencies, listens on
 * `chan`, writes the call and says go. A container serves one run and goes with it; its slot is
 * filled again in the background. Containers are made by policy/warm-config.ts from the cold
 * container a run would have had, so only runs whose cold container matches the pool's (same
 * image, limits, environment) lease one; the first run of another kind re-targets the pool.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, copyFile, link, mkdir, open, readdir, readlink, rm, stat, symlink, writeFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { ContainerEngine, ContainerSpec, OutputListener } from "../engine/engine.ts";
import { warmCallEnv, warmContainerConfig, warmDependencyDirs, warmKey, warmPackageDir, type WarmSlot } from "../policy/warm-config.ts";

/** consecutive containers that died or failed before serving a run, after which the pool stops */
const MAX_FAILURES = 3;
/** what levrt/_warm.py prints once it waits on its FIFO */
const WAITING = "levrt._warm: waiting";
export const MAX_WARM_CONTAINERS = 64;

interface Slot extends WarmSlot {
  dir: string;
  key: string;
  containerId: string | null;
  /** starting: created, its process not yet waiting; ready: it said it waits */
  state: "starting" | "ready" | "leased" | "gone";
  output: OutputListener | null;
}

export interface WarmPoolOptions {
  engine: ContainerEngine;
  instance: string;
  /** the slots' directories (must be visible to the engine: bind mounts) */
  dir: string;
  size: number;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

export class WarmPool {
  private readonly slots = new Set<Slot>();
  private template: { cold: ContainerSpec; key: string } | null = null;
  private filling: Promise<void> | null = null;
  private failures = 0;
  private closed = false;
  /** leases handed out and runs that started cold, since the pool began (bench:queue reads them) */
  readonly stats = { leased: 0, cold: 0 };

  constructor(private readonly opts: WarmPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1 || opts.size > MAX_WARM_CONTAINERS) throw new Error(`a warm pool has 1 to ${MAX_WARM_CONTAINERS} containers, not ${opts.size}`);
  }

  get enabled(): boolean {
    return !this.closed;
  }

  /** Containers ready to be leased now (their process said it waits on its FIFO). */
  ready(): number {
    return [...this.slots].filter((s) => s.state === "ready").length;
  }

  /**
   * A warm container to stand in for `cold` (the workflow container the run would otherwise
   * create), or null: start cold. A run unlike the pool's containers re-targets the pool to its kind.
   */
  async lease(cold: ContainerSpec): Promise<WarmLease | null> {
    if (this.closed) return null;
    const key = warmKey(cold);
    if (key === null) return this.miss();
    if (this.template?.key !== key) {
      this.template = { cold, key };
      for (const s of this.slots) if (s.key !== key) void this.discard(s);
      this.fill();
      return this.miss();
    }
    for (const slot of this.slots) {
      if (slot.state !== "ready" || slot.key !== key) continue;
      let fifo: FileHandle;
      try {
        // a reader that waits is the only way to know the process is there; without one this fails at once (ENXIO)
        fifo = await open(path.join(slot.ctlDir, "go"), constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        continue;
      }
      if (slot.state !== "ready") {
        await fifo.close();
        continue;
      }
      slot.state = "leased";
      this.slots.delete(slot);
      this.failures = 0;
      this.stats.leased++;
      this.fill();
      return new WarmLease(this.opts.engine, slot, fifo, cold);
    }
    return this.miss();
  }

  private miss(): null {
    this.stats.cold++;
    return null;
  }

  /** Removes every container not leased, and takes no lease any more. */
  async close(): Promise<void> {
    this.closed = true;
    await this.filling;
    await Promise.allSettled([...this.slots].map((s) => this.discard(s)));
  }

  private fill(): void {
    if (this.filling || this.closed) return;
    this.filling = (async () => {
      // one at a time, in the background: a burst's own containers come first
      while (!this.closed && this.template && this.failures < MAX_FAILURES && this.slots.size < this.opts.size) {
        await this.startSlot(this.template);
      }
      if (this.failures >= MAX_FAILURES && !this.closed) {
        this.closed = true;
        this.opts.log("warm pool stopped: its containers keep failing before any run; runs start cold", { failures: this.failures });
      }
    })().finally(() => (this.filling = null));
  }

  private async startSlot(template: { cold: ContainerSpec; key: string }): Promise<void> {
    const id = randomBytes(6).toString("hex");
    const dir = path.join(this.opts.dir, id);
    const slot: Slot = {
      id,
      instance: this.opts.instance,
      dir,
      ctlDir: path.join(dir, "ctl"),
      pkgDir: path.join(dir, "pkg"),
      depsDir: path.join(dir, "deps"),
      chanDir: path.join(dir, "chan"),
      key: template.key,
      containerId: null,
      state: "starting",
      output: null,
    };
    this.slots.add(slot);
    try {
      await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
      // the slot's directory is the runner's alone; only its parts are mounted into its container
      await mkdir(dir, { mode: 0o700 });
      for (const d of [slot.ctlDir, slot.pkgDir, slot.depsDir, slot.chanDir]) {
        await mkdir(d, { mode: 0o755 });
        await chmod(d, 0o755);
      }
      await promisify(execFile)("mkfifo", ["-m", "0644", path.join(slot.ctlDir, "go")]);
      const { engine } = this.opts;
      slot.containerId = await engine.create(warmContainerConfig(template.cold, slot));
      await engine.attach(slot.containerId, (stream, chunk) => {
        if (slot.output) slot.output(stream, chunk);
        else if (slot.state === "starting" && stream === "stdout" && chunk.toString("utf8").includes(WAITING)) slot.state = "ready";
      });
      await engine.start(slot.containerId);
      void engine.wait(slot.containerId).then(
        (code) => this.exited(slot, code),
        () => this.exited(slot, null),
      );
    } catch (err) {
      this.failures++;
      this.opts.log("a warm container could not start", { error: err instanceof Error ? err.message : String(err), failures: this.failures });
      await this.discard(slot);
    }
  }

  /** A container that ended while it waited: it served nobody; its slot is filled again. */
  private exited(slot: Slot, code: number | null): void {
    if (slot.state === "leased" || slot.state === "gone") return;
    this.failures++;
    this.opts.log("a warm container ended before any run leased it", { exitCode: code, failures: this.failures });
    void this.discard(slot).then(() => this.fill());
  }

  private async discard(slot: Slot): Promise<void> {
    if (slot.state === "leased" || slot.state === "gone") return;
    slot.state = "gone";
    this.slots.delete(slot);
    if (slot.containerId) await this.opts.engine.remove(slot.containerId).catch(() => undefined);
    await rm(slot.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** One run's warm container, from its lease to its end. */
export class WarmLease {
  readonly id: string;
  /** where the run's channel socket goes (mounted at /lev/chan in the container) */
  readonly chanDir: string;

  constructor(
    private readonly engine: ContainerEngine,
    private readonly slot: Slot,
    private fifo: FileHandle | null,
    private readonly cold: ContainerSpec,
  ) {
    this.id = slot.containerId!;
    this.chanDir = slot.chanDir;
  }

  /** The run's package and dependencies, where its cold container would have mounted them. */
  async prepare(): Promise<void> {
    await linkTree(warmPackageDir(this.cold), this.slot.pkgDir);
    for (const d of warmDependencyDirs(this.cold)) await linkTree(d.host, path.join(this.slot.depsDir, d.name));
  }

  /** The container's output from now on goes to `listener`. */
  output(listener: OutputListener): void {
    this.slot.output = listener;
  }

  /** Tells the waiting process to become the run's workflow. */
  async go(): Promise<void> {
    await writeFile(path.join(this.slot.ctlDir, "call.json"), JSON.stringify(warmCallEnv(this.cold)), { mode: 0o644 });
    const fifo = this.fifo!;
    this.fifo = null;
    try {
      await fifo.write("go\n");
    } finally {
      await fifo.close();
    }
  }

  /** The run did not use it after all: the process is told nothing (it ends) and the container removed. */
  async abandon(): Promise<void> {
    await this.fifo?.close().catch(() => undefined);
    this.fifo = null;
    await this.engine.remove(this.id).catch(() => undefined);
    await this.release();
  }

  /** The slot's directory goes, once the container has (the run removes it with its others). */
  async release(): Promise<void> {
    this.slot.output = null;
    await rm(this.slot.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * `dst` made a copy of the tree at `src` by hard links (a copy where the file system refuses one):
 * a read-only mount of it shows the container what a mount of `src` would. Symbolic links are
 * copied as links (resolved inside the container, as with a mount of `src`).
 */
export async function linkTree(src: string, dst: string): Promise<void> {
  await mkdir(dst, { recursive: true });
  await chmod(dst, (await stat(src)).mode & 0o7777);
  for (const e of await readdir(src, { withFileTypes: true })) {
    const from = path.join(src, e.name);
    const to = path.join(dst, e.name);
    if (e.isDirectory()) await linkTree(from, to);
    else if (e.isSymbolicLink()) await symlink(await readlink(from), to);
    else if (e.isFile()) {
      try {
        await link(from, to);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "EXDEV" && code !== "EPERM") throw err;
        await copyFile(from, to);
        await chmod(to, (await stat(from)).mode & 0o7777);
      }
    }
  }
}
