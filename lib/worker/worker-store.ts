import "server-only";
import { AppError, conflict, validation } from "../errors.ts";
import { getResultStore, putDocuments } from "../results/results-store.ts";
import { storeFailureError } from "../results/store-failure.ts";
import type { StoredDocument, StoredMeta } from "../../runner/src/index.ts";
import type { StoreRequest, StoreResponse } from "../../runner/worker/protocol.ts";
import { noteStoredCollection } from "../runs/ingest.ts";
import { storableCollection, taskOverQuota } from "../runs/report-limits.ts";
import { isTerminal } from "../../runner/src/status.ts";
import { checkBodyInstance } from "../queue/workers.ts";
import type { AdmittedRun } from "./admission.ts";
import { runMasker } from "../secrets/run-masker.ts";

/**
 * `POST /api/worker/runs/{id}/store` of an admitted instance holding the run (lib/worker/admission.ts:
 * the body was read only up to the run's docBytes and the request around it): the results store for
 * that run. The document's `_id.job` is the run's number and its meta is the hub's (owner, run,
 * package), never the worker's word; a collection must be storable (not the hub's own) and within
 * the run's cap of collections (past it the run ends, QuotaExceeded), a task number within its
 * maxTasks, a document within its docBytes. Mongo down → `unavailable` (503): the worker keeps it
 * and retries; the store refusing → `validation` (`storeFailureError`).
 */
export async function workerStore(admitted: AdmittedRun, req: StoreRequest): Promise<StoreResponse> {
  const { worker, run } = admitted;
  checkBodyInstance(worker, req.instance);
  if (req.op === "putMany") return putMany(admitted, req);
  if (!storableCollection(req.coll)) throw validation(`collection '${req.coll.slice(0, 80)}' may not be written`);
  if (req.op !== "findRun") {
    const over = taskOverQuota(req.task, run.limits);
    if (over) throw validation(over);
  }
  if (req.op === "put" || req.op === "merge") {
    if (isTerminal(run.status)) throw conflict("the run has ended; it stores nothing more");
    const docBytes = run.limits.docBytes;
    const size = Buffer.byteLength(JSON.stringify(req.fields));
    if (size > docBytes) throw new AppError("too_large", `the document is ${size} bytes; this run may store at most ${docBytes} per document`);
    // the database's own failures are the route's to answer (503), not the results store's;
    // a collection the run had already written into needs no note (collections only grow)
    if (!run.collections.includes(req.coll)) await noteStoredCollection(run.id, worker.instance, req.coll);
  }
  try {
    switch (req.op) {
      case "put":
      case "merge": {
        const meta: StoredMeta = { owner: run.owner, run: run.id, job: run.number, task: req.task, package: run.package, at: new Date() };
        // masked again here: the worker's runner masked the run's secrets, but a worker is not trusted to have
        await (await getResultStore())[req.op](req.coll, run.number, req.task, (await runMasker(run.id)).json(req.fields), meta);
        return { ok: true };
      }
      case "findOne":
        return { doc: await (await getResultStore()).findOne(req.coll, run.number, req.task, req.query, req.projection) };
      case "findRun":
        return { docs: await (await getResultStore()).findRun(req.coll, run.number) };
    }
  } catch (err) {
    throw storeFailureError(err);
  }
}

/**
 * `putMany` (protocol 4): several documents of the run, each checked as a `put` is (storable
 * collection, task within maxTasks, document within docBytes) and all of them together within
 * docBytes, before anything is written; then each collection noted once, the secrets masked, and
 * one bulk write. One refused document refuses the request (the worker then sends them one by one,
 * so each gets its own answer).
 */
async function putMany({ worker, run }: AdmittedRun, req: Extract<StoreRequest, { op: "putMany" }>): Promise<StoreResponse> {
  if (isTerminal(run.status)) throw conflict("the run has ended; it stores nothing more");
  const docBytes = run.limits.docBytes;
  let total = 0;
  for (const d of req.docs) {
    if (!storableCollection(d.coll)) throw validation(`collection '${d.coll.slice(0, 80)}' may not be written`);
    const over = taskOverQuota(d.task, run.limits);
    if (over) throw validation(over);
    const size = Buffer.byteLength(JSON.stringify(d.fields));
    if (size > docBytes) throw new AppError("too_large", `the document of task ${d.task} is ${size} bytes; this run may store at most ${docBytes} per document`);
    total += size;
  }
  if (total > docBytes) throw new AppError("too_large", `the documents are ${total} bytes together; one request may carry at most ${docBytes} (send fewer at once)`);
  for (const coll of new Set(req.docs.map((d) => d.coll))) if (!run.collections.includes(coll)) await noteStoredCollection(run.id, worker.instance, coll);
  const masker = await runMasker(run.id);
  const at = new Date();
  const docs: StoredDocument[] = req.docs.map((d) => ({
    coll: d.coll,
    job: run.number,
    task: d.task,
    fields: masker.json(d.fields),
    meta: { owner: run.owner, run: run.id, job: run.number, task: d.task, package: run.package, at },
  }));
  try {
    await putDocuments(docs);
    return { ok: true };
  } catch (err) {
    throw storeFailureError(err);
  }
}
