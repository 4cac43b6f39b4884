/**
 * The tasks of one run: each `start` is checked (quotas, policy, images, files) before anything
 * is created, waits for a slot, gets its channel(s), has its containers started (task-launch.ts),
 * and ends with its document stored and everything it held given back.
 */
import { chmod, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { ChannelReplyError } from "../channel/channel.ts";
import { imageNotAvailable, NOBODY_UID, taskWeight } from "../policy/container-config.ts";
import { EngineError } from "../engine/engine.ts";
import { formatBytes } from "../channel/log-sink.ts";
import { ModeGrants } from "./mode-grants.ts";
import { RunImages } from "./run-images.ts";
import { RunNetwork } from "./run-network.ts";
import { Slots, SlotsClosedError } from "./slots.ts";
import { collectionName, type CrSpec } from "../channel/spec.ts";
import { TaskChannel } from "../channel/task-channel.ts";
import { checkFiles, readFiles, writeFiles } from "./task-files.ts";
import { storeAtEnd, storeWhenFinal } from "./task-document.ts";
import { startContainers, type ReadyContainer } from "./task-launch.ts";
import { taskOutcome } from "./task-outcome.ts";
import { planTask, type PlannedContainer } from "./task-plan.ts";
import type { TaskHost, TaskState } from "./task-state.ts";
import type { TaskRecord } from "../types.ts";
import { maskError } from "../secrets/masked-output.ts";
import { taskDebugRefusal, type DebugRefusalOf } from "../debug/task-debug.ts";
import { holdsSecret } from "../refs.ts";

const now = () => new Date().toISOString();

export class RunTasks {
  private readonly tasks = new Map<number, TaskState>();
  private readonly pendingRemovals = new Set<Promise<void>>();
  private readonly slots: Slots;
  private nextTask = 1;
  private readonly network: RunNetwork;
  private readonly grants: ModeGrants;
  private readonly images: RunImages;

  constructor(private readonly host: TaskHost) {
    this.slots = new Slots(host.params.policy.limits.maxConcurrentTasks);
    this.network = new RunNetwork(host.ctx.engine, host.facts, host.scope);
    this.grants = new ModeGrants(host.ctx, host.facts, host.params.policy, host.sink);
    this.images = new RunImages(host.ctx, host.params.policy.images, host.sink);
  }

  records(): TaskRecord[] {
    return [...this.tasks.values()].map((t) => ({ ...t.record }));
  }

  ownsCollection(coll: string): boolean {
    return [...this.tasks.values()].some((t) => t.record.coll === coll);
  }

  /** The run is ending: starts waiting for a slot are refused, every running container killed. */
  killAll(): Promise<unknown> {
    this.slots.close();
    const kills: Promise<void>[] = [this.grants.stop()];
    for (const t of this.tasks.values()) {
      if (t.record.endedAt) continue;
      t.cancelled = true;
      for (const id of [t.containerId, ...t.serviceIds]) if (id) kills.push(this.host.ctx.engine.kill(id, "SIGKILL"));
    }
    return Promise.allSettled(kills);
  }

  /** Stops the tasks the workflow left running and waits until each has ended. */
  async stopOrphans(announce: boolean): Promise<void> {
    this.slots.close();
    await this.grants.stop();
    const orphans = [...this.tasks.values()].filter((t) => !t.record.endedAt);
    for (const t of orphans) {
      t.cancelled = true;
      if (announce) this.host.sink.system(t.record.number, `the workflow ended before task ${t.record.number}; stopping it`);
      for (const id of [t.containerId, ...t.serviceIds]) if (id) await this.host.ctx.engine.kill(id, "SIGKILL").catch(() => undefined);
    }
    await Promise.all(orphans.map((t) => t.finished));
  }

  /** Waits until every ended task's containers are removed. */
  async cleanup(): Promise<void> {
    await Promise.allSettled([...this.pendingRemovals]);
  }

  /** A scoped run's network made ahead of its first tool (run-network.ts `prepare`). */
  prepareNetwork(): void {
    if (this.host.scope.scoped) this.network.prepare();
  }

  /** The run's network, once no container uses it. */
  removeNetwork(): Promise<void> {
    return this.network.remove();
  }

  private taskOrThrow(n: number): TaskState {
    const t = this.tasks.get(n);
    if (!t) throw new ChannelReplyError("InvalidRequest", `no task ${n} in this run`);
    return t;
  }

  async wait(n: number): Promise<Record<string, unknown>> {
    const t = this.taskOrThrow(n);
    await t.finished;
    const r = t.record;
    if (r.status === "succeeded" || r.status === "stopped") {
      return { task: n, status: r.status, coll: r.coll, exitCode: r.exitCode };
    }
    const e = r.error ?? { type: "TaskFailed", message: `task ${n} ${r.status}` };
    throw new ChannelReplyError(e.type, e.message, e.traceback ?? null, n);
  }

  async signal(n: number, signal: string) {
    const t = this.taskOrThrow(n);
    t.signalled = true;
    if (t.containerId && !t.record.endedAt) {
      this.host.sink.system(n, `signal ${signal} sent by the workflow`);
      await this.host.ctx.engine.kill(t.containerId, signal);
    }
  }

  // ---------------------------------------------------------------- tasks

  async start(requested: CrSpec, ns: string[]): Promise<Record<string, unknown>> {
    if (this.host.ending()) throw new ChannelReplyError("TaskCancelled", "the run is ending");
    // the planner (grants.forCr) costs a container: nothing past the task quota gets one
    const { maxTasks } = this.host.params.policy.limits;
    if (this.nextTask > maxTasks) throw new ChannelReplyError("QuotaExceeded", `this run may start at most ${maxTasks} tasks; no more are started`);
    // under a mode's grant the task runs the Cr the planner built, never the workflow's
    const { policy, cr, isolatedFor } = await this.grants.forCr(requested);
    if (this.host.ending()) throw new ChannelReplyError("TaskCancelled", "the run is ending");
    const n = this.nextTask;
    const running = new Set([...this.tasks.values()].filter((t) => t.containerId && !t.record.endedAt).map((t) => t.record.host));
    let planned: PlannedContainer[] = [];
    // A request the policy refuses is still a task (numbered, shown failed, counted against
    // maxTasks, so refusals cannot pile up); past maxTasks nothing is recorded at all.
    let refusal: ChannelReplyError | null = null;
    try {
      planned = planTask(cr, n, {
        policy,
        run: this.host.facts,
        runDir: this.host.runDir,
        taskTimeoutMs: this.host.params.taskTimeoutMs,
        runningHosts: running,
        isolatedFor,
        refs: this.host.params.refs,
      });
    } catch (err) {
      if (!(err instanceof ChannelReplyError) || err.type === "QuotaExceeded") throw err;
      refusal = err;
    }
    this.nextTask++;
    const coll = collectionName(ns, cr.schema);
    let markFinished!: () => void;
    const finished = new Promise<void>((r) => (markFinished = r));
    const state: TaskState = {
      record: {
        number: n,
        image: cr.image,
        schema: cr.schema,
        coll,
        host: `lev-t${n}`,
        status: "starting",
        exitCode: null,
        startedAt: now(),
        endedAt: null,
        error: null,
        stored: false,
        resolvedImage: null,
      },
      policy,
      name: `lev-${this.host.facts.runId}-t${n}`,
      dir: path.join(this.host.runDir, "tasks", String(n)),
      weight: taskWeight(cr),
      slotHeld: false,
      containerId: null,
      serviceIds: [],
      channels: [],
      signalled: false,
      onRunNetwork: false,
      timedOut: false,
      cancelled: false,
      timer: null,
      finished,
      markFinished,
      ...(isolatedFor === undefined ? {} : { isolatedFor }),
      holdsSecret: holdsSecret(this.host.params.args) || holdsSecret(cr),
      container: null,
      pauses: false,
      resume: null,
      storing: null,
    };
    this.tasks.set(n, state);
    try {
      if (refusal) throw refusal;
      await this.launch(state, planned);
    } catch (err) {
      const e =
        err instanceof ChannelReplyError
          ? err
          : err instanceof SlotsClosedError
            ? new ChannelReplyError("TaskCancelled", `task ${n} was not started: the run is ending`)
            : err instanceof EngineError && err.code === "image_not_found"
              ? new ChannelReplyError("ImageNotFound", imageNotAvailable(cr.image).message)
              : new ChannelReplyError("RunnerError", err instanceof Error ? err.message : String(err));
      state.record.status = e.type === "TaskCancelled" ? "cancelled" : "failed";
      state.record.error = maskError(this.host.params.masker, { ...e.toJSON(), task: n });
      state.record.endedAt = now();
      this.host.sink.system(n, `task ${n} could not start: ${e.message}`);
      await this.releaseTask(state);
      this.host.emit({ type: "task.finished", task: { ...state.record } });
      markFinished();
      throw new ChannelReplyError(e.type, state.record.error.message, null, n);
    }
    return { task: n, host: state.record.host, coll };
  }

  private async launch(state: TaskState, planned: PlannedContainer[]) {
    const { limits } = state.policy;
    const n = state.record.number;
    const ready: ReadyContainer[] = [];
    for (const p of planned) {
      if (!p.plan) throw new ChannelReplyError("ImageNotFound", (p.imageError ?? imageNotAvailable(p.cr.image)).message);
      const image = await this.images.ensure(p.cr.image, p.plan.spec.image, n);
      ready.push({ ...p, plan: p.plan, image });
    }
    const toolImage = ready[ready.length - 1].image;
    if (toolImage !== state.record.image) state.record.resolvedImage = toolImage;
    const fileBytes = (await Promise.all(planned.map((p) => checkFiles(p.files, p.pkgDir, limits.docBytes)))).reduce((a, b) => a + b, 0);
    if (fileBytes > limits.docBytes) {
      throw new ChannelReplyError(
        "InvalidRequest",
        `files: the task's files are ${formatBytes(fileBytes)} in all, over the limit of ${formatBytes(limits.docBytes)}`,
      );
    }

    if (this.slots.inUse + state.weight > this.slots.capacity || this.slots.queued) {
      this.host.sink.system(n, `task ${n} waits: ${this.slots.capacity} containers of this run are already running`);
    }
    await this.slots.acquire(state.weight);
    state.slotHeld = true;
    if (this.host.ending()) throw new ChannelReplyError("TaskCancelled", "the run is ending");

    // read only now: a task waiting for a slot holds no package file in memory
    const contents = await Promise.all(ready.map((p) => readFiles(p.files, p.pkgDir, limits.docBytes)));
    await mkdir(state.dir, { recursive: true, mode: 0o700 });
    const uid = (p: (typeof ready)[number]) => (p.plan.spec.user?.startsWith("0:") ? 0 : NOBODY_UID);
    for (const [i, p] of ready.entries()) {
      await mkdir(p.facts.chanDir, { recursive: true, mode: 0o755 });
      await chmod(p.facts.chanDir, 0o755);
      const written = p.files.find((f) => !f.stored);
      if (written) await mkdir(path.dirname(written.host), { recursive: true, mode: 0o755 });
      if (p.files.length) await writeFiles(p.files, contents[i]);
      const ch = await TaskChannel.open(p.facts.chanDir, {
        task: n,
        job: this.host.facts.job,
        docBytes: limits.docBytes,
        uid: uid(p),
        log: (line) => this.host.sink.system(n, line),
        ...(p.service === null ? { onPause: () => this.pauseBeforeEntry(state), onDone: () => storeWhenFinal(this.host, state) } : {}),
      });
      if (p.service === null) state.channels.unshift(ch);
      else state.channels.push(ch);
    }

    await startContainers(
      {
        host: this.host,
        network: this.network,
        runningTask: (h) => [...this.tasks.values()].find((t) => t.record.host === h && !t.record.endedAt) ?? null,
        started: () => this.emitProgress(),
        ended: (st, code, err) => this.taskEnded(st, code, err),
      },
      state,
      ready,
    );
  }

  /**
   * A tool container asked to pause before its entry: it waits only when the runner started it
   * to (`state.pauses`), until `resume` or its end; the wait counts toward its time limit.
   */
  private pauseBeforeEntry(state: TaskState): Promise<void> {
    if (!state.pauses || state.record.endedAt) return Promise.resolve();
    const n = state.record.number;
    this.host.sink.system(n, `task ${n} waits for a debugger before its entry (pause before entry): open its debug terminal and continue; the wait counts toward its time limit`);
    return new Promise<void>((resolve) => {
      state.resume = () => {
        state.resume = null;
        state.pauses = false;
        if (!state.record.endedAt) this.host.sink.system(n, `task ${n} continues: its entry runs`);
        resolve();
      };
    });
  }

  /** The running tool container of task `n` a debugger may enter, or why not (debug/task-debug.ts). */
  debugTarget(n: number): { ok: true; containerId: string; paused: boolean } | { ok: false; refusal: DebugRefusalOf } {
    const t = this.tasks.get(n);
    const refusal = taskDebugRefusal({
      running: !!t && t.record.status === "running" && !t.record.endedAt && !!t.containerId,
      container: t?.container ?? null,
      policy: t?.policy ?? { network: "none", caps: [] },
      ...(t?.isolatedFor === undefined ? {} : { isolatedFor: t.isolatedFor }),
      holdsSecret: t?.holdsSecret ?? false,
    });
    if (refusal || !t?.containerId) return { ok: false, refusal: refusal ?? { reason: "task_not_running", message: "the task is not running" } };
    return { ok: true, containerId: t.containerId, paused: t.resume !== null };
  }

  /** Lets a task paused before its entry run it; whether it was paused. */
  resume(n: number): boolean {
    const t = this.tasks.get(n);
    if (!t?.resume) return false;
    t.resume();
    return true;
  }

  /** Gives back what a task holds: its slots, its channels, its containers, its directory. */
  private async releaseTask(state: TaskState): Promise<void> {
    // a task that ended while paused never continues; its waiter is let go
    state.pauses = false;
    state.resume?.();
    const channels = state.channels.splice(0);
    await Promise.allSettled(channels.map((c) => c.close()));
    const ids = [state.containerId, ...state.serviceIds].filter((x): x is string => !!x);
    await Promise.allSettled(ids.map((id) => this.host.ctx.engine.remove(id)));
    for (const id of ids) this.host.containers.delete(id);
    // the slots come back once its containers (services included) are gone
    if (state.slotHeld) {
      state.slotHeld = false;
      this.slots.release(state.weight);
    }
    await rm(state.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Whether the engine says the kernel killed the task's container for memory. */
  private async diedOfMemory(state: TaskState, exitCode: number | null): Promise<boolean> {
    if (exitCode === 0 || !state.containerId || state.cancelled || state.timedOut) return false;
    const info = await this.host.ctx.engine.inspect(state.containerId).catch(() => null);
    return info?.oomKilled === true;
  }

  private async taskEnded(state: TaskState, exitCode: number | null, waitError?: unknown) {
    const r = state.record;
    const n = r.number;
    if (state.timer) clearTimeout(state.timer);
    this.host.sink.flush(n);
    if (r.endedAt) return; // it failed while starting; startTask already ended it
    r.exitCode = exitCode;
    const channel = state.channels[0];

    const oomKilled = await this.diedOfMemory(state, exitCode);
    if (oomKilled) this.host.sink.system(n, `task ${n} ran out of memory and was killed by the kernel`);
    const storeError = await storeAtEnd(this.host, state);
    const outcome = taskOutcome({
      number: n,
      image: r.image,
      exitCode,
      cancelled: state.cancelled,
      timedOut: state.timedOut,
      oomKilled,
      memoryBytes: state.policy.limits.tool.memoryBytes,
      signalled: state.signalled,
      waitError: waitError === undefined ? null : String(waitError),
      outputError: channel?.outputError ?? null,
      storeError,
      entryError: channel?.entryError ?? null,
      logTail: this.host.logTail(n),
    });
    r.status = outcome.status;
    // the entry's own error (sent over the task channel) may quote what the tool was given
    r.error = outcome.error && maskError(this.host.params.masker, outcome.error);
    r.endedAt = now();
    if (r.stored) this.host.emit({ type: "document", coll: r.coll, task: n });
    this.host.emit({ type: "task.finished", task: { ...r } });
    this.emitProgress();
    this.host.ctx.log("task finished", { run: this.host.facts.runId, task: n, status: r.status, exitCode });
    state.markFinished();

    // removal does not hold up the workflow; the run waits for it before it ends
    const removal = this.releaseTask(state).then(() => {
      this.pendingRemovals.delete(removal);
    });
    this.pendingRemovals.add(removal);
  }

  private emitProgress() {
    const all = [...this.tasks.values()];
    this.host.emit({ type: "progress", started: all.length, finished: all.filter((t) => t.record.endedAt).length });
  }
}
