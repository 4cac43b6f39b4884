import { EventEmitter } from "node:events";
import { chmod, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { subscribeIterator } from "./async-queue.ts";
import { ChannelServer } from "../channel/channel.ts";
import { NOBODY_UID, workflowContainerConfig, type RunFacts } from "../policy/container-config.ts";
import { EngineError, type ContainerSpec } from "../engine/engine.ts";
import type { WarmLease } from "./warm-pool.ts";
import { LogSink } from "../channel/log-sink.ts";
import { workflowArgs } from "../refs.ts";
import type { RunContext, RunParams } from "./context.ts";
import { RunTasks } from "./run-tasks.ts";
import { RunScope } from "./run-scope.ts";
import type { StoredMeta } from "../store/store.ts";
import type { LogLine, RunError, RunEvent, RunResult, TerminalRunStatus } from "../types.ts";
import { workflowRequestHandler, type WorkflowHost } from "../channel/workflow-ops.ts";
import { maskError, maskingStore } from "../secrets/masked-output.ts";

const MiB = 1024 * 1024;
/** what a run keeps of its logs in memory for its result (events carry every line) */
const MAX_LOG_LINES = 20_000;
const MAX_LOG_BYTES = 32 * MiB;
const TAIL_LINES = 40;

const now = () => new Date().toISOString();

/** One run: the workflow container and its channel, its tasks (RunTasks), its logs, its end. */
export class Run {
  readonly id: string;
  readonly job: number;
  readonly result: Promise<RunResult>;

  private readonly emitter = new EventEmitter();
  private readonly tasks: RunTasks;
  private readonly scope: RunScope;
  private readonly containers = new Set<string>();
  private readonly logs: LogLine[] = [];
  private readonly workflowStderr: string[] = [];
  private failedByTask: number | null = null;
  private readonly collections = new Set<string>();
  private readonly sink: LogSink;
  private readonly facts: RunFacts;
  private logsDropped = 0;
  private logBytes = 0;
  private workflowId: string | null = null;
  private channel: ChannelServer | null = null;
  /** the warm container the workflow runs in, when it was leased from the runner's pool */
  private warm: WarmLease | null = null;
  private terminal: { status: TerminalRunStatus; error: RunError | null } | null = null;
  private finishing = false;
  private runTimer: NodeJS.Timeout | null = null;
  private readonly startedAt = now();
  private resolveResult!: (r: RunResult) => void;
  private readonly runDir: string;
  /** aborts when the run is cancelled or times out: nothing waits for the store any longer */
  private readonly abortSignal = new AbortController();

  private readonly ctx: RunContext;

  constructor(
    runnerCtx: RunContext,
    private readonly params: RunParams,
  ) {
    // every document the run stores (its tasks', its workflow's) is masked on its way to the store
    this.ctx = params.masker.empty ? runnerCtx : { ...runnerCtx, store: maskingStore(runnerCtx.store, params.masker) };
    const ctx = this.ctx;
    this.id = params.runId;
    this.job = params.job;
    this.runDir = path.join(ctx.workDir, params.runId);
    this.result = new Promise((resolve) => (this.resolveResult = resolve));
    this.emitter.setMaxListeners(0);
    const { limits } = params.policy;
    this.sink = new LogSink(limits, (log) => this.pushLog(log), undefined, params.masker);
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
      deps: params.dependencies,
      hubMachine: ctx.hubMachine,
    };
    this.scope = new RunScope(ctx, this.id, params.policy.scope, params.policy.requireEnforcement === true, (ev) => this.emit(ev), (line) => this.sink.system(0, line));
    this.tasks = new RunTasks({
      ctx,
      params,
      facts: this.facts,
      scope: this.scope,
      runDir: this.runDir,
      sink: this.sink,
      emit: (ev) => this.emit(ev),
      collections: this.collections,
      containers: this.containers,
      ending: () => this.terminal !== null || this.finishing,
      aborted: this.abortSignal.signal,
      logTail: (n) => this.taskLogTail(n),
      meta: (n) => this.meta(n),
    });
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
      this.tasks.prepareNetwork();
      // the runner's own directory: nobody else on the host reads the run's sockets and files
      await mkdir(this.runDir, { recursive: true, mode: 0o700 });
      await chmod(this.runDir, 0o700);
      const chanDir = path.join(this.runDir, "chan");
      await mkdir(chanDir, { mode: 0o755 });
      await chmod(chanDir, 0o755);
      const spec = workflowContainerConfig(params.policy, this.facts, {
        chanDir,
        function: params.function,
        args: workflowArgs(params.args, params.refs),
      });
      let id = await this.startWarm(spec);
      if (id === undefined) id = await this.startCold(spec, chanDir);
      if (id === null) return void (await this.finish(null));
      const exitCode = await ctx.engine.wait(id);
      if (exitCode !== 0 && !this.terminal && (await ctx.engine.inspect(id).catch(() => null))?.oomKilled) {
        const limit = Math.round(params.policy.limits.workflow.memoryBytes / (1024 * 1024));
        this.terminal = { status: "failed", error: { type: "WorkflowError", message: `the workflow ran out of memory: killed at its limit of ${limit} MiB` } };
        this.sink.system(0, this.terminal.error!.message);
      }
      await this.finish(exitCode);
    } catch (err) {
      const error: RunError =
        err instanceof EngineError && err.code === "image_not_found"
          ? { type: "ImageNotFound", message: `workflow image: ${err.message}; run \`npm run setup\`` }
          : { type: "RunnerError", message: err instanceof Error ? err.message : String(err) };
      this.terminal ??= { status: "failed", error };
      ctx.log("run failed to start", { run: this.id, error: params.masker.text(error.message) });
      await this.finish(null);
    }
  }

  private async listen(chanDir: string): Promise<void> {
    const docBytes = this.params.policy.limits.docBytes;
    this.channel = await ChannelServer.listen(path.join(chanDir, "lev.sock"), workflowRequestHandler(this.workflowHost()), {
      // a `start` carries its files inline, a `set` a document
      maxFrameBytes: Math.max(16 * MiB, 2 * docBytes),
      uid: NOBODY_UID,
      onProtocolError: (msg) => this.sink.system(0, msg),
      onOversize: (bytes) => this.sink.system(0, `a channel message of ${bytes} bytes is over the limit; closing the channel`),
      onPermissionFallback: (msg) => this.ctx.log(msg, { run: this.id }),
    });
  }

  /** The workflow in a container the run creates now; null: the run ended meanwhile. */
  private async startCold(spec: ContainerSpec, chanDir: string): Promise<string | null> {
    const { engine } = this.ctx;
    await this.listen(chanDir);
    if (this.terminal) return null;
    const id = await engine.create(spec);
    this.workflowId = id;
    this.containers.add(id);
    await engine.attach(id, (stream, chunk) => this.sink.output(0, stream, chunk));
    if (this.terminal) return null;
    await engine.start(id);
    this.ctx.log("workflow started", { run: this.id, container: id.slice(0, 12) });
    return id;
  }

  /**
   * The workflow in a warm container of the runner's pool (warm-pool.ts), told to begin: its id;
   * null when the run ended meanwhile; undefined when there is none to lease or it could not be
   * used before it began (the run then starts cold).
   */
  private async startWarm(spec: ContainerSpec): Promise<string | null | undefined> {
    const lease = await this.ctx.warmPool?.lease(spec);
    if (!lease) return undefined;
    // the run's from now on: a cancel kills it, the run's end removes it
    this.warm = lease;
    this.workflowId = lease.id;
    this.containers.add(lease.id);
    try {
      await lease.prepare();
      await this.listen(lease.chanDir);
      lease.output((stream, chunk) => this.sink.output(0, stream, chunk));
      if (this.terminal) return null;
      await lease.go();
    } catch (err) {
      if (this.terminal) return null;
      this.ctx.log("a warm container could not be used; starting cold", { run: this.id, error: err instanceof Error ? err.message : String(err) });
      this.warm = null;
      this.workflowId = null;
      this.containers.delete(lease.id);
      await this.channel?.close().catch(() => undefined);
      this.channel = null;
      await lease.abandon();
      return undefined;
    }
    this.ctx.log("workflow started (warm)", { run: this.id, container: lease.id.slice(0, 12) });
    return lease.id;
  }

  /** The running tool container of task `n` a debugger may enter, or why not (debug/task-debug.ts). */
  debugTarget(n: number): ReturnType<RunTasks["debugTarget"]> {
    return this.tasks.debugTarget(n);
  }

  /** A debugger says continue: task `n`, paused before its entry, runs it. Whether it was paused. */
  resumeTask(n: number): boolean {
    return this.tasks.resume(n);
  }

  /** Stops the run: every container is killed; the result says `cancelled`. Idempotent. */
  async cancel(reason = "cancelled by the user"): Promise<RunResult> {
    await this.abort("cancelled", { type: "Cancelled", message: reason });
    return this.result;
  }

  private async abort(status: "cancelled" | "timed_out", error: RunError) {
    if (this.terminal || this.finishing) return;
    this.terminal = { status, error };
    this.abortSignal.abort();
    this.sink.system(0, error.message);
    await Promise.allSettled([
      this.tasks.killAll(),
      this.workflowId ? this.ctx.engine.kill(this.workflowId, "SIGKILL") : undefined,
    ]);
  }

  private async finish(exitCode: number | null) {
    if (this.finishing) return;
    this.finishing = true;
    if (this.runTimer) clearTimeout(this.runTimer);
    this.sink.flush(0);
    // tasks the workflow left running are stopped: nothing outlives its run
    await this.tasks.stopOrphans(!this.terminal);

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
      error: error && maskError(this.params.masker, error),
      exitCode,
      tasks: this.tasks.records(),
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
    const traceback = tbStart >= 0 ? lines.slice(tbStart).join("\n") : null;
    // The workflow says which task's error it died of; the run's error is that task's error as
    // the runner itself recorded it (a workflow cannot make up an error type), else WorkflowError.
    const cause = this.failedByTask === null ? undefined : this.tasks.records().find((t) => t.number === this.failedByTask)?.error;
    if (cause) return { ...cause, traceback: traceback ?? cause.traceback ?? null };
    if (traceback) {
      return { type: "WorkflowError", message: lines.at(-1) ?? "", traceback };
    }
    const tail = lines.slice(-TAIL_LINES).join("\n");
    return { type: "WorkflowError", message: lines.at(-1) ?? `the workflow exited with code ${exitCode}`, traceback: tail || null };
  }

  private async cleanup() {
    const { engine } = this.ctx;
    // how long each step took, in the runner's log (bench:queue reads it): a run's end waits for them
    const ms: Record<string, number> = {};
    const step = async (name: string, work: () => Promise<unknown>) => {
      const t0 = performance.now();
      await work();
      ms[name] = Math.round(performance.now() - t0);
    };
    await step("tasks", () => this.tasks.cleanup());
    await step("containers", async () => {
      await Promise.allSettled([...this.containers].map((id) => engine.remove(id)));
      this.containers.clear();
    });
    // the last blocked attempts read, for the run's end to report them
    await step("scope", () => this.scope.end());
    // the rules, then the run's bridge go after its end is reported: nothing is on the bridge any
    // more, Docker takes about half a second to remove one (its own iptables work), and the run's
    // slot need not wait
    const network = this.scope
      .release()
      .then(() => this.tasks.removeNetwork())
      .catch(() => undefined);
    this.ctx.afterRuns.add(network);
    void network.finally(() => this.ctx.afterRuns.delete(network));
    await step("files", async () => {
      await this.channel?.close().catch(() => undefined);
      await this.warm?.release();
      await rm(this.runDir, { recursive: true, force: true }).catch(() => undefined);
    });
    this.ctx.log("run cleaned up", { run: this.id, ms });
  }

  // ---------------------------------------------------------------- logs

  private pushLog(log: LogLine) {
    if (log.task === 0 && log.stream === "stderr") {
      this.workflowStderr.push(log.line);
      if (this.workflowStderr.length > 2000) this.workflowStderr.splice(0, 1000);
    }
    if (this.logs.length < MAX_LOG_LINES && this.logBytes + log.line.length <= MAX_LOG_BYTES) {
      this.logs.push(log);
      this.logBytes += log.line.length;
    } else this.logsDropped++;
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

  private workflowHost(): WorkflowHost {
    return {
      job: this.job,
      pkg: this.params.pkg,
      function: this.params.function,
      docBytes: this.params.policy.limits.docBytes,
      store: this.ctx.store,
      startTask: (cr, ns) => this.tasks.start(cr, ns),
      waitTask: (n) => this.tasks.wait(n),
      signalTask: (n, signal) => this.tasks.signal(n, signal),
      failedBy: (n) => (this.failedByTask = n),
      ownsCollection: (coll) => this.collections.has(coll) || this.tasks.ownsCollection(coll),
      workflowStored: (coll) => {
        this.collections.add(coll);
        this.emit({ type: "document", coll, task: 0 });
      },
      meta: (task) => this.meta(task),
    };
  }

  private meta(task: number): StoredMeta {
    return { owner: this.params.owner, run: this.id, job: this.job, task, package: this.params.pkg.module, at: new Date() };
  }
}
