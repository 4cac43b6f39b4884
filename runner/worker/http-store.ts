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
import { INSTANCE_HEADER, type StoreRequest } from "./protocol.ts";

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
}

type Op<T extends StoreRequest["op"]> = Omit<Extract<StoreRequest, { op: T }>, "instance" | "op">;

export class HttpResultStore implements ResultStore {
  private readonly runs = new Map<number, Bound>();

  constructor(
    private readonly hub: HubClient,
    private readonly times: HttpStoreTimes = DEFAULT_STORE_TIMES,
  ) {}

  /** Run `runId` (number `job`), held by `instance`, stores through here until `unbind`. */
  bind(job: number, runId: string, instance: string): void {
    this.runs.get(job)?.ended.abort();
    this.runs.set(job, { runId, instance, ended: new AbortController() });
  }

  unbind(job: number): void {
    this.runs.get(job)?.ended.abort();
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

  async put(coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta): Promise<void> {
    const body: Op<"put"> = { coll, task, fields, meta: HttpResultStore.meta(meta) };
    await this.call(job, "put", body, this.times.putRetryMs);
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
