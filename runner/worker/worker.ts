/**
 * A worker: serves one Docker engine for a hub, over the HTTP contract of protocol.ts only (no
 * database, no open port). It registers (a new instance every time), removes what lost instances
 * left on its engine, heartbeats, long-polls for runs while it has free slots, and runs each with
 * the same runner library as the hub and `lev exec`. `npm run worker` (scripts/worker.ts) and the
 * worker `npm start` runs in-process are both `startWorker`.
 *
 * A hub that says `gone` (410) declared this instance lost: its runs are stopped (the hub already
 * failed them) and the worker registers again as a new instance.
 */
import path from "node:path";
import { backoffMs, sleep } from "../src/backoff.ts";
import { DockerodeEngine, type ContainerEngine } from "../src/engine/engine.ts";
import { reap } from "../src/engine/reaper.ts";
import { DEFAULT_WORKFLOW_IMAGE, Runner } from "../src/run/runner.ts";
import { AssignedRun } from "./assignment.ts";
import { BlobCache } from "./blob-cache.ts";
import { claimDataDir } from "./data-dir.ts";
import { HubClient, HubError } from "./hub-client.ts";
import { HttpResultStore, type HttpStoreTimes } from "./http-store.ts";
import { HubImageEngine } from "./images.ts";
import { PackageCache } from "./package-cache.ts";
import { engineBootId, engineFacts, keepOnStart, SOFTWARE_VERSION, UUID } from "./registration.ts";
import {
  INSTANCE_HEADER,
  PROTOCOL_VERSION,
  type HeartbeatResponse,
  type PollResponse,
  type RegisterRequest,
  type RegisterResponse,
  type RunAssignment,
  type WorkerLabels,
} from "./protocol.ts";
import { DEFAULT_REPORTER_OPTIONS, RunReporter, type ReporterOptions } from "./reporter.ts";
import { DebugSessions } from "./debug-session.ts";
import { NftScopeEnforcer, type EnforceCapability } from "../src/scope/enforcer.ts";
import { hostname } from "node:os";

export type WorkerLogger = (msg: string, fields?: Record<string, unknown>) => void;

export interface WorkerOptions {
  /** `http(s)://…`, or `unix:/path/to/hub.sock` (a hub on this machine, without loopback) */
  hubUrl: string;
  /** the worker credential (`lwk_…`) */
  token: string;
  name: string;
  /** default: the Docker engine of DOCKER_HOST */
  engine?: ContainerEngine;
  /**
   * packages, the files runs were given, run directories and the event spool; must be visible to the engine (bind mounts);
   * one worker's alone (claimDataDir refuses a second one, and clears what an earlier one left)
   */
  dataDir: string;
  /** runs at once */
  capacity: number;
  labels?: Partial<WorkerLabels>;
  logger?: WorkerLogger;
  /** how long a finished task's document is kept while the results store is down (default 10 min) */
  storeRetryMs?: number;
  /** tests make these shorter */
  storeTimes?: HttpStoreTimes;
  reporter?: Partial<Omit<ReporterOptions, "spoolDir">>;
  /** gives up registering (startWorker then rejects) */
  signal?: AbortSignal;
  /** false: never enforce scoped runs' networks (the worker reports it cannot); default: probe the engine */
  enforceScope?: boolean;
  /** workflow containers kept started ahead of runs (RunnerOptions.warmContainers); default 0 */
  warmContainers?: number;
}

export interface WorkerHandle {
  /** the instance the hub knows this process by now (a new one after a re-registration) */
  readonly instance: string;
  /** the device this worker serves (a device agent), as the hub named it at registration */
  readonly device: { id: string; name: string } | null;
  /** Takes no new run; with `cancelRunning` the running ones are cancelled, else they finish. */
  stop(opts: { cancelRunning: boolean }): Promise<void>;
  /** settles once the worker has stopped */
  readonly done: Promise<void>;
}

/** What one registration gave: the hub's identity for this process and its own runner. */
interface Registration {
  instance: string;
  heartbeatMs: number;
  pollMs: number;
  runner: Runner;
  device: { id: string; name: string } | null;
}

class Worker implements WorkerHandle {
  private reg!: Registration;
  private readonly hub: HubClient;
  private readonly engine: HubImageEngine;
  private readonly store: HttpResultStore;
  private readonly cache: PackageCache;
  /** debug terminals into tasks of runs this worker runs */
  private readonly debug: DebugSessions;
  private readonly blobs: BlobCache;
  /** runs whose containers may still exist */
  private readonly active = new Map<string, AssignedRun>();
  /** runs whose final events the hub has not acknowledged yet (active ones included) */
  private readonly reporting = new Map<string, RunReporter>();
  private draining = false;
  /** ends the heartbeats (once nothing runs any more) */
  private readonly stopping = new AbortController();
  /** gives up the long poll (a stop that cancels) */
  private readonly pollAbort = new AbortController();
  /** any stop: a registration still waiting for the hub is given up */
  private readonly drain = new AbortController();
  private pollLoopDone: Promise<void> = Promise.resolve();
  private heartbeatLoopDone: Promise<void> = Promise.resolve();
  private slotFreed: (() => void) | null = null;
  private reRegistering: Promise<void> | null = null;
  /** the engine's machine, read once (a re-registration reports the same) */
  private bootId: Promise<string | null> | null = null;
  private readonly enforcer = new NftScopeEnforcer();
  private enforce: Promise<EnforceCapability> | null = null;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((r) => (this.resolveDone = r));
  private readonly log: WorkerLogger;

  constructor(
    private readonly opts: WorkerOptions,
    private readonly releaseDataDir: () => Promise<void>,
  ) {
    this.log = opts.logger ?? (() => undefined);
    this.hub = new HubClient({ url: opts.hubUrl, token: opts.token });
    this.engine = new HubImageEngine(opts.engine ?? new DockerodeEngine(), this.hub, () => this.reg?.instance ?? "", this.log);
    this.store = new HttpResultStore(this.hub, opts.storeTimes);
    this.cache = new PackageCache(opts.dataDir, this.hub);
    this.debug = new DebugSessions({
      hub: this.hub,
      engine: this.engine,
      instance: () => this.reg?.instance ?? "",
      run: (runId) => (this.active.has(runId) ? this.reg?.runner.get(runId) : undefined),
      log: this.log,
    });
    this.blobs = new BlobCache(opts.dataDir, this.hub);
  }

  get instance(): string {
    return this.reg.instance;
  }

  get device(): { id: string; name: string } | null {
    return this.reg.device;
  }

  async start(): Promise<void> {
    await this.register(this.opts.signal);
    this.heartbeatLoopDone = this.heartbeatLoop();
    this.pollLoopDone = this.pollLoop();
  }

  private async register(signal?: AbortSignal): Promise<void> {
    this.bootId ??= engineBootId(this.engine, DEFAULT_WORKFLOW_IMAGE);
    const bootId = await this.bootId;
    if (bootId === null) this.log("could not read the kernel boot id of the engine's machine: the hub counts it as its own (no host-network grant runs here)");
    // whether this process can enforce scoped runs' networks on its engine: probed once, reported
    this.enforce ??= this.opts.enforceScope === false ? Promise.resolve({ ipv4: false, ipv6: false, reason: "turned off for this worker" }) : this.enforcer.probe(this.engine, `${hostname()}:${process.pid}:scope-probe`);
    const enforce = await this.enforce;
    const body: RegisterRequest = {
      protocol: PROTOCOL_VERSION,
      name: this.opts.name,
      version: SOFTWARE_VERSION,
      engine: { ...(await engineFacts(this.engine)), ...(bootId ? { bootId } : {}) },
      capacity: this.opts.capacity,
      labels: { hostNetwork: this.opts.labels?.hostNetwork ?? false, enforceScope: enforce.ipv4, enforceScopeIpv6: enforce.ipv6 },
    };
    const res = await this.hub.post<RegisterResponse>("/api/worker/register", body, {
      retryForMs: Number.MAX_SAFE_INTEGER,
      signal: AbortSignal.any([this.drain.signal, ...(signal ? [signal] : [])]),
      onRetry: (err, attempt) => {
        if (attempt === 1 || attempt % 10 === 0) this.log("waiting for the hub to register", { error: err.message });
      },
    });
    if (!UUID.test(res.instance)) throw new HubError(200, "bad_response", `the hub gave an instance that is not a uuid: '${res.instance}'`);
    if (res.limits) this.hub.limitRequests(res.limits.requestsInFlight);
    const runner = new Runner({
      engine: this.engine,
      store: this.store,
      instance: res.instance,
      workDir: path.join(this.opts.dataDir, "runs"),
      storeRetryMs: this.opts.storeRetryMs,
      logger: this.log,
      // host networking on the hub's machine would share its loopback: refused unless the admin allowed it
      hubMachine: res.hubMachine !== false,
      ...(enforce.ipv4 ? { scopeEnforcer: this.enforcer } : {}),
      ...(this.opts.warmContainers ? { warmContainers: this.opts.warmContainers } : {}),
    });
    this.reg = { instance: res.instance, heartbeatMs: res.heartbeatMs, pollMs: res.pollMs, runner, device: res.device ?? null };
    this.log("registered", { worker: res.workerId, instance: res.instance, lostInstances: res.lostInstances.length, hubMachine: res.hubMachine !== false, enforceScope: enforce.ipv4, ...(enforce.reason ? { noEnforcement: enforce.reason } : {}) });
    const lost = new Set(res.lostInstances);
    const reaped = await reap(this.engine, (labels) => keepOnStart(labels, lost)).catch((err: Error) => {
      this.log("could not remove what lost instances left", { error: err.message });
      return null;
    });
    if (reaped && reaped.containers + reaped.networks + reaped.volumes > 0) this.log("removed what lost instances left", { ...reaped });
    // scope rules whose run's bridge is gone (a crashed worker's)
    if (enforce.ipv4) {
      const rules = await this.enforcer.reapLeftovers().catch(() => []);
      if (rules.length) this.log("removed scope rules lost runs left", { runs: rules.length });
    }
  }

  /** The hub declared this instance lost: its runs stop, and the worker comes back as a new instance. */
  private gone(): Promise<void> {
    this.reRegistering ??= (async () => {
      this.log("the hub declared this worker lost; stopping its runs and registering again", { instance: this.reg.instance });
      for (const run of this.active.values()) run.cancel("the hub declared this worker lost");
      await this.debug.stop();
      for (const r of this.reporting.values()) r.abandon("the worker was declared lost");
      await Promise.allSettled([...this.active.values()].map((r) => r.finished));
      // its warm containers carry the lost instance's label; the new runner starts its own
      await this.reg.runner.closeWarmPool();
      await this.reg.runner.settled();
      if (!this.draining) await this.register();
    })()
      .catch((err: Error) => this.log("registering again failed", { error: err.message }))
      .finally(() => (this.reRegistering = null));
    return this.reRegistering;
  }

  private async heartbeatLoop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      await sleep(this.reg.heartbeatMs, this.stopping.signal);
      if (this.stopping.signal.aborted) return;
      if (this.reRegistering) {
        await this.reRegistering;
        continue;
      }
      try {
        const res = await this.hub.post<HeartbeatResponse>(
          "/api/worker/heartbeat",
          { instance: this.reg.instance, running: [...this.reporting.keys()].slice(0, 256) },
          { timeoutMs: Math.max(this.reg.heartbeatMs * 2, 5_000), signal: this.stopping.signal, headers: { [INSTANCE_HEADER]: this.reg.instance }, unmetered: true },
        );
        for (const c of res.cancel ?? []) this.active.get(c.runId)?.cancel(c.reason);
        for (const id of res.ended ?? []) this.active.get(id)?.cancel("the hub has already ended this run");
        if (!this.draining) this.debug.serve(res.debug);
      } catch (err) {
        if (err instanceof HubError && err.status === 410) await this.gone();
        else if (!this.stopping.signal.aborted) this.log("heartbeat failed", { error: (err as Error).message });
      }
    }
  }

  private async pollLoop(): Promise<void> {
    let failures = 0;
    while (!this.draining) {
      if (this.reRegistering) await this.reRegistering;
      const free = this.opts.capacity - this.active.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      const reg = this.reg;
      const waitMs = Math.min(reg.pollMs, 30_000);
      try {
        const res = await this.hub.post<PollResponse>(
          "/api/worker/poll",
          { instance: reg.instance, free, waitMs },
          { timeoutMs: waitMs + 15_000, signal: this.pollAbort.signal, headers: { [INSTANCE_HEADER]: reg.instance }, unmetered: true },
        );
        failures = 0;
        for (const c of res.cancel ?? []) this.active.get(c.runId)?.cancel(c.reason);
        // runs the hub handed over are ours even when a stop began meanwhile
        for (const a of res.assign ?? []) this.take(a, reg);
        if (!this.draining) this.debug.serve(res.debug);
      } catch (err) {
        if (this.pollAbort.signal.aborted) return;
        if (err instanceof HubError && err.status === 410) {
          await this.gone();
          continue;
        }
        if (err instanceof HubError && err.status === 401) {
          // a revoked credential (an admin's, or a device its owner revoked) never works again
          this.log("the hub refuses this worker's credential (revoked); stopping", { error: err.message });
          void this.stop({ cancelRunning: true });
          return;
        }
        failures++;
        if (failures === 1 || failures % 10 === 0) this.log("polling the hub failed", { error: (err as Error).message, failures });
        await sleep(backoffMs(failures, { baseMs: 250, maxMs: 10_000 }), this.pollAbort.signal);
      }
    }
  }

  private take(a: RunAssignment, reg: Registration): void {
    if (this.active.has(a.runId)) return;
    if (reg !== this.reg || this.reRegistering) {
      // handed to an instance the hub has declared lost meanwhile: the hub ends it, nothing runs here
      this.log("run assigned to a lost instance; not started", { run: a.runId });
      return;
    }
    this.log("run assigned", { run: a.runId, function: a.function, attempt: a.attempt });
    const reporter = new RunReporter(
      this.hub,
      a.runId,
      reg.instance,
      { ...DEFAULT_REPORTER_OPTIONS, ...this.opts.reporter, spoolDir: path.join(this.opts.dataDir, "spool") },
      (reason) => this.active.get(a.runId)?.cancel(reason),
      this.log,
    );
    const run = new AssignedRun(a, reporter, { runner: reg.runner, hub: this.hub, instance: reg.instance, cache: this.cache, blobs: this.blobs, store: this.store, log: this.log });
    this.active.set(a.runId, run);
    this.reporting.set(a.runId, reporter);
    void run.finished.finally(() => {
      this.active.delete(a.runId);
      this.slotFreed?.();
      this.slotFreed = null;
    });
    void reporter.delivered.finally(() => this.reporting.delete(a.runId));
  }

  async stop({ cancelRunning }: { cancelRunning: boolean }): Promise<void> {
    if (!this.draining) {
      this.draining = true;
      this.drain.abort();
      this.log(cancelRunning ? "stopping: cancelling the running runs" : "stopping: finishing the running runs, taking no new one", {
        running: this.active.size,
      });
      this.slotFreed?.();
      void this.finishStop();
    }
    if (cancelRunning) {
      // the long poll is given up too: a run it would still have brought ends WorkerLost on the hub
      this.pollAbort.abort();
      void this.debug.stop();
      for (const run of this.active.values()) run.cancel("the worker is shutting down");
      // a hub that stays away does not keep a stopping worker alive: its last events wait 30 s at most
      setTimeout(() => {
        for (const r of this.reporting.values()) r.abandon("the worker stopped before the hub took the run's last events");
      }, 30_000).unref();
    }
    return this.done;
  }

  private async finishStop(): Promise<void> {
    // a poll under way may still hand over runs (graceful stop): they run like the others
    await this.pollLoopDone;
    while (this.active.size > 0 || this.reporting.size > 0) {
      await Promise.allSettled([...[...this.active.values()].map((r) => r.finished), ...[...this.reporting.values()].map((r) => r.delivered)]);
    }
    await this.debug.stop();
    await this.reg.runner.closeWarmPool();
    // the last runs' bridges, removed right after their ends
    await this.reg.runner.settled();
    this.stopping.abort();
    await this.heartbeatLoopDone;
    await this.store.close();
    this.hub.close();
    await this.releaseDataDir();
    this.log("stopped");
    this.resolveDone();
  }
}

/** Registers a worker with the hub and starts serving; resolves once registered. */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  if (!Number.isInteger(options.capacity) || options.capacity < 1 || options.capacity > 256) {
    throw new RangeError(`capacity must be a whole number from 1 to 256, not ${options.capacity}`);
  }
  const claim = await claimDataDir(options.dataDir);
  const worker = new Worker(options, claim.release);
  try {
    await worker.start();
  } catch (err) {
    await claim.release();
    throw err;
  }
  return worker;
}
