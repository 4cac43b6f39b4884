import { EventEmitter } from "node:events";
import { chmod, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { subscribeIterator } from "./async-queue.ts";
import { ChannelReplyError, ChannelServer } from "./channel.ts";
import {
  imageNotAvailable,
  NOBODY_UID,
  taskWeight,
  toolContainerConfig,
  workflowContainerConfig,
  type ContainerFacts,
  type RunFacts,
  type ToolContainerPlan,
} from "./container-config.ts";
import { EngineError, type ContainerEngine } from "./engine.ts";
import { createLabels } from "./labels.ts";
import { LogSink } from "./log-sink.ts";
import type { PackageLocation } from "./package.ts";
import type { RunPolicy } from "./policy.ts";
import { waitForPorts } from "./ports.ts";
import { Slots, SlotsClosedError } from "./slots.ts";
import { collectionName, type CrSpec } from "./spec.ts";
import type { ResultStore, StoredMeta } from "./store.ts";
import { TaskChannel } from "./task-channel.ts";
import { planFiles, readFiles, writeFiles, type PlannedFile } from "./task-files.ts";
import { taskOutcome } from "./task-outcome.ts";
import type { LogLine, RunError, RunEvent, RunResult, TaskRecord, TerminalRunStatus } from "./types.ts";
import { workflowRequestHandler } from "./workflow-ops.ts";

export interface RunContext {
  engine: ContainerEngine;
  store: ResultStore;
  runtimeDir: string;
  workDir: string;
  workflowImage: string;
  instance: string;
  /** images known to exist on the engine */
  imageCache: Map<string, boolean>;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface RunParams {
  runId: string;
  job: number;
  owner: string;
  function: string;
  args: Record<string, unknown>;
  pkg: PackageLocation;
  runTimeoutMs: number;
  taskTimeoutMs: number;
  policy: RunPolicy;
}

/** One container of a task as planned: the tool (`service` null) or one of its services. */
interface PlannedContainer {
  service: string | null;
  cr: CrSpec;
  facts: ContainerFacts;
  files: PlannedFile[];
  /** null when the image is not available to this run: the task then fails like a missing image */
  plan: ToolContainerPlan | null;
  imageError: RunError | null;
}

interface TaskState {
  record: TaskRecord;
  name: string;
  dir: string;
  weight: number;
  slotHeld: boolean;
  containerId: string | null;
  serviceIds: string[];
  /** the tool's channel first, then its services' */
  channels: TaskChannel[];
  signalled: boolean;
  onRunNetwork: boolean;
  timedOut: boolean;
  cancelled: boolean;
  timer: NodeJS.Timeout | null;
  finished: Promise<void>;
  markFinished: () => void;
}

const MAX_LOG_LINES = 20_000;
const TAIL_LINES = 40;
const MiB = 1024 * 1024;

const now = () => new Date().toISOString();

/** One run: the workflow container, its tasks, their channels, and their cleanup. */
export class Run {
  readonly id: string;
  readonly job: number;
  readonly result: Promise<RunResult>;

  private readonly emitter = new EventEmitter();
  private readonly tasks = new Map<number, TaskState>();
  private readonly containers = new Set<string>();
  private readonly pendingRemovals = new Set<Promise<void>>();
  private readonly logs: LogLine[] = [];
  private readonly workflowStderr: string[] = [];
  private readonly collections = new Set<string>();
  private readonly sink: LogSink;
  private readonly slots: Slots;
  private readonly facts: RunFacts;
  private logsDropped = 0;
  private nextTask = 1;
  private workflowId: string | null = null;
  private networkPromise: Promise<string> | null = null;
  private channel: ChannelServer | null = null;
  private terminal: { status: TerminalRunStatus; error: RunError | null } | null = null;
  private finishing = false;
  private runTimer: NodeJS.Timeout | null = null;
  private readonly startedAt = now();
  private resolveResult!: (r: RunResult) => void;
  private readonly runDir: string;

  constructor(
    private readonly ctx: RunContext,
    private readonly params: RunParams,
  ) {
    this.id = params.runId;
    this.job = params.job;
    this.runDir = path.join(ctx.workDir, params.runId);
    this.result = new Promise((resolve) => (this.resolveResult = resolve));
    this.emitter.setMaxListeners(0);
    const { limits } = params.policy;
    this.sink = new LogSink(limits, (log) => this.pushLog(log));
    this.slots = new Slots(limits.maxConcurrentTasks);
    this.facts = {
      runId: this.id,
      owner: params.owner,
      instance: ctx.instance,
      job: this.job,
      pkgModule: params.pkg.module,
      pkgDir: params.pkg.dir,
      runtimeDir: ctx.runtimeDir,
      runNetwork: `lev-${this.id}`,
      workflowImage: ctx.workflowImage,
    };
  }

  on(listener: (ev: RunEvent) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }

  /** Every event from now on, as an async iterator that ends with `run.finished`. */
  events(signal?: AbortSignal): AsyncGenerator<RunEvent> {
    return subscribeIterator<RunEvent>((push) => this.on(push), { last: (ev) => ev.type === "run.finished", signal });
  }

  private emit(ev: RunEvent) {
    this.emitter.emit("event", ev);
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    const { ctx, params } = this;
    this.emit({ type: "run.started", runId: this.id, job: this.job, at: this.startedAt });
    this.runTimer = setTimeout(
      () =>
        void this.abort("timed_out", {
          type: "RunTimeout",
          message: `the run exceeded its time limit of ${Math.round(params.runTimeoutMs / 1000)} s and was stopped`,
        }),
      params.runTimeoutMs,
    );
    try {
      if (this.terminal) return void (await this.finish(null));
      // the runner's own directory: nobody else on the host reads the run's sockets and files
      await mkdir(this.runDir, { recursive: true, mode: 0o700 });
      await chmod(this.runDir, 0o700);
      const chanDir = path.join(this.runDir, "chan");
      await mkdir(chanDir, { mode: 0o755 });
      await chmod(chanDir, 0o755);
      const docBytes = params.policy.limits.docBytes;
      this.channel = await ChannelServer.listen(path.join(chanDir, "lev.sock"), workflowRequestHandler(this.workflowHost()), {
        // a `start` carries its files inline, a `set` a document
        maxFrameBytes: Math.max(16 * MiB, 2 * docBytes),
        uid: NOBODY_UID,
        onProtocolError: (msg) => this.sink.system(0, msg),
        onOversize: (bytes) => this.sink.system(0, `a channel message of ${bytes} bytes is over the limit; closing the channel`),
        onPermissionFallback: (msg) => ctx.log(msg, { run: this.id }),
      });
      if (this.terminal) return void (await this.finish(null));
      const spec = workflowContainerConfig(params.policy, this.facts, { chanDir, function: params.function, args: params.args });
      const id = await ctx.engine.create(spec);
      this.workflowId = id;
      this.containers.add(id);
      await ctx.engine.attach(id, (stream, chunk) => this.sink.output(0, stream, chunk));
      if (this.terminal) return void (await this.finish(null));
      await ctx.engine.start(id);
      ctx.log("workflow started", { run: this.id, container: id.slice(0, 12) });
      const exitCode = await ctx.engine.wait(id);
      await this.finish(exitCode);
    } catch (err) {
      const error: RunError =
        err instanceof EngineError && err.code === "image_not_found"
          ? { type: "ImageNotFound", message: `workflow image: ${err.message}; run \`npm run setup\`` }
          : { type: "RunnerError", message: err instanceof Error ? err.message : String(err) };
      this.terminal ??= { status: "failed", error };
      ctx.log("run failed to start", { run: this.id, error: error.message });
      await this.finish(null);
    }
  }

  /** Stops the run: every container is killed; the result says `cancelled`. Idempotent. */
  async cancel(reason = "cancelled by the user"): Promise<RunResult> {
    await this.abort("cancelled", { type: "Cancelled", message: reason });
    return this.result;
  }

  private async abort(status: "cancelled" | "timed_out", error: RunError) {
    if (this.terminal || this.finishing) return;
    this.terminal = { status, error };
    this.sink.system(0, error.message);
    this.slots.close();
    const kills: Promise<void>[] = [];
    for (const t of this.tasks.values()) {
      if (t.record.endedAt) continue;
      t.cancelled = true;
      for (const id of [t.containerId, ...t.serviceIds]) if (id) kills.push(this.ctx.engine.kill(id, "SIGKILL"));
    }
    if (this.workflowId) kills.push(this.ctx.engine.kill(this.workflowId, "SIGKILL"));
    await Promise.allSettled(kills);
  }

  private async finish(exitCode: number | null) {
    if (this.finishing) return;
    this.finishing = true;
    if (this.runTimer) clearTimeout(this.runTimer);
    this.slots.close();
    this.sink.flush(0);
    // tasks the workflow left running are stopped: nothing outlives its run
    const orphans = [...this.tasks.values()].filter((t) => !t.record.endedAt);
    for (const t of orphans) {
      t.cancelled = true;
      if (!this.terminal) this.sink.system(t.record.number, `the workflow ended before task ${t.record.number}; stopping it`);
      if (t.containerId) await this.ctx.engine.kill(t.containerId, "SIGKILL").catch(() => undefined);
    }
    await Promise.all(orphans.map((t) => t.finished));

    let status: TerminalRunStatus;
    let error: RunError | null;
    if (this.terminal) {
      ({ status, error } = this.terminal);
    } else if (exitCode === 0) {
      status = "succeeded";
      error = null;
    } else {
      status = "failed";
      error = this.workflowError(exitCode);
    }
    await this.cleanup();
    const result: RunResult = {
      runId: this.id,
      job: this.job,
      owner: this.params.owner,
      function: this.params.function,
      status,
      error,
      exitCode,
      tasks: [...this.tasks.values()].map((t) => ({ ...t.record })),
      collections: [...this.collections],
      logs: this.logs,
      logsDropped: this.logsDropped,
      startedAt: this.startedAt,
      endedAt: now(),
    };
    this.ctx.log("run finished", { run: this.id, status });
    this.emit({ type: "run.finished", result });
    this.resolveResult(result);
  }

  private workflowError(exitCode: number | null): RunError {
    const lines = this.workflowStderr;
    const tbStart = lines.lastIndexOf("Traceback (most recent call last):");
    if (tbStart >= 0) {
      return { type: "WorkflowError", message: lines.at(-1) ?? "", traceback: lines.slice(tbStart).join("\n") };
    }
    const tail = lines.slice(-TAIL_LINES).join("\n");
    return { type: "WorkflowError", message: lines.at(-1) ?? `the workflow exited with code ${exitCode}`, traceback: tail || null };
  }

  private async cleanup() {
    const { engine } = this.ctx;
    await Promise.allSettled([...this.pendingRemovals]);
    await Promise.allSettled([...this.containers].map((id) => engine.remove(id)));
    this.containers.clear();
    if (this.networkPromise) {
      await this.networkPromise.then((id) => engine.removeNetwork(id)).catch(() => undefined);
    }
    await this.channel?.close().catch(() => undefined);
    await rm(this.runDir, { recursive: true, force: true }).catch(() => undefined);
  }

  // ---------------------------------------------------------------- logs

  private pushLog(log: LogLine) {
    if (log.task === 0 && log.stream === "stderr") {
      this.workflowStderr.push(log.line);
      if (this.workflowStderr.length > 2000) this.workflowStderr.splice(0, 1000);
    }
    if (this.logs.length < MAX_LOG_LINES) this.logs.push(log);
    else this.logsDropped++;
    this.emit({ type: "log", log });
  }

  private taskLogTail(task: number): string {
    const tail: string[] = [];
    for (let i = this.logs.length - 1; i >= 0 && tail.length < TAIL_LINES; i--) {
      const l = this.logs[i];
      if (l.task === task && l.stream !== "system") tail.push(l.line);
    }
    return tail.reverse().join("\n");
  }

  // ---------------------------------------------------------------- the workflow's requests

  private workflowHost() {
    return {
      job: this.job,
      pkg: this.params.pkg,
      function: this.params.function,
      docBytes: this.params.policy.limits.docBytes,
      store: this.ctx.store,
      startTask: (cr: CrSpec, ns: string[]) => this.startTask(cr, ns),
      waitTask: (n: number) => this.waitTask(n),
      signalTask: (n: number, signal: string) => this.signalTask(n, signal),
      ownsCollection: (coll: string) => this.collections.has(coll) || [...this.tasks.values()].some((t) => t.record.coll === coll),
      workflowStored: (coll: string) => {
        this.collections.add(coll);
        this.emit({ type: "document", coll, task: 0 });
      },
      meta: (task: number) => this.meta(task),
    };
  }

  private taskOrThrow(n: number): TaskState {
    const t = this.tasks.get(n);
    if (!t) throw new ChannelReplyError("InvalidRequest", `no task ${n} in this run`);
    return t;
  }

  private meta(task: number): StoredMeta {
    return { owner: this.params.owner, run: this.id, job: this.job, task, package: this.params.pkg.module, at: new Date() };
  }

  private async waitTask(n: number): Promise<Record<string, unknown>> {
    const t = this.taskOrThrow(n);
    await t.finished;
    const r = t.record;
    if (r.status === "succeeded" || r.status === "stopped") {
      return { task: n, status: r.status, coll: r.coll, exitCode: r.exitCode };
    }
    const e = r.error ?? { type: "TaskFailed", message: `task ${n} ${r.status}` };
    throw new ChannelReplyError(e.type, e.message, e.traceback ?? null, n);
  }

  private async signalTask(n: number, signal: string) {
    const t = this.taskOrThrow(n);
    t.signalled = true;
    if (t.containerId && !t.record.endedAt) {
      this.sink.system(n, `signal ${signal} sent by the workflow`);
      await this.ctx.engine.kill(t.containerId, signal);
    }
  }

  // ---------------------------------------------------------------- tasks

  /**
   * Everything that can refuse a task without touching anything: quotas, the policy (host
   * network, capabilities, images), links. Returns the plan of each of its containers.
   */
  private planTask(cr: CrSpec, n: number): PlannedContainer[] {
    const { limits } = this.params.policy;
    if (this.nextTask > limits.maxTasks) {
      throw new ChannelReplyError("QuotaExceeded", `this run may start at most ${limits.maxTasks} tasks; no more are started`);
    }
    const weight = taskWeight(cr);
    if (weight > limits.maxConcurrentTasks) {
      throw new ChannelReplyError(
        "QuotaExceeded",
        `a Cr with ${weight - 1} services needs ${weight} containers at once; this run may have at most ${limits.maxConcurrentTasks}`,
      );
    }
    const taskDir = path.join(this.runDir, "tasks", String(n));
    const name = `lev-${this.id}-t${n}`;
    const containers: [string | null, CrSpec, string, string[]][] = [
      ...Object.entries(cr.services).map(([s, svc]): [string, CrSpec, string, string[]] => [s, svc, `${name}-${s}`, [s]]),
      [null, cr, name, [`lev-t${n}`]],
    ];
    return containers.map(([service, c, cname, aliases]) => {
      const dir = path.join(taskDir, service === null ? "tool" : `svc-${service}`);
      for (const target of Object.values(c.links)) {
        if (![...this.tasks.values()].some((t) => t.record.host === target && t.containerId && !t.record.endedAt)) {
          throw new ChannelReplyError("InvalidRequest", `links: '${target}' is not a running task of this run`);
        }
      }
      const files = planFiles(c, path.join(dir, "files"));
      const facts: ContainerFacts = {
        name: cname,
        role: service === null ? "tool" : "service",
        task: n,
        chanDir: path.join(dir, "chan"),
        files: files.map((f) => ({ host: f.host, target: f.target })),
        aliases,
        links: [],
        extraHosts: [],
        taskTimeoutMs: this.params.taskTimeoutMs,
      };
      const r = toolContainerConfig(c, this.params.policy, this.facts, facts);
      if (r.ok) return { service, cr: c, facts, files, plan: r.value, imageError: null };
      // an image this run may not use reads exactly like a missing one: it fails as a task
      if (r.error.type === "ImageNotFound") return { service, cr: c, facts, files, plan: null, imageError: r.error };
      throw new ChannelReplyError(r.error.type, r.error.message);
    });
  }

  private async startTask(cr: CrSpec, ns: string[]): Promise<Record<string, unknown>> {
    if (this.terminal || this.finishing) throw new ChannelReplyError("TaskCancelled", "the run is ending");
    const n = this.nextTask;
    const planned = this.planTask(cr, n);
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
      },
      name: `lev-${this.id}-t${n}`,
      dir: path.join(this.runDir, "tasks", String(n)),
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
    };
    this.tasks.set(n, state);
    try {
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
      state.record.error = { ...e.toJSON(), task: n };
      state.record.endedAt = now();
      this.sink.system(n, `task ${n} could not start: ${e.message}`);
      await this.releaseTask(state);
      this.emit({ type: "task.finished", task: { ...state.record } });
      markFinished();
      throw new ChannelReplyError(e.type, e.message, null, n);
    }
    return { task: n, host: state.record.host, coll };
  }

  /** An image the policy allows must also exist on the engine; both failures read the same. */
  private async ensureImage(ref: string, image: string): Promise<void> {
    if (this.ctx.imageCache.get(image)) return;
    if (!(await this.ctx.engine.imageExists(image))) throw new ChannelReplyError("ImageNotFound", imageNotAvailable(ref).message);
    this.ctx.imageCache.set(image, true);
  }

  private ensureNetwork(): Promise<string> {
    this.networkPromise ??= this.ctx.engine.createNetwork(
      this.facts.runNetwork,
      createLabels(this.ctx.instance, this.id, "network", undefined, this.params.owner),
    );
    return this.networkPromise.then(() => this.facts.runNetwork);
  }

  private async joinRunNetwork(task: TaskState) {
    if (!task.containerId || task.onRunNetwork) return;
    const net = await this.ensureNetwork();
    await this.ctx.engine.connectNetwork(net, task.containerId, [task.record.host]);
    task.onRunNetwork = true;
  }

  /** `links=` → docker links, or extra hosts for a host-network container. */
  private async resolveLinks(cr: CrSpec): Promise<{ links: string[]; extraHosts: string[] }> {
    const links: string[] = [];
    const extraHosts: string[] = [];
    for (const [alias, target] of Object.entries(cr.links)) {
      const other = [...this.tasks.values()].find((t) => t.record.host === target);
      if (!other?.containerId || other.record.endedAt) {
        throw new ChannelReplyError("InvalidRequest", `links: '${target}' is not a running task of this run`);
      }
      await this.joinRunNetwork(other);
      if (cr.host) {
        const ip = (await this.ctx.engine.inspect(other.containerId)).ips[this.facts.runNetwork];
        if (ip) extraHosts.push(`${alias}:${ip}`);
      } else links.push(`${other.name}:${alias}`);
    }
    return { links, extraHosts };
  }

  private get ending(): boolean {
    return this.terminal !== null || this.finishing;
  }

  private async launch(state: TaskState, planned: PlannedContainer[]) {
    const { engine } = this.ctx;
    const { limits } = this.params.policy;
    const n = state.record.number;
    const ready: (PlannedContainer & { plan: ToolContainerPlan })[] = [];
    for (const p of planned) {
      if (!p.plan) throw new ChannelReplyError("ImageNotFound", (p.imageError ?? imageNotAvailable(p.cr.image)).message);
      await this.ensureImage(p.cr.image, p.plan.spec.image);
      ready.push({ ...p, plan: p.plan });
    }
    const contents = await Promise.all(planned.map((p) => readFiles(p.files, this.params.pkg.dir, limits.docBytes)));

    if (this.slots.inUse + state.weight > this.slots.capacity || this.slots.queued) {
      this.sink.system(n, `task ${n} waits: ${this.slots.capacity} containers of this run are already running`);
    }
    await this.slots.acquire(state.weight);
    state.slotHeld = true;
    if (this.ending) throw new ChannelReplyError("TaskCancelled", "the run is ending");

    await mkdir(state.dir, { recursive: true, mode: 0o700 });
    const uid = (p: (typeof ready)[number]) => (p.plan.spec.user?.startsWith("0:") ? 0 : NOBODY_UID);
    for (const [i, p] of ready.entries()) {
      await mkdir(p.facts.chanDir, { recursive: true, mode: 0o755 });
      await chmod(p.facts.chanDir, 0o755);
      if (p.files.length) {
        await mkdir(path.dirname(p.files[0].host), { recursive: true, mode: 0o755 });
        await writeFiles(p.files, contents[i]);
      }
      const ch = await TaskChannel.open(p.facts.chanDir, {
        task: n,
        job: this.job,
        docBytes: limits.docBytes,
        uid: uid(p),
        log: (line) => this.sink.system(n, line),
      });
      if (p.service === null) state.channels.unshift(ch);
      else state.channels.push(ch);
    }

    const tool = ready[ready.length - 1];
    const deadline = Date.now() + tool.plan.timeoutMs;
    const serviceHosts: string[] = [];
    for (const p of ready) {
      const resolved = await this.resolveLinks(p.cr);
      const r = toolContainerConfig(p.cr, this.params.policy, this.facts, { ...p.facts, ...resolved });
      if (!r.ok) throw new ChannelReplyError(r.error.type, r.error.message);
      const { spec, hostMode } = r.value;
      if (p.service === null) spec.extraHosts = [...(spec.extraHosts ?? []), ...serviceHosts];
      if (spec.network === this.facts.runNetwork) await this.ensureNetwork();
      if (this.ending) throw new ChannelReplyError("TaskCancelled", "the run is ending");
      const id = await engine.create(spec);
      this.containers.add(id);
      if (p.service === null) {
        state.containerId = id;
        state.onRunNetwork = spec.network === this.facts.runNetwork;
      } else state.serviceIds.push(id);
      await engine.attach(id, (stream, chunk) => this.sink.output(n, stream, chunk));
      if (this.ending) throw new ChannelReplyError("TaskCancelled", "the run is ending");
      await engine.start(id);
      if (p.service !== null) {
        this.sink.system(n, `service '${p.service}' started (${p.cr.image})`);
        await waitForPorts(engine, id, p.cr.ports, hostMode, deadline);
        if (tool.cr.host) {
          const ip = Object.values((await engine.inspect(id)).ips)[0];
          if (ip) serviceHosts.push(`${p.service}:${ip}`);
        }
        continue;
      }
      state.record.status = "running";
      const timeoutMs = r.value.timeoutMs;
      state.timer = setTimeout(() => {
        state.timedOut = true;
        this.sink.system(n, `task ${n} exceeded its time limit of ${Math.round(timeoutMs / 1000)} s; killing it`);
        void engine.kill(id, "SIGKILL");
      }, timeoutMs);
      this.ctx.log("task started", { run: this.id, task: n, container: id.slice(0, 12), image: spec.image });
      this.emit({ type: "task.started", task: { ...state.record } });
      this.emitProgress();
      void engine
        .wait(id)
        .then((code) => this.taskEnded(state, code))
        .catch((err: unknown) => this.taskEnded(state, null, err));
      if (p.cr.ports.length) await waitForPorts(engine, id, p.cr.ports, hostMode, deadline);
      if (state.signalled) await engine.kill(id, "SIGINT");
    }
  }

  /** Gives back what a task holds: its slots, its channels, its containers, its directory. */
  private async releaseTask(state: TaskState): Promise<void> {
    const channels = state.channels.splice(0);
    await Promise.allSettled(channels.map((c) => c.close()));
    const ids = [state.containerId, ...state.serviceIds].filter((x): x is string => !!x);
    await Promise.allSettled(ids.map((id) => this.ctx.engine.remove(id)));
    for (const id of ids) this.containers.delete(id);
    // the slots come back once its containers (services included) are gone
    if (state.slotHeld) {
      state.slotHeld = false;
      this.slots.release(state.weight);
    }
    await rm(state.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  private async taskEnded(state: TaskState, exitCode: number | null, waitError?: unknown) {
    const { store } = this.ctx;
    const r = state.record;
    const n = r.number;
    if (state.timer) clearTimeout(state.timer);
    this.sink.flush(n);
    if (r.endedAt) return; // it failed while starting; startTask already ended it
    r.exitCode = exitCode;
    const channel = state.channels[0];

    let storeError: string | null = null;
    if (channel?.document && !channel.outputError) {
      try {
        await store.put(r.coll, this.job, n, channel.document, this.meta(n));
        r.stored = true;
        this.collections.add(r.coll);
      } catch (err) {
        storeError = `the task's document could not be stored: ${err instanceof Error ? err.message : String(err)}`;
        this.sink.system(n, storeError);
      }
    }
    const outcome = taskOutcome({
      number: n,
      image: r.image,
      exitCode,
      cancelled: state.cancelled,
      timedOut: state.timedOut,
      signalled: state.signalled,
      waitError: waitError === undefined ? null : String(waitError),
      outputError: channel?.outputError ?? null,
      storeError,
      entryError: channel?.entryError ?? null,
      logTail: this.taskLogTail(n),
    });
    r.status = outcome.status;
    r.error = outcome.error;
    r.endedAt = now();
    if (r.stored) this.emit({ type: "document", coll: r.coll, task: n });
    this.emit({ type: "task.finished", task: { ...r } });
    this.emitProgress();
    this.ctx.log("task finished", { run: this.id, task: n, status: r.status, exitCode });
    state.markFinished();

    // removal does not hold up the workflow; the run waits for it before it ends
    const removal = this.releaseTask(state).then(() => {
      this.pendingRemovals.delete(removal);
    });
    this.pendingRemovals.add(removal);
  }

  private emitProgress() {
    const all = [...this.tasks.values()];
    this.emit({ type: "progress", started: all.length, finished: all.filter((t) => t.record.endedAt).length });
  }
}
