import { randomBytes } from "node:crypto";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkDependencies } from "../package/dependencies.ts";
import { DockerodeEngine, type ContainerEngine } from "../engine/engine.ts";
import { LABEL } from "../engine/labels.ts";
import { locatePackage } from "../package/package.ts";
import { restrictedPolicy, runPolicySchema, type RunPolicy } from "../policy/policy.ts";
import { formatZodError } from "../channel/spec.ts";
import { reap, type ReapReport } from "../engine/reaper.ts";
import { checkArgRefs, runRefsSchema, runSecrets, type RunRefs } from "../refs.ts";
import { SecretMasker } from "../secrets/mask.ts";
import type { RunContext } from "./context.ts";
import type { NftScopeEnforcer } from "../scope/enforcer.ts";
import { Run } from "./run.ts";
import { WarmPool } from "./warm-pool.ts";
import type { ResultStore } from "../store/store.ts";
import type { PackageDependency, RunEvent } from "../types.ts";

export const RUNTIME_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../python");
export const DEFAULT_WORKFLOW_IMAGE = "levhub/python:bookworm";
/** The base images setup builds; what a run may use when nobody said otherwise. */
export const DEFAULT_BASE_IMAGES = ["levhub/python:bookworm", "levhub/nmap:bookworm"];

export interface RunSpec {
  /** absolute path of the package directory on the Docker host */
  packageDir: string;
  function: string;
  args: Record<string, unknown>;
  job: number;
  owner: string;
  runId?: string;
  /** whole-run limit; default from the runner */
  timeoutMs?: number;
  /** default per-task limit (a `Cr(timeout=…)` may ask for less) */
  taskTimeoutMs?: number;
  signal?: AbortSignal;
  /** receives every event of the run, its first (`run.started`, sent as it starts) included */
  onEvent?: (ev: RunEvent) => void;
  /** what this run may do (images, privileges, quotas); default: the runner's `policy` */
  policy?: RunPolicy;
  /**
   * The pinned dependency closure of the package version being run: each mounted read-only at
   * `/lev/deps/<ns>.<name>` and put on the Python path, in the workflow, tool and service containers.
   */
  dependencies?: PackageDependency[];
  /**
   * What each typed reference in `args` (`{"$lev": "file" | "secret", "id": …}`) stands for: a
   * stored blob on the Docker host, mounted read-only where a `Cr(files={…})` of the run puts that
   * reference; a secret's name and value, put only into the env of a container whose Cr forwards
   * it and masked in everything the run outputs. Chosen by the hub or worker; a reference in
   * `args` that is not here refuses the run.
   */
  refs?: RunRefs;
  /**
   * "Pause before entry": each tool task whose container a debugger may enter (no grant, no
   * secret; debug/task-debug.ts) waits before running its entry until a debugger says continue
   * (`Run.resumeTask`); the wait counts toward the task's time limit.
   */
  debugPause?: boolean;
}

export interface RunnerOptions {
  engine?: ContainerEngine;
  /**
   * What labels this runner's containers as theirs (LABEL.instance). Default
   * `<hostname>:<pid>:<random>`; a worker passes the instance the hub gave it, so the hub can
   * tell which of them a lost instance left behind.
   */
  instance?: string;
  store: ResultStore;
  /** what a run may do when its RunSpec carries no policy; default: restricted, base images only */
  policy?: RunPolicy;
  /** the `levrt` runtime mounted into containers */
  runtimeDir?: string;
  /** per-run directories (channel socket, task outputs); must be visible to the Docker engine */
  workDir?: string;
  workflowImage?: string;
  runTimeoutMs?: number;
  taskTimeoutMs?: number;
  /**
   * How long a finished task's document is kept and its write retried while the results store
   * is down (default 10 min); the task ends once it is written, or failed after that.
   */
  storeRetryMs?: number;
  logger?: (msg: string, fields?: Record<string, unknown>) => void;
  /**
   * Whether the engine's machine runs the hub or its database: a `host` grant is then refused
   * unless the run's policy says the admin allowed it. A worker learns it when it registers (the
   * hub compares the kernel boot id its engine reports with its own). Default: true (unknown).
   */
  hubMachine?: boolean;
  /**
   * Enforces a scoped run's network rules (scope/enforcer.ts): given only when this process shares
   * the engine's network namespace as root (its `probe` says so). Absent: scoped runs run
   * unenforced, and those whose policy requires enforcement fail before their first container.
   */
  scopeEnforcer?: NftScopeEnforcer;
  /**
   * How many workflow containers to keep started ahead of runs (run/warm-pool.ts), so a run's
   * workflow begins without a container start; each costs its idle memory. Default 0: none.
   */
  warmContainers?: number;
}

/** A run's and a task's time limits when neither the caller nor the run's policy sets one. */
export const DEFAULT_RUN_TIMEOUT_MS = 60 * 60_000;
export const DEFAULT_TASK_TIMEOUT_MS = 30 * 60_000;

export class RunnerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunnerError";
  }
}

/** Starts runs and keeps track of the active ones. Independent of the hub: no Next.js, no Prisma. */
export class Runner {
  readonly engine: ContainerEngine;
  /** `<hostname>:<pid>:<random>`; lets a reaper tell live runners from crashed ones */
  readonly instance: string;
  private readonly ctx: RunContext;
  private readonly active = new Map<string, Run>();
  private readonly runTimeoutMs: number;
  private readonly taskTimeoutMs: number;
  private readonly policy: RunPolicy;

  constructor(opts: RunnerOptions) {
    this.engine = opts.engine ?? new DockerodeEngine();
    this.instance = opts.instance ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
    this.runTimeoutMs = opts.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
    this.taskTimeoutMs = opts.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
    this.policy = opts.policy ?? restrictedPolicy({ refs: {}, base: [...DEFAULT_BASE_IMAGES], any: false });
    this.ctx = {
      engine: this.engine,
      store: opts.store,
      runtimeDir: opts.runtimeDir ?? RUNTIME_DIR,
      workDir: opts.workDir ?? path.join(tmpdir(), "levhub-runs"),
      workflowImage: opts.workflowImage ?? DEFAULT_WORKFLOW_IMAGE,
      instance: this.instance,
      imageCache: new Map(),
      storeRetryMs: opts.storeRetryMs ?? 10 * 60_000,
      log: opts.logger ?? (() => undefined),
      hubMachine: opts.hubMachine ?? true,
      afterRuns: new Set(),
      ...(opts.scopeEnforcer ? { scopeEnforcer: opts.scopeEnforcer } : {}),
    };
    if (opts.warmContainers) {
      // not a name a run's directory can have (run ids begin with a letter or digit)
      const dir = path.join(this.ctx.workDir, ".warm");
      this.ctx.warmPool = new WarmPool({ engine: this.engine, instance: this.instance, dir, size: opts.warmContainers, log: this.ctx.log });
    }
  }

  /** The warm pool's leases and cold starts so far, and its containers ready now; null without a pool. */
  warmStats(): { leased: number; cold: number; ready: number } | null {
    const pool = this.ctx.warmPool;
    return pool ? { ...pool.stats, ready: pool.ready() } : null;
  }

  /** Starts a run; the returned handle streams events and settles `result` in one terminal state. */
  start(spec: RunSpec): Run {
    if (!Number.isSafeInteger(spec.job) || spec.job < 1) throw new RunnerError("job must be a positive integer");
    if (!spec.owner) throw new RunnerError("owner is required");
    if (!/^[A-Za-z_][\w.]*$/.test(spec.function) && !/^[\w./-]+\.py$/.test(spec.function)) {
      throw new RunnerError(`'${spec.function}' is not a function name`);
    }
    try {
      JSON.stringify(spec.args);
    } catch {
      throw new RunnerError("args must be JSON-serialisable");
    }
    const policy = runPolicySchema.safeParse(spec.policy ?? this.policy);
    if (!policy.success) throw new RunnerError(`invalid run policy: ${formatZodError(policy.error)}`);
    const pkg = locatePackage(spec.packageDir);
    const dependencies = spec.dependencies ?? [];
    const badDependency = checkDependencies(dependencies, pkg);
    if (badDependency) throw new RunnerError(badDependency);
    const refs = runRefsSchema.safeParse(spec.refs ?? {});
    if (!refs.success) throw new RunnerError(`invalid run references: ${formatZodError(refs.error)}`);
    const badRef = checkArgRefs(spec.args, refs.data);
    if (badRef) throw new RunnerError(badRef);
    const runId = spec.runId ?? `${spec.job}-${randomBytes(3).toString("hex")}`;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,40}$/.test(runId)) throw new RunnerError(`invalid run id '${runId}'`);
    if (this.active.has(runId)) throw new RunnerError(`run ${runId} is already active`);
    const run = new Run(this.ctx, {
      runId,
      job: spec.job,
      owner: spec.owner,
      function: spec.function,
      args: spec.args,
      pkg,
      // the caller's own limit, else the run's policy (the hub's admin settings), else the runner's default
      runTimeoutMs: spec.timeoutMs ?? policy.data.limits.runTimeoutMs ?? this.runTimeoutMs,
      taskTimeoutMs: spec.taskTimeoutMs ?? policy.data.limits.taskTimeoutMs ?? this.taskTimeoutMs,
      policy: policy.data,
      dependencies,
      refs: refs.data,
      masker: new SecretMasker([...runSecrets(refs.data).values()]),
      debugPause: spec.debugPause === true,
    });
    this.active.set(runId, run);
    if (spec.onEvent) run.on(spec.onEvent);
    if (spec.signal) {
      if (spec.signal.aborted) void run.cancel("cancelled before it started");
      else spec.signal.addEventListener("abort", () => void run.cancel(), { once: true });
    }
    void run.result.finally(() => this.active.delete(runId));
    void run.start();
    return run;
  }

  get(runId: string): Run | undefined {
    return this.active.get(runId);
  }

  activeRuns(): string[] {
    return [...this.active.keys()];
  }

  /**
   * Removes labelled Docker resources left by crashed runners: those of runs not active here
   * whose runner process is gone. `keep` may protect more (a hub asks its database).
   */
  async reap(keep?: (labels: Record<string, string>) => boolean): Promise<ReapReport> {
    const report = await reap(this.engine, (labels) => {
      // this runner's warm containers: those its pool holds or a run of it leased
      if (labels[LABEL.instance] === this.instance) return this.active.has(labels[LABEL.run] ?? "") || this.ctx.warmPool?.owns(labels) === true;
      if (keep?.(labels)) return true;
      return instanceAlive(labels[LABEL.instance]);
    });
    // scope rules whose run's bridge is gone (a crashed runner's)
    await this.ctx.scopeEnforcer?.reapLeftovers().catch(() => undefined);
    return report;
  }

  /** Cancels every active run and waits for them to end; the warm containers are removed. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.active.values()].map((r) => r.cancel("the runner is shutting down")));
    await this.closeWarmPool();
    await this.settled();
  }

  /** Settles once what ended runs still remove (their bridges, right after their end) is gone. */
  async settled(): Promise<void> {
    while (this.ctx.afterRuns.size) await Promise.allSettled([...this.ctx.afterRuns]);
  }

  /** Removes the warm containers not leased; runs start cold from now on. */
  async closeWarmPool(): Promise<void> {
    await this.ctx.warmPool?.close();
  }
}

/** A runner on this host is alive while its process is; one on another host is presumed alive. */
export function instanceAlive(instance: string | undefined): boolean {
  if (!instance) return false;
  const [host, pid] = instance.split(":");
  if (host !== hostname()) return true;
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return false;
  try {
    process.kill(n, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
