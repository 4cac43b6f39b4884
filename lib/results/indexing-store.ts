import "server-only";
import type { ResultStore, StoredMeta } from "../../runner/src/index.ts";
import { indexDocument, reindexRun, type IndexWrite } from "./index-writer.ts";
import { observe, secondsSince } from "../metrics/registry.ts";

export interface IndexingOptions {
  /** writes one document into the index (tests replace it to make it fail) */
  write?: typeof indexDocument;
  /** rebuilds a run's index from the contract store */
  repair?: typeof reindexRun;
  /** how long after a failed index write its run is rebuilt */
  repairDelayMs?: number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

const REPAIR_ATTEMPTS = 3;

/**
 * The hub's ResultStore: MongoDB (FerretDB by default) stays the contract store Leviathan packages
 * read; every document it stores is then written into the PostgreSQL results index the browser
 * queries. MongoDB is written first and decides: a failed index write never fails the task or
 * loses the document — it is logged, and the run's index is rebuilt from MongoDB shortly after.
 */
export class IndexingResultStore implements ResultStore {
  private readonly write: typeof indexDocument;
  private readonly repair: typeof reindexRun;
  private readonly repairDelayMs: number;
  private readonly log: NonNullable<IndexingOptions["log"]>;
  private readonly pendingRepairs = new Map<string, { timer: NodeJS.Timeout; attempt: number }>();
  private readonly repairs = new Set<Promise<unknown>>();

  constructor(
    readonly contract: ResultStore,
    opts: IndexingOptions = {},
  ) {
    this.write = opts.write ?? indexDocument;
    this.repair = opts.repair ?? reindexRun;
    this.repairDelayMs = opts.repairDelayMs ?? 2_000;
    this.log = opts.log ?? ((msg, fields) => console.error(`[levhub] ${msg}`, fields));
  }

  async put(coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta) {
    await timed("mongodb", "put", () => this.contract.put(coll, job, task, fields, meta));
    await this.index("put", coll, job, task, fields, meta);
  }

  async merge(coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta) {
    await timed("mongodb", "merge", () => this.contract.merge(coll, job, task, fields, meta));
    await this.index("merge", coll, job, task, fields, meta);
  }

  findOne(...args: Parameters<ResultStore["findOne"]>) {
    return this.contract.findOne(...args);
  }

  findRun(coll: string, job: number) {
    return this.contract.findRun(coll, job);
  }

  nextJob() {
    return this.contract.nextJob();
  }

  /** Waits for scheduled repairs to finish, then closes the contract store. */
  async close() {
    for (const { timer } of this.pendingRepairs.values()) clearTimeout(timer);
    this.pendingRepairs.clear();
    await Promise.allSettled([...this.repairs]);
    await this.contract.close();
  }

  /** Settles once no repair is scheduled or running (tests). */
  async idle(): Promise<void> {
    while (this.pendingRepairs.size || this.repairs.size) {
      await Promise.allSettled([...this.repairs]);
      if (this.pendingRepairs.size) await new Promise((r) => setTimeout(r, this.repairDelayMs / 2 + 1));
    }
  }

  private async index(mode: IndexWrite, coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta) {
    try {
      await timed("index", mode, () => this.write(mode, coll, job, task, fields, meta));
    } catch (err) {
      this.log("results index write failed; the run's index is rebuilt from MongoDB", { coll, job, task, run: meta.run, error: errorText(err) });
      this.scheduleRepair(meta.run, 1);
    }
  }

  private scheduleRepair(runId: string, attempt: number) {
    const pending = this.pendingRepairs.get(runId);
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.pendingRepairs.delete(runId);
      const p = this.repair(this.contract, runId)
        .then(({ documents }) => this.log("results index rebuilt for a run", { run: runId, documents }))
        .catch((err) => {
          this.log("results index rebuild failed", { run: runId, attempt, error: errorText(err) });
          if (attempt < REPAIR_ATTEMPTS) this.scheduleRepair(runId, attempt + 1);
        })
        .finally(() => this.repairs.delete(p));
      this.repairs.add(p);
    }, this.repairDelayMs * attempt);
    timer.unref();
    this.pendingRepairs.set(runId, { timer, attempt });
  }
}

/** `write`, its latency recorded as a result write of `store` (levhub_results_write_duration_seconds). */
async function timed(store: "mongodb" | "index", op: IndexWrite, write: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  try {
    await write();
    observe("resultsWrite", { store, op, outcome: "ok" }, secondsSince(t0));
  } catch (err) {
    observe("resultsWrite", { store, op, outcome: "error" }, secondsSince(t0));
    throw err;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
