import "server-only";
import { MongoResultStore, type ResultStore, type StoredDocument, type StoredMeta } from "../../runner/src/index.ts";
import { indexDocument, indexDocuments, reindexRun, type IndexWrite } from "./index-writer.ts";
import { observe, secondsSince } from "../metrics/registry.ts";
import { deriveDocument, indexedDocument, rederiveRun, runMaps } from "../findings/ingest.ts";

export interface IndexingOptions {
  /** writes one document into the index (tests replace it to make it fail) */
  write?: typeof indexDocument;
  /** writes several documents of one run into the index */
  writeMany?: typeof indexDocuments;
  /** rebuilds a run's index from the contract store */
  repair?: typeof reindexRun;
  /** maps one stored document into its project's assets and findings (lib/findings/ingest.ts) */
  derive?: (mode: IndexWrite, coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta) => Promise<unknown>;
  /** maps a run's indexed documents again */
  rederive?: typeof rederiveRun;
  /** how long after a failed index write its run is rebuilt */
  repairDelayMs?: number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

const REPAIR_ATTEMPTS = 3;

/**
 * Maps a stored document into assets and findings: a put's fields are the whole document; after a
 * merge, the index holds the merged one (read only when the collection maps to anything).
 */
export async function deriveStored(mode: IndexWrite, coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta): Promise<unknown> {
  if (mode === "merge" && !(await runMaps(meta.run, coll))) return null;
  const doc = mode === "put" ? fields : await indexedDocument(coll, job, task);
  return deriveDocument({ runId: meta.run, coll, job, task }, doc);
}

/**
 * The hub's ResultStore: MongoDB (FerretDB by default) stays the contract store Leviathan packages
 * read; every document it stores is then written into the PostgreSQL results index the browser
 * queries, and mapped into its project's assets and findings. MongoDB is written first and decides:
 * a failed index write or mapping never fails the task or loses the document — it is logged, and
 * the run's index is rebuilt from MongoDB (and its documents mapped again) shortly after.
 */
export class IndexingResultStore implements ResultStore {
  private readonly write: typeof indexDocument;
  private readonly writeMany: typeof indexDocuments;
  private readonly repair: typeof reindexRun;
  private readonly derive: NonNullable<IndexingOptions["derive"]>;
  private readonly rederive: typeof rederiveRun;
  private readonly repairDelayMs: number;
  private readonly log: NonNullable<IndexingOptions["log"]>;
  /** per run: the repair scheduled, and whether its index must be rebuilt first (else only its mapping) */
  private readonly pendingRepairs = new Map<string, { timer: NodeJS.Timeout; attempt: number; index: boolean }>();
  private readonly repairs = new Set<Promise<unknown>>();

  constructor(
    readonly contract: ResultStore,
    opts: IndexingOptions = {},
  ) {
    this.write = opts.write ?? indexDocument;
    this.writeMany = opts.writeMany ?? indexDocuments;
    this.repair = opts.repair ?? reindexRun;
    this.derive = opts.derive ?? deriveStored;
    this.rederive = opts.rederive ?? rederiveRun;
    this.repairDelayMs = opts.repairDelayMs ?? 2_000;
    this.log = opts.log ?? ((msg, fields) => console.error(`[levhub] ${msg}`, fields));
  }

  async put(coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta) {
    await timed("mongodb", "put", () => this.contract.put(coll, job, task, fields, meta));
    await this.index("put", coll, job, task, fields, meta);
  }

  /**
   * Several documents of one run at once: one bulk write to MongoDB (when the contract store has
   * it), then each into the index and its mapping as a `put` would.
   */
  async putMany(docs: StoredDocument[]) {
    if (docs.length === 0) return;
    const contract = this.contract;
    if (contract instanceof MongoResultStore) await timed("mongodb", "put", () => contract.putMany(docs));
    else for (const d of docs) await timed("mongodb", "put", () => contract.put(d.coll, d.job, d.task, d.fields, d.meta));
    const run = docs[0].meta.run;
    try {
      await timed("index", "put", () => this.writeMany(docs, docs[0].meta));
    } catch (err) {
      this.log("results index write failed; the run's index is rebuilt from MongoDB", { documents: docs.length, run, error: errorText(err) });
      this.scheduleRepair(run, 1, true);
      return;
    }
    for (const d of docs) await this.mapped(d.coll, d.job, d.task, d.fields, d.meta);
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
      this.scheduleRepair(meta.run, 1, true);
      return;
    }
    await this.mapped(coll, job, task, fields, meta, mode);
  }

  /** Maps an indexed document into assets and findings; a failure is repaired later, never thrown. */
  private async mapped(coll: string, job: number, task: number, fields: Record<string, unknown>, meta: StoredMeta, mode: IndexWrite = "put") {
    try {
      await this.derive(mode, coll, job, task, fields, meta);
    } catch (err) {
      this.log("mapping a document to assets and findings failed; the run's documents are mapped again", { coll, job, task, run: meta.run, error: errorText(err) });
      this.scheduleRepair(meta.run, 1, false);
    }
  }

  private scheduleRepair(runId: string, attempt: number, index: boolean) {
    const pending = this.pendingRepairs.get(runId);
    if (pending) clearTimeout(pending.timer);
    const rebuild = index || (pending?.index ?? false);
    const timer = setTimeout(() => {
      this.pendingRepairs.delete(runId);
      const p = (async () => {
        if (rebuild) {
          const { documents } = await this.repair(this.contract, runId);
          this.log("results index rebuilt for a run", { run: runId, documents });
        }
        const { documents } = await this.rederive(runId);
        if (documents || !rebuild) this.log("a run's documents mapped to assets and findings again", { run: runId, documents });
      })()
        .catch((err) => {
          this.log(rebuild ? "results index rebuild failed" : "mapping a run's documents again failed", { run: runId, attempt, error: errorText(err) });
          if (attempt < REPAIR_ATTEMPTS) this.scheduleRepair(runId, attempt + 1, rebuild);
        })
        .finally(() => this.repairs.delete(p));
      this.repairs.add(p);
    }, this.repairDelayMs * attempt);
    timer.unref();
    this.pendingRepairs.set(runId, { timer, attempt, index: rebuild });
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
