import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { ChannelReplyError, ChannelServer } from "./channel.ts";
import { EngineError, type ContainerEngine, type ContainerSpec } from "./engine.ts";
import { createLabels } from "./labels.ts";
import type { PackageLocation } from "./package.ts";
import {
  collectionName,
  findOneRequest,
  findRequest,
  formatZodError,
  setRequest,
  signalRequest,
  startRequest,
  taskRequest,
  type CrSpec,
} from "./spec.ts";
import type { ResultStore, StoredMeta } from "./store.ts";
import type {
  LogLine,
  ResourceLimits,
  RunError,
  RunEvent,
  RunnerPolicy,
  RunResult,
  TaskRecord,
  TerminalRunStatus,
} from "./types.ts";
import type { z } from "zod";

export interface RunContext {
  engine: ContainerEngine;
  store: ResultStore;
  policy: RunnerPolicy;
  limits: { workflow: ResourceLimits; tool: ResourceLimits };
  runtimeDir: string;
  workDir: string;
  workflowImage: string;
  instance: string;
  resolveImage: (ref: string) => string;
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
  resolveImage?: (ref: string) => string;
}

interface TaskState {
  record: TaskRecord;
  name: string;
  containerId: string | null;
  serviceIds: string[];
  outDir: string;
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

const now = () => new Date().toISOString();

/** One run: the workflow container, its tasks, the channel, and their cleanup. */
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
  private readonly partial = new Map<string, string>();
  private readonly collections = new Set<string>();
  private logsDropped = 0;
  private nextTask = 1;
  private workflowId: string | null = null;
  private networkName: string | null = null;
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
  }

  on(listener: (ev: RunEvent) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }

  /** Every event from now on, as an async iterator that ends with `run.finished`. */
  async *events(): AsyncGenerator<RunEvent> {
    const queue: RunEvent[] = [];
    let wake: (() => void) | null = null;
    const off = this.on((ev) => {
      queue.push(ev);
      wake?.();
    });
    try {
      for (;;) {
        while (queue.length) {
          const ev = queue.shift()!;
          yield ev;
          if (ev.type === "run.finished") return;
        }
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    } finally {
      off();
    }
  }

  private emit(ev: RunEvent) {
    this.emitter.emit("event", ev);
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    const { ctx, params } = this;
    this.emit({ type: "run.started", runId: this.id, job: this.job, at: this.startedAt });
    this.runTimer = setTimeout(() => void this.abort("timed_out", {
      type: "RunTimeout",
      message: `the run exceeded its time limit of ${Math.round(params.runTimeoutMs / 1000)} s and was stopped`,
    }), params.runTimeoutMs);
    try {
      const chanDir = path.join(this.runDir, "chan");
      await mkdir(chanDir, { recursive: true, mode: 0o755 });
      await chmod(this.runDir, 0o755);
      await chmod(chanDir, 0o755);
      this.channel = await ChannelServer.listen(
        path.join(chanDir, "lev.sock"),
        (op, body) => this.handle(op, body),
        (msg) => this.systemLog(0, msg),
      );
      if (this.terminal) return void (await this.finish(null));
      const spec: ContainerSpec = {
        name: `lev-${this.id}-wf`,
        image: ctx.workflowImage,
        labels: createLabels(ctx.instance, this.id, "workflow", 0, params.owner),
        entrypoint: ["python3", "-m", "levrt._workflow"],
        cmd: [],
        env: [
          ...this.baseEnv(),
          "LEV_CHANNEL=/lev/chan/lev.sock",
          `LEV_CALL=${JSON.stringify({ function: params.function, args: params.args })}`,
        ],
        user: "65534:65534",
        workingDir: "/lev/pkg",
        binds: [
          `${ctx.runtimeDir}:/lev/rt:ro`,
          `${params.pkg.dir}:/lev/pkg:ro`,
          `${chanDir}:/lev/chan:ro`,
        ],
        tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
        readOnlyRoot: true,
        network: "none",
        capAdd: [],
        limits: ctx.limits.workflow,
        init: true,
      };
      const id = await ctx.engine.create(spec);
      this.workflowId = id;
      this.containers.add(id);
      await ctx.engine.attach(id, (stream, chunk) => this.output(0, stream, chunk));
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
    this.systemLog(0, error.message);
    const kills: Promise<void>[] = [];
    for (const t of this.tasks.values()) {
      if (t.record.endedAt) continue;
      t.cancelled = true;
      if (t.containerId) kills.push(this.ctx.engine.kill(t.containerId, "SIGKILL"));
      for (const s of t.serviceIds) kills.push(this.ctx.engine.kill(s, "SIGKILL"));
    }
    if (this.workflowId) kills.push(this.ctx.engine.kill(this.workflowId, "SIGKILL"));
    await Promise.allSettled(kills);
  }

  private async finish(exitCode: number | null) {
    if (this.finishing) return;
    this.finishing = true;
    if (this.runTimer) clearTimeout(this.runTimer);
    this.flushPartial(0);
    // tasks the workflow left running are stopped: nothing outlives its run
    const orphans = [...this.tasks.values()].filter((t) => !t.record.endedAt);
    for (const t of orphans) {
      t.cancelled = true;
      if (!this.terminal) this.systemLog(t.record.number, `the workflow ended before task ${t.record.number}; stopping it`);
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
      const traceback = lines.slice(tbStart).join("\n");
      const last = lines[lines.length - 1] ?? "";
      return { type: "WorkflowError", message: last, traceback };
    }
    const tail = lines.slice(-TAIL_LINES).join("\n");
    return {
      type: "WorkflowError",
      message: lines.at(-1) ?? `the workflow exited with code ${exitCode}`,
      traceback: tail || null,
    };
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

  private baseEnv(): string[] {
    return [
      "PYTHONPATH=/lev/rt:/lev/pkg",
      "PYTHONUNBUFFERED=1",
      "PYTHONDONTWRITEBYTECODE=1",
      `LEV_JOB=${this.job}`,
      `LEV_PACKAGE=${this.params.pkg.module}`,
    ];
  }

  // ---------------------------------------------------------------- logs

  private output(task: number, stream: "stdout" | "stderr", chunk: Buffer) {
    const key = `${task}:${stream}`;
    const text = (this.partial.get(key) ?? "") + chunk.toString("utf8");
    const parts = text.split("\n");
    this.partial.set(key, parts.pop() ?? "");
    for (const line of parts) this.pushLog({ task, stream, line: line.replace(/\r$/, ""), at: now() });
  }

  private flushPartial(task: number) {
    for (const stream of ["stdout", "stderr"] as const) {
      const key = `${task}:${stream}`;
      const rest = this.partial.get(key);
      if (rest) this.pushLog({ task, stream, line: rest, at: now() });
      this.partial.delete(key);
    }
  }

  private systemLog(task: number, line: string) {
    this.pushLog({ task, stream: "system", line, at: now() });
  }

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
    return this.logs
      .filter((l) => l.task === task && l.stream !== "system")
      .slice(-TAIL_LINES)
      .map((l) => l.line)
      .join("\n");
  }

  // ---------------------------------------------------------------- channel

  private async handle(op: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const parse = <T extends z.ZodType>(schema: T): z.infer<T> => {
      const r = schema.safeParse(body);
      if (!r.success) throw new ChannelReplyError("InvalidRequest", `${op}: ${formatZodError(r.error)}`);
      return r.data;
    };
    switch (op) {
      case "hello":
        return { job: this.job, package: this.params.pkg.module, function: this.params.function };
      case "start": {
        const { cr, ns } = parse(startRequest);
        return this.startTask(cr, ns);
      }
      case "wait": {
        const { task } = parse(taskRequest);
        return this.waitTask(task);
      }
      case "signal": {
        const { task, signal } = parse(signalRequest);
        const t = this.taskOrThrow(task);
        t.signalled = true;
        if (t.containerId && !t.record.endedAt) {
          this.systemLog(task, `signal ${signal} sent by the workflow`);
          await this.ctx.engine.kill(t.containerId, signal.startsWith("SIG") ? signal : `SIG${signal}`);
        }
        return {};
      }
      case "find_one": {
        const { coll, task, query, projection } = parse(findOneRequest);
        this.assertOwnCollection(coll);
        const doc = await this.ctx.store.findOne(coll, this.job, task, query, projection);
        return { doc };
      }
      case "find": {
        const { coll } = parse(findRequest);
        this.assertOwnCollection(coll);
        return { docs: await this.ctx.store.findRun(coll, this.job) };
      }
      case "set": {
        const { ns, fields } = parse(setRequest);
        const coll = collectionName(ns, `${this.params.pkg.namespace}/${this.params.pkg.name}.${this.params.function}`);
        try {
          await this.ctx.store.merge(coll, this.job, 0, fields, this.meta(0));
        } catch (err) {
          throw new ChannelReplyError("InvalidRequest", err instanceof Error ? err.message : String(err));
        }
        this.collections.add(coll);
        this.emit({ type: "document", coll, task: 0 });
        return { coll };
      }
      default:
        throw new ChannelReplyError("InvalidRequest", `unknown op '${op}'`);
    }
  }

  private assertOwnCollection(coll: string) {
    if (!this.collections.has(coll) && ![...this.tasks.values()].some((t) => t.record.coll === coll)) {
      throw new ChannelReplyError("InvalidRequest", `collection '${coll}' was not written by this run`);
    }
  }

  private taskOrThrow(n: number): TaskState {
    const t = this.tasks.get(n);
    if (!t) throw new ChannelReplyError("InvalidRequest", `no task ${n} in this run`);
    return t;
  }

  private meta(task: number): StoredMeta {
    return {
      owner: this.params.owner,
      run: this.id,
      job: this.job,
      task,
      package: this.params.pkg.module,
      at: new Date(),
    };
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

  // ---------------------------------------------------------------- tasks

  private async startTask(cr: CrSpec, ns: string[]): Promise<Record<string, unknown>> {
    if (this.terminal || this.finishing) throw new ChannelReplyError("TaskCancelled", "the run is ending");
    const n = this.nextTask++;
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
      containerId: null,
      serviceIds: [],
      outDir: path.join(this.runDir, "tasks", String(n)),
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
      await this.launch(state, cr);
    } catch (err) {
      const e =
        err instanceof ChannelReplyError
          ? err
          : err instanceof EngineError && err.code === "image_not_found"
            ? new ChannelReplyError("ImageNotFound", err.message, null, n)
            : new ChannelReplyError("RunnerError", err instanceof Error ? err.message : String(err), null, n);
      state.record.status = "failed";
      state.record.error = { ...e.toJSON(), task: n };
      state.record.endedAt = now();
      this.systemLog(n, `task ${n} could not start: ${e.message}`);
      await Promise.allSettled(
        [state.containerId, ...state.serviceIds].filter((x): x is string => !!x).map((id) => this.ctx.engine.remove(id)),
      );
      this.emit({ type: "task.finished", task: { ...state.record } });
      markFinished();
      throw new ChannelReplyError(e.type, e.message, null, n);
    }
    return { task: n, host: state.record.host, coll };
  }

  private async ensureImage(ref: string): Promise<string> {
    const image = (this.params.resolveImage ?? this.ctx.resolveImage)(ref);
    if (this.ctx.imageCache.get(image)) return image;
    let exists = await this.ctx.engine.imageExists(image);
    if (!exists && this.ctx.policy.pullMissingImages) {
      await this.ctx.engine.pullImage(image).catch(() => undefined);
      exists = await this.ctx.engine.imageExists(image);
    }
    if (!exists) {
      throw new ChannelReplyError(
        "ImageNotFound",
        `image '${ref}'${image !== ref ? ` (${image})` : ""} is not available on this Docker engine` +
          (this.ctx.policy.pullMissingImages ? " and could not be pulled" : " and pulling is disabled"),
      );
    }
    this.ctx.imageCache.set(image, true);
    return image;
  }

  private ensureNetwork(): Promise<string> {
    if (!this.networkPromise) {
      this.networkName = `lev-${this.id}`;
      this.networkPromise = this.ctx.engine.createNetwork(
        this.networkName,
        createLabels(this.ctx.instance, this.id, "network", undefined, this.params.owner),
      );
    }
    return this.networkPromise.then(() => this.networkName!);
  }

  private async joinRunNetwork(task: TaskState) {
    if (!task.containerId || task.onRunNetwork) return;
    const net = await this.ensureNetwork();
    await this.ctx.engine.connectNetwork(net, task.containerId, [task.record.host]);
    task.onRunNetwork = true;
  }

  private capsFor(cr: CrSpec): string[] {
    const wanted = new Set(cr.caps);
    if (cr.host) wanted.add("NET_RAW");
    const granted: string[] = [];
    for (const cap of wanted) {
      if (this.ctx.policy.allowedCaps.includes(cap)) granted.push(cap);
      else if (!(cr.host && cap === "NET_RAW" && !cr.caps.includes(cap))) {
        throw new ChannelReplyError("InvalidRequest", `capability ${cap} is not allowed by this runner's policy`);
      }
    }
    return granted;
  }

  private async writeFiles(cr: CrSpec, dir: string): Promise<string[]> {
    const binds: string[] = [];
    let i = 0;
    for (const [target, src] of Object.entries(cr.files)) {
      let data: Buffer;
      if ("b64" in src) {
        data = Buffer.from(src.b64, "base64");
      } else {
        const abs = path.resolve(this.params.pkg.dir, src.path);
        if (!abs.startsWith(this.params.pkg.dir + path.sep)) {
          throw new ChannelReplyError("InvalidRequest", `files: '${src.path}' is outside the package`);
        }
        if (!existsSync(abs)) throw new ChannelReplyError("InvalidRequest", `files: '${src.path}' does not exist in the package`);
        data = await readFile(abs);
      }
      const host = path.join(dir, `file-${i++}`);
      await writeFile(host, data, { mode: 0o644 });
      binds.push(`${host}:${target}:ro`);
    }
    return binds;
  }

  private async containerSpec(
    cr: CrSpec,
    opts: { name: string; role: "tool" | "service"; task: number; outDir: string; aliases: string[] },
  ): Promise<{ spec: ContainerSpec; hostMode: boolean }> {
    const { ctx, params } = this;
    const image = await this.ensureImage(cr.image);
    if (cr.host && !ctx.policy.allowHostNetwork) {
      throw new ChannelReplyError("InvalidRequest", "Cr(host=True): the host network is not allowed by this runner's policy");
    }
    await mkdir(opts.outDir, { recursive: true, mode: 0o777 });
    await chmod(opts.outDir, 0o777);
    const binds = [
      `${ctx.runtimeDir}:/lev/rt:ro`,
      `${params.pkg.dir}:/lev/pkg:ro`,
      `${opts.outDir}:/lev/out`,
      ...(await this.writeFiles(cr, opts.outDir)),
    ];
    const env = [...cr.env, ...this.baseEnv(), "LEV_OUT=/lev/out"];
    if (cr.entry) env.push(`LEV_ENTRY=${JSON.stringify(cr.entry)}`);
    // The run's own network (name resolution between its containers) costs docker an embedded
    // DNS set-up per container, so only containers that need names join it: services, tasks with
    // services or links, and tasks another task links to (joined when that happens). The others
    // use the default bridge, where setup runs dockerd with --icc=false: outbound only.
    const needsRunNetwork = opts.role === "service" || Object.keys(cr.services).length > 0 || Object.keys(cr.links).length > 0;
    const network = cr.host ? "host" : needsRunNetwork ? await this.ensureNetwork() : "bridge";
    const links: string[] = [];
    const extraHosts: string[] = [];
    for (const [alias, target] of Object.entries(cr.links)) {
      const other = [...this.tasks.values()].find((t) => t.record.host === target);
      if (!other?.containerId) throw new ChannelReplyError("InvalidRequest", `links: '${target}' is not a running task of this run`);
      await this.joinRunNetwork(other);
      if (cr.host) {
        const ip = (await ctx.engine.inspect(other.containerId)).ips[this.networkName ?? ""];
        if (ip) extraHosts.push(`${alias}:${ip}`);
      } else links.push(`${other.name}:${alias}`);
    }
    return {
      hostMode: cr.host,
      spec: {
        name: opts.name,
        image,
        labels: createLabels(ctx.instance, this.id, opts.role, opts.task, params.owner),
        // `-c` rather than `-m`: runpy costs every task a few milliseconds
        entrypoint: cr.entry ? ["python3", "-c", "import sys; from levrt._tool import main; sys.exit(main())"] : undefined,
        cmd: cr.entry ? [] : cr.cmd,
        env,
        binds,
        readOnlyRoot: false,
        network,
        aliases: opts.aliases,
        links,
        extraHosts,
        capAdd: this.capsFor(cr),
        limits: ctx.limits.tool,
        // an image's own program as PID 1 would ignore SIGINT/SIGTERM: docker-init forwards them.
        // levrt's entry bootstrap handles both itself, so entry tasks skip the extra process.
        init: !cr.entry,
      },
    };
  }

  private async waitPorts(containerId: string, ports: number[], hostMode: boolean, deadline: number) {
    if (!ports.length) return;
    const info = await this.ctx.engine.inspect(containerId);
    const ip = hostMode ? "127.0.0.1" : Object.values(info.ips)[0];
    if (!ip) throw new ChannelReplyError("RunnerError", "ports: the container has no address to probe");
    for (const port of ports) {
      for (;;) {
        const open = await new Promise<boolean>((resolve) => {
          const s = net.connect({ host: ip, port, timeout: 500 });
          s.once("connect", () => (s.destroy(), resolve(true)));
          s.once("error", () => resolve(false));
          s.once("timeout", () => (s.destroy(), resolve(false)));
        });
        if (open) break;
        const state = await this.ctx.engine.inspect(containerId);
        if (!state.running) throw new ChannelReplyError("TaskFailed", `ports: the container exited before port ${port} opened`);
        if (Date.now() > deadline) throw new ChannelReplyError("TaskTimeout", `ports: port ${port} did not open in time`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async launch(state: TaskState, cr: CrSpec) {
    const { engine } = this.ctx;
    const n = state.record.number;
    const timeoutMs = Math.min(cr.timeout ? cr.timeout * 1000 : Infinity, this.params.taskTimeoutMs);
    const deadline = Date.now() + timeoutMs;
    await mkdir(state.outDir, { recursive: true });

    const serviceHosts: string[] = [];
    for (const [name, svc] of Object.entries(cr.services)) {
      const { spec, hostMode } = await this.containerSpec(svc, {
        name: `${state.name}-${name}`,
        role: "service",
        task: n,
        outDir: path.join(state.outDir, `svc-${name}`),
        aliases: [name],
      });
      const id = await engine.create(spec);
      state.serviceIds.push(id);
      this.containers.add(id);
      await engine.attach(id, (stream, chunk) => this.output(n, stream, chunk));
      await engine.start(id);
      this.systemLog(n, `service '${name}' started (${svc.image})`);
      await this.waitPorts(id, svc.ports, hostMode, deadline);
      if (cr.host) {
        const ip = Object.values((await engine.inspect(id)).ips)[0];
        if (ip) serviceHosts.push(`${name}:${ip}`);
      }
    }

    const { spec, hostMode } = await this.containerSpec(cr, {
      name: state.name,
      role: "tool",
      task: n,
      outDir: state.outDir,
      aliases: [state.record.host],
    });
    spec.extraHosts = [...(spec.extraHosts ?? []), ...serviceHosts];
    const id = await engine.create(spec);
    state.containerId = id;
    state.onRunNetwork = spec.network === this.networkName;
    this.containers.add(id);
    await engine.attach(id, (stream, chunk) => this.output(n, stream, chunk));
    if (this.terminal) throw new ChannelReplyError("TaskCancelled", "the run is ending");
    await engine.start(id);
    state.record.status = "running";
    state.timer = setTimeout(() => {
      state.timedOut = true;
      this.systemLog(n, `task ${n} exceeded its time limit of ${Math.round(timeoutMs / 1000)} s; killing it`);
      void engine.kill(id, "SIGKILL");
    }, timeoutMs);
    this.ctx.log("task started", { run: this.id, task: n, container: id.slice(0, 12), image: spec.image });
    this.emit({ type: "task.started", task: { ...state.record } });
    this.emitProgress();
    void engine
      .wait(id)
      .then((code) => this.taskEnded(state, code))
      .catch((err) => this.taskEnded(state, null, err));
    if (cr.ports.length) await this.waitPorts(id, cr.ports, hostMode, deadline);
    if (state.signalled) await engine.kill(id, "SIGINT");
  }

  private async taskEnded(state: TaskState, exitCode: number | null, waitError?: unknown) {
    const { engine, store } = this.ctx;
    const r = state.record;
    const n = r.number;
    if (state.timer) clearTimeout(state.timer);
    this.flushPartial(n);
    if (r.endedAt) return; // it failed while starting; startTask already ended it
    r.exitCode = exitCode;

    let stored = false;
    let storeError: string | null = null;
    const docPath = path.join(state.outDir, "doc.json");
    if (existsSync(docPath)) {
      try {
        const fields = JSON.parse(await readFile(docPath, "utf8")) as Record<string, unknown>;
        await store.put(r.coll, this.job, n, fields, this.meta(n));
        stored = true;
        this.collections.add(r.coll);
      } catch (err) {
        storeError = `the task's document could not be stored: ${err instanceof Error ? err.message : String(err)}`;
        this.systemLog(n, storeError);
      }
    }
    r.stored = stored;

    let entryError: { type: string; message: string; traceback?: string } | null = null;
    const errPath = path.join(state.outDir, "error.json");
    if (existsSync(errPath)) {
      try {
        entryError = JSON.parse(await readFile(errPath, "utf8"));
      } catch {
        entryError = null;
      }
    }

    if (state.cancelled) {
      r.status = "cancelled";
      r.error = { type: "TaskCancelled", message: `task ${n} was stopped because the run ended`, task: n };
    } else if (state.timedOut) {
      r.status = "timed_out";
      r.error = { type: "TaskTimeout", message: `task ${n} exceeded its time limit and was killed`, task: n };
    } else if (state.signalled) {
      r.status = "stopped";
    } else if (waitError) {
      r.status = "failed";
      r.error = { type: "RunnerError", message: String(waitError), task: n };
    } else if (exitCode === 0 && !storeError) {
      r.status = "succeeded";
    } else {
      r.status = "failed";
      r.error = entryError
        ? {
            type: "TaskFailed",
            message: `task ${n} (${r.image}) failed: ${entryError.type}: ${entryError.message}`,
            traceback: entryError.traceback ?? null,
            task: n,
          }
        : {
            type: "TaskFailed",
            message: storeError ?? `task ${n} (${r.image}) exited with code ${exitCode}`,
            traceback: this.taskLogTail(n) || null,
            task: n,
          };
    }
    r.endedAt = now();
    if (stored) this.emit({ type: "document", coll: r.coll, task: n });
    this.emit({ type: "task.finished", task: { ...r } });
    this.emitProgress();
    this.ctx.log("task finished", { run: this.id, task: n, status: r.status, exitCode });
    state.markFinished();

    // removal does not hold up the workflow; the run waits for it before it ends
    const ids = [state.containerId, ...state.serviceIds].filter((x): x is string => !!x);
    const removal = Promise.allSettled(ids.map((id) => engine.remove(id))).then(() => {
      for (const id of ids) this.containers.delete(id);
      this.pendingRemovals.delete(removal);
    });
    this.pendingRemovals.add(removal);
  }

  private emitProgress() {
    const all = [...this.tasks.values()];
    this.emit({ type: "progress", started: all.length, finished: all.filter((t) => t.record.endedAt).length });
  }
}
