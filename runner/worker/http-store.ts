/**
 * The results store of a worker: the runner's ResultStore over `POST /api/worker/runs/{id}/store`
 * (the hub writes to its MongoDB; a worker holds no database credentials). One store serves all
 * the worker's runs, keyed by job number → run id while each run is bound here.
 *
 * A store that is down (503, no answer) is retried with backoff: a put for a short while, after
 * which it fails as *transient* so the runner keeps the document and retries it for its own
 * `storeRetryMs` (cancel-aware); a workflow's merge or read for longer, since the workflow waits
 * on it anyway. Nothing is retried once its run is no longer bound (it ended).
 */
import type { ResultStore, StoredMeta } from "../src/store/store.ts";
import { StoreError } from "../src/store/store.ts";
import { HubError, isTransient, type HubClient } from "./hub-client.ts";
import { INSTANCE_HEADER, STORE_BATCH_LIMITS, type StoreRequest } from "./protocol.ts";

export interface HttpStoreTimes {
  /** how long one put is retried before the runner takes over */
  putRetryMs: number;
  /** how long a workflow's merge, find_one or find is retried */
  otherRetryMs: number;
}

export const DEFAULT_STORE_TIMES: HttpStoreTimes = { putRetryMs: 15_000, otherRetryMs: 10 * 60_000 };

interface Bound {
  runId: string;
  /** the worker instance that holds the run (a re-registered worker no longer does) */
  instance: string;
  ended: AbortController;
  /** the run's cap on one document, which is also the hub's cap on a batch of them */
  docBytes: number;
  /** puts waiting to go out together (`putMany`) */
  waiting: Waiting[];
  waitingBytes: number;
  timer: NodeJS.Timeout | null;
}

interface Waiting {
  doc: Extract<StoreRequest, { op: "putMany" }>["docs"][number];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * How long a put waits for others of its run to go in the same request: tasks that finish
 * together (a run's parallel tools) share one request and one bulk write at the hub.
 */
export const PUT_BATCH_MS = 5;

type Op<T extends StoreRequest["op"]> = Omit<Extract<StoreRequest, { op: T }>, "instance" | "op">;

export class HttpResultStore implements ResultStore {
  private readonly runs = new Map<number, Bound>();

  constructor(
    private readonly hub: HubClient,
    private readonly times: HttpStoreTimes = DEFAULT_STORE_TIMES,
  ) {}

  /**
   * Run `runId` (number `job`), held by `instance`, stores through here until `unbind`; `docBytes`
   * is its policy's cap on one document, and the hub's on a batch (0: every put goes alone).
   */
  bind(job: number, runId: string, instance: string, docBytes = 0): void {
    this.unbind(job);
    this.runs.set(job, { runId, instance, ended: new AbortController(), docBytes, waiting: [], waitingBytes: 0, timer: null });
  }

  unbind(job: number): void {
    const run = this.runs.get(job);
    if (!run) return;
    run.ended.abort();
    if (run.timer) clearTimeout(run.timer);
    for (const w of run.waiting.splice(0)) w.reject(new StoreError(`run number ${job} is not running on this worker`));
    this.runs.delete(job);
  }

  private async call<T>(job: number, op: StoreRequest["op"], fields: Record<string, unknown>, retryForMs: number): Promise<T> {
    const run = this.runs.get(job);
    if (!run) throw new StoreError(`run number ${job} is not running on this worker`);
    try {
      return await this.hub.post<T>(
        `/api/worker/runs/${encodeURIComponent(run.runId)}/store`,
        { instance: run.instance, op, ...fields },
        { retryForMs, signal: run.ended.signal, headers: { [INSTANCE_HEADER]: run.instance } },
      );
    } catch (err) {
      const why = err instanceof HubError ? `${err.message} (${err.code})` : (err as Error).message;
      throw new StoreError(`the results store (through the hub): ${why}`, { cause: err, transient: isTransient(err) && !run.ended.signal.aborted });
    }
  }

  private static meta(meta: StoredMeta): Extract<StoreRequest, { op: "put" }>["meta"] {
    return { runId: meta.run, owner: meta.owner, at: meta.at.toISOString(), package: meta.package };
  }

  /**
   * One task's document. Within a run, puts that come within PUT_BATCH_MS of each other go in one
   * `putMany` (up to STORE_BATCH_LIMITS and the run's docBytes together); a document too large to
   * share a request goes alone.
   */
  async put(coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta): Promise<void> {
    const run = this.runs.get(job);
    const doc = { coll, task, fields, meta: HttpResultStore.meta(meta) };
    const bytes = run ? Buffer.byteLength(JSON.stringify(fields)) : 0;
    const limit = run ? Math.min(run.docBytes, STORE_BATCH_LIMITS.bytes) : 0;
    if (!run || bytes > limit / 2) {
      await this.call(job, "put", doc, this.times.putRetryMs);
      return;
    }
    if (run.waitingBytes + bytes > limit) this.flush(job, run);
    await new Promise<void>((resolve, reject) => {
      run.waiting.push({ doc, bytes, resolve, reject });
      run.waitingBytes += bytes;
      if (run.waiting.length >= STORE_BATCH_LIMITS.documents) this.flush(job, run);
      else run.timer ??= setTimeout(() => this.flush(job, run), PUT_BATCH_MS);
    });
  }

  /** Sends what waits of a run as one `putMany` (one document: a plain `put`). */
  private flush(job: number, run: Bound): void {
    if (run.timer) clearTimeout(run.timer);
    run.timer = null;
    const batch = run.waiting.splice(0);
    run.waitingBytes = 0;
    if (batch.length === 0) return;
    if (batch.length === 1) {
      void this.call(job, "put", batch[0].doc, this.times.putRetryMs).then(batch[0].resolve, batch[0].reject);
      return;
    }
    const body: Op<"putMany"> = { docs: batch.map((w) => w.doc) };
    void this.call(job, "putMany", body, this.times.putRetryMs).then(
      () => batch.forEach((w) => w.resolve()),
      (err: unknown) => {
        // refused as a whole (one bad document?): each alone, so each gets its own answer; a store that is down fails them all alike
        if (err instanceof StoreError && err.transient) batch.forEach((w) => w.reject(err));
        else for (const w of batch) void this.call(job, "put", w.doc, this.times.putRetryMs).then(w.resolve, w.reject);
      },
    );
  }

  async merge(coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta): Promise<void> {
    const body: Op<"merge"> = { coll, task, fields, meta: HttpResultStore.meta(meta) };
    await this.call(job, "merge", body, this.times.otherRetryMs);
  }

  async findOne(
    coll: string,
    job: number,
    task: number,
    query: Record<string, unknown> | null,
    projection: Record<string, unknown> | null,
  ): Promise<Record<string, unknown> | null> {
    const body: Op<"findOne"> = { coll, task, query, projection };
    const res = await this.call<{ doc?: Record<string, unknown> | null }>(job, "findOne", body, this.times.otherRetryMs);
    return res.doc ?? null;
  }

  async findRun(coll: string, job: number): Promise<Record<string, unknown>[]> {
    const body: Op<"findRun"> = { coll };
    const res = await this.call<{ docs?: Record<string, unknown>[] }>(job, "findRun", body, this.times.otherRetryMs);
    return Array.isArray(res.docs) ? res.docs : [];
  }

  /** Job numbers are the hub's: a worker never allocates one. */
  async nextJob(): Promise<number> {
    throw new StoreError("a worker does not allocate run numbers: the hub gives each run its number");
  }

  async close(): Promise<void> {
    for (const job of [...this.runs.keys()]) this.unbind(job);
  }
}
