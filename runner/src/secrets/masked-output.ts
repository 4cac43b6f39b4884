/**
 * The runner's outputs with a run's secrets masked (secrets/mask.ts): its errors as recorded, and
 * a results store that masks every document on its way in, so that neither the store nor the
 * workflow reading it back (`find_one`) ever holds a secret a tool printed into its document.
 */
import type { ResultStore } from "../store/store.ts";
import type { RunError } from "../types.ts";
import type { SecretMasker } from "./mask.ts";

export function maskError<E extends RunError>(masker: SecretMasker, error: E): E {
  if (masker.empty) return error;
  return { ...error, message: masker.text(error.message), ...(error.traceback ? { traceback: masker.text(error.traceback) } : {}) };
}

/** `store` with every document masked before it is written. */
export function maskingStore(store: ResultStore, masker: SecretMasker): ResultStore {
  return {
    put: (coll, job, task, fields, meta) => store.put(coll, job, task, masker.json(fields), meta),
    merge: (coll, job, task, fields, meta) => store.merge(coll, job, task, masker.json(fields), meta),
    findOne: (coll, job, task, query, projection) => store.findOne(coll, job, task, query, projection),
    findRun: (coll, job) => store.findRun(coll, job),
    nextJob: () => store.nextJob(),
    close: () => store.close(),
  };
}
