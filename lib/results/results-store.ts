import "server-only";
import { MongoResultStore, StoreError, type ResultStore, type StoredDocument } from "../../runner/src/index.ts";
import { mongoUri } from "../platform/config.ts";
import { AppError } from "../errors.ts";
import { IndexingResultStore } from "./indexing-store.ts";

const g = globalThis as typeof globalThis & { __levhubStore?: Promise<ResultStore> };

/**
 * The hub's one way to the results store (MongoDB/FerretDB): run numbers, the documents workers
 * send through `/api/worker/runs/{id}/store`, the run page's documents. Connected on first use;
 * unreachable → AppError `unavailable` (a worker keeps its documents and retries).
 */
export function getResultStore(): Promise<ResultStore> {
  if (!g.__levhubStore) {
    // every stored document also goes into the PostgreSQL results index the browser queries
    g.__levhubStore = MongoResultStore.connect(mongoUri()).then((mongo): ResultStore => new IndexingResultStore(mongo)).catch((err: unknown) => {
      g.__levhubStore = undefined;
      if (err instanceof StoreError) {
        console.error("[levhub] results store:", err.message);
        throw new AppError("unavailable", "the results database (MongoDB) does not answer; try again later", { cause: err });
      }
      throw err;
    });
  }
  return g.__levhubStore;
}

/** Several documents of one run through the hub's store: one bulk write where the store has it, else one put each. */
export async function putDocuments(docs: StoredDocument[]): Promise<void> {
  const store = await getResultStore();
  if (store instanceof IndexingResultStore) return store.putMany(docs);
  for (const d of docs) await store.put(d.coll, d.job, d.task, d.fields, d.meta);
}

/** Resolves when the results store answers a ping (readiness); connects first if needed. */
export async function pingResultStore(): Promise<void> {
  const store = await getResultStore();
  const contract = store instanceof IndexingResultStore ? store.contract : store;
  if (contract instanceof MongoResultStore) await contract.ping();
}

export async function closeResultStore(): Promise<void> {
  const p = g.__levhubStore;
  g.__levhubStore = undefined;
  const store = await p?.catch(() => null);
  await store?.close().catch(() => undefined);
}
