/**
 * A few workflow containers started ahead of runs (levrt/_warm.py), so a run's workflow begins
 * without waiting for a container's create and start: an optional, off-by-default pool
 * (RunnerOptions.warmContainers) whose idle cost is the containers' memory (bench:queue prints it).
 *
 * Each slot has its own host directory, mounted read-only into its container only: `ctl` (a FIFO
 * and the run's call), `pkg`, `deps`, `chan`. A lease takes a slot whose process waits on its FIFO,
 * the run fills `pkg` and `deps` with copies of its package and dependencies (slot-copy.ts), listens on
 * `chan`, writes the call and says go. A container serves one run and goes with it; its slot is
 * filled again in the background. Containers are made by policy/warm-config.ts from the cold
 * container a run would have had, so only runs whose cold container matches the pool's (same
 * image, limits, environment) lease one; the first run of another kind re-targets the pool.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, mkdir, open, rm, writeFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { ContainerEngine, ContainerSpec, OutputListener } from "../engine/engine.ts";
import { backoffMs } from "../backoff.ts";
import { LABEL } from "../engine/labels.ts";
import { warmCallEnv, warmContainerConfig, warmDependencyDirs, warmKey, warmPackageDir, type WarmSlot } from "../policy/warm-config.ts";
import { copyTree, newCopyBudget } from "./slot-copy.ts";

/** consecutive containers that died or failed before serving a run, after which the pool pauses */
const MAX_FAILURES = 3;
/** how long it pauses, doubling with each pause in a row */
const PAUSE = { baseMs: 30_000, maxMs: 10 * 60_000 };
/** what levrt/_warm.py prints once it waits on its FIFO */
const WAITING = "levrt._warm: waiting";
export const MAX_WARM_CONTAINERS = 64;
/** containers the pool starts at once when it refills */
const FILL_AT_ONCE = 4;

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

/** discarded (closed, re-targeted) while its start was under way; a function, so a check after an await is not narrowed away */
const gone = (slot: Slot) => slot.state === "gone";

export class WarmPool {
  private readonly slots = new Set<Slot>();
  /** the slot ids whose containers are the pool's or a run's that leased one (the reaper keeps them) */
  private readonly owned = new Set<string>();
  private template: { cold: ContainerSpec; key: string } | null = null;
  private filling: Promise<void> | null = null;
  private failures = 0;
  private pauses = 0;
  private paused: NodeJS.Timeout | null = null;
  private closed = false;
  /** leases handed out and runs that started cold, since the pool began (bench:queue reads them) */
  readonly stats = { leased: 0, cold: 0 };

  constructor(private readonly opts: WarmPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1 || opts.size > MAX_WARM_CONTAINERS) throw new Error(`a warm pool has 1 to ${MAX_WARM_CONTAINERS} containers, not ${opts.size}`);
  }

  /** Containers ready to be leased now (their process said it waits on its FIFO). */
  ready(): number {
    return [...this.slots].filter((s) => s.state === "ready").length;
  }

  /** Whether a container with these labels is this pool's, or a run's that leased it from this pool. */
  owns(labels: Record<string, string>): boolean {
    const run = labels[LABEL.run] ?? "";
    return labels[LABEL.instance] === this.opts.instance && run.startsWith("warm-") && this.owned.has(run.slice(5));
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
      this.pauses = 0;
      this.stats.leased++;
      this.fill();
      return new WarmLease(this.opts.engine, slot, fifo, cold, () => this.owned.delete(slot.id));
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
    if (this.paused) clearTimeout(this.paused);
    await this.filling;
    await Promise.allSettled([...this.slots].map((s) => this.discard(s)));
  }

  private wantsMore(): boolean {
    return !this.closed && this.paused === null && this.template !== null && this.failures < MAX_FAILURES && this.slots.size < this.opts.size;
  }

  private fill(): void {
    if (this.filling || !this.wantsMore()) return;
    this.filling = (async () => {
      // in the background, a few at a time: after a burst the pool comes back while its runs go on
      const filler = async () => {
        while (this.wantsMore()) await this.startSlot(this.template!);
      };
      await Promise.all(Array.from({ length: Math.min(FILL_AT_ONCE, this.opts.size) }, filler));
      if (this.failures >= MAX_FAILURES && !this.closed && this.paused === null) {
        // an engine restarting, an image gone: runs start cold meanwhile, and the pool tries again
        const ms = backoffMs(++this.pauses, PAUSE, () => 0.5);
        this.opts.log("warm pool paused: its containers keep failing before any run; runs start cold meanwhile", { failures: this.failures, seconds: Math.round(ms / 1000) });
        this.paused = setTimeout(() => {
          this.paused = null;
          this.failures = 0;
          this.fill();
        }, ms);
        this.paused.unref();
      }
    })().finally(() => {
      this.filling = null;
      // a lease while the fillers were finishing
      this.fill();
    });
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
    this.owned.add(id);
    const { engine } = this.opts;
    try {
      await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
      // the slot's directory is the runner's alone; only its parts are mounted into its container
      await mkdir(dir, { mode: 0o700 });
      for (const d of [slot.ctlDir, slot.pkgDir, slot.depsDir, slot.chanDir]) {
        await mkdir(d, { mode: 0o755 });
        await chmod(d, 0o755);
      }
      await promisify(execFile)("mkfifo", ["-m", "0644", path.join(slot.ctlDir, "go")]);
      const containerId = await engine.create(warmContainerConfig(template.cold, slot));
      slot.containerId = containerId;
      // discarded meanwhile (closed, re-targeted): what was created goes too
      if (gone(slot)) return void (await this.removeSlot(slot));
      await engine.attach(containerId, (stream, chunk) => {
        if (slot.output) slot.output(stream, chunk);
        else if (slot.state === "starting" && stream === "stdout" && chunk.toString("utf8").includes(WAITING)) slot.state = "ready";
      });
      if (gone(slot)) return void (await this.removeSlot(slot));
      await engine.start(containerId);
      void engine.wait(containerId).then(
        (code) => this.exited(slot, code),
        () => this.exited(slot, null),
      );
    } catch (err) {
      if (gone(slot)) return void (await this.removeSlot(slot));
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
    await this.removeSlot(slot);
  }

  private async removeSlot(slot: Slot): Promise<void> {
    if (slot.containerId) await this.opts.engine.remove(slot.containerId).catch(() => undefined);
    await rm(slot.dir, { recursive: true, force: true }).catch(() => undefined);
    this.owned.delete(slot.id);
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
    private readonly released: () => void,
  ) {
    this.id = slot.containerId!;
    this.chanDir = slot.chanDir;
  }

  /** The run's package and dependencies, where its cold container would have mounted them (SlotCopyRefused: over the caps). */
  async prepare(): Promise<void> {
    const budget = newCopyBudget();
    await copyTree(warmPackageDir(this.cold), this.slot.pkgDir, budget);
    for (const d of warmDependencyDirs(this.cold)) await copyTree(d.host, path.join(this.slot.depsDir, d.name), budget);
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
    await this.engine.remove(this.id).catch(() => undefined);
    await this.release();
  }

  /** The slot's directory goes, once the container has (the run removes it with its others). */
  async release(): Promise<void> {
    this.slot.output = null;
    // a run that ended before its go: the process reads an end without `go` (its container is gone or going)
    await this.fifo?.close().catch(() => undefined);
    this.fifo = null;
    await rm(this.slot.dir, { recursive: true, force: true }).catch(() => undefined);
    this.released();
  }
}
