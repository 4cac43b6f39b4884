/**
 * One run the hub handed this worker: its package files and the files it was given (`levrt.File`)
 * fetched by content hash, the values of the secrets it binds asked of the hub, then started with the same runner library as everywhere (policy, limits
 * and images as the assignment says), every event reported. A run that cannot start (its package
 * refused, a file that cannot be fetched, a cancel first, a bad spec) still ends properly:
 * `run.started` then `run.finished` with a clear RunError (`FileUnavailable` for a file).
 */
import type { RunFile, RunRefs } from "../src/refs.ts";
import type { Run } from "../src/run/run.ts";
import type { Runner } from "../src/run/runner.ts";
import type { RunError } from "../src/types.ts";
import { FileFetchError, type BlobCache } from "./blob-cache.ts";
import { notStartedEvents, reportedEvents } from "./events.ts";
import type { HttpResultStore } from "./http-store.ts";
import type { PackageCache } from "./package-cache.ts";
import { assignedRefsSchema, hubScheme, INSTANCE_HEADER, secretsResponseSchema, type RunAssignment, type SecretsRequest } from "./protocol.ts";
import { collectRefs } from "../src/refs.ts";
import type { HubClient } from "./hub-client.ts";
import type { RunReporter } from "./reporter.ts";

export interface AssignmentContext {
  runner: Runner;
  /** asks the hub for the values of the secrets a run binds */
  hub: HubClient;
  instance: string;
  cache: PackageCache;
  blobs: BlobCache;
  store: HttpResultStore;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

export class AssignedRun {
  private run: Run | null = null;
  private cancelReason: string | null = null;
  private readonly preparing = new AbortController();
  /** settles when the run's containers are gone (its result is known) */
  readonly finished: Promise<void>;

  constructor(
    readonly assignment: RunAssignment,
    readonly reporter: RunReporter,
    private readonly ctx: AssignmentContext,
  ) {
    this.finished = this.execute();
  }

  get runId(): string {
    return this.assignment.runId;
  }

  /** Stops the run for `reason` (the hub's cancel order, the worker shutting down). Idempotent. */
  cancel(reason: string): void {
    if (this.cancelReason !== null) return;
    this.cancelReason = reason;
    this.preparing.abort();
    if (this.run) void this.run.cancel(reason);
  }

  /**
   * What the run's typed references stand for (`RunSpec.refs`), by the one path for every kind: its
   * files on this worker's disk, each held until the run is over (every acquisition settles, so
   * whatever was fetched is released even when another failed), and its secrets' values from the hub.
   */
  private fetchRefs(): { refs: Promise<RunRefs>; release: () => void } {
    const parsed = assignedRefsSchema.safeParse(this.assignment.refs ?? {});
    if (!parsed.success) return { refs: Promise.reject(new Error("the hub sent references that are not valid")), release: () => undefined };
    const { blobs, instance } = this.ctx;
    const settled = Promise.allSettled(
      Object.entries(parsed.data).map(async ([id, ref]): Promise<[string, RunFile]> => [id, { kind: "file", path: await blobs.acquire(ref, instance), name: ref.name, size: ref.size, sha256: ref.sha256 }]),
    );
    const files = settled.then((results) => {
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
      return Object.fromEntries(results.map((r) => (r as PromiseFulfilledResult<[string, RunFile]>).value));
    });
    const refs = Promise.all([files, this.secrets()]).then(([f, s]): RunRefs => ({ ...f, ...s }));
    const release = () =>
      void settled.then((results) => results.forEach((r) => r.status === "fulfilled" && blobs.release(r.value[1].sha256)));
    return { refs, release };
  }

  private async execute(): Promise<void> {
    const a = this.assignment;
    const startedAt = new Date().toISOString();
    const { cache, store, runner } = this.ctx;
    const given = this.fetchRefs();
    try {
      const cancelled = new Promise<never>((_, reject) =>
        this.preparing.signal.addEventListener("abort", () => reject(new Error("cancelled")), { once: true }),
      );
      const files = Promise.all([a.package, ...a.dependencies].map((ref) => cache.ensure(ref, this.ctx.instance)));
      const [[packageDir, ...depDirs], refs] = await Promise.race([Promise.all([files, given.refs]), cancelled]);
      if (this.cancelReason !== null) return this.notStarted(startedAt, "cancelled", { type: "Cancelled", message: this.cancelReason });
      store.bind(a.job, a.runId, this.ctx.instance, a.policy.limits.docBytes);
      this.run = runner.start({
        packageDir,
        function: a.function,
        args: a.args,
        job: a.job,
        owner: a.owner,
        runId: a.runId,
        timeoutMs: a.timeoutMs,
        policy: a.policy,
        dependencies: a.dependencies.map((d, i) => ({ namespace: d.namespace, name: d.name, version: d.version, dir: depDirs[i] })),
        refs,
        onEvent: (ev) => {
          if (ev.type === "log" && ev.log.internal) this.ctx.log("runner", { run: a.runId, task: ev.log.task, line: ev.log.line });
          for (const e of reportedEvents(ev)) this.reporter.push(e);
        },
        debugPause: a.debugPause === true,
      });
      // a cancel that came while the run was being started
      if (this.cancelReason !== null) void this.run.cancel(this.cancelReason);
      const result = await this.run.result;
      this.ctx.log("run finished", { run: a.runId, status: result.status });
    } catch (err) {
      if (this.cancelReason !== null) return this.notStarted(startedAt, "cancelled", { type: "Cancelled", message: this.cancelReason });
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.log("run could not start", { run: a.runId, error: message });
      if (err instanceof FileFetchError) this.notStarted(startedAt, "failed", { type: "FileUnavailable", message: `the run's ${message}` });
      else this.notStarted(startedAt, "failed", { type: "RunnerError", message: `the worker could not start the run: ${message}` });
    } finally {
      store.unbind(a.job);
      given.release();
    }
  }

  /**
   * The values of the secrets the run's arguments bind, from the hub (only for a run this
   * instance holds; a device says how it reaches the hub, and gets them only over https). Kept in
   * memory for the run: the runner masks them in everything the run outputs.
   */
  private async secrets(): Promise<RunRefs> {
    const wanted = collectRefs(this.assignment.args).filter((r) => r.$lev === "secret");
    if (!wanted.length) return {};
    const body: SecretsRequest = { instance: this.ctx.instance, hubScheme: hubScheme(this.ctx.hub.url) };
    const res = secretsResponseSchema.parse(
      await this.ctx.hub.post(`/api/worker/runs/${encodeURIComponent(this.assignment.runId)}/secrets`, body, {
        retryForMs: 60_000,
        signal: this.preparing.signal,
        headers: { [INSTANCE_HEADER]: this.ctx.instance },
      }),
    );
    return res.secrets;
  }

  private notStarted(startedAt: string, status: "failed" | "cancelled", error: RunError): void {
    for (const ev of notStartedEvents(startedAt, status, error)) this.reporter.push(ev);
  }
}
