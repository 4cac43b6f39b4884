import "server-only";
import type { WorkerCaller } from "../access/access.ts";
import { db } from "../platform/db.ts";
import { AppError, conflict, notFound, validation } from "../errors.ts";
import { getResultStore } from "../results/results-store.ts";
import { storeFailureError } from "../results/store-failure.ts";
import type { RunPolicy, StoredMeta } from "../../runner/src/index.ts";
import type { StoreRequest, StoreResponse } from "../../runner/worker/protocol.ts";
import { storableCollection } from "../runs/ingest.ts";
import { isTerminal } from "../../runner/src/status.ts";
import { admitRequest } from "../queue/workers.ts";
import { runMasker } from "../secrets/run-masker.ts";

/**
 * `POST /api/worker/runs/{id}/store`: the results store for a run the worker instance holds. The
 * document's `_id.job` is the run's number and its meta is the hub's (owner, run, package), never
 * the worker's word; a collection must be storable (not the hub's own) and a document within the
 * run policy's docBytes. Mongo down → `unavailable` (503): the worker keeps it and retries;
 * the store refusing → `validation` (`storeFailureError`).
 */
export async function workerStore(caller: WorkerCaller, runId: string, req: StoreRequest): Promise<StoreResponse> {
  const worker = await admitRequest(caller, req.instance);
  const run = await db().run.findUnique({
    where: { id: runId },
    select: { id: true, number: true, status: true, workerInstance: true, policy: true, owner: { select: { username: true } }, version: { select: { package: { select: { name: true, namespace: { select: { name: true } } } } } } },
  });
  if (!run || run.workerInstance !== worker.instance) throw notFound("run");
  if (!storableCollection(req.coll)) throw validation(`collection '${req.coll.slice(0, 80)}' may not be written`);
  try {
    const store = await getResultStore();
    switch (req.op) {
      case "put":
      case "merge": {
        if (isTerminal(run.status)) throw conflict("the run has ended; it stores nothing more");
        const docBytes = (run.policy as unknown as RunPolicy | null)?.limits?.docBytes ?? 16 * 1024 * 1024;
        const size = Buffer.byteLength(JSON.stringify(req.fields));
        if (size > docBytes) throw new AppError("too_large", `the document is ${size} bytes; this run may store at most ${docBytes} per document`);
        const pkg = run.version.package;
        const meta: StoredMeta = { owner: run.owner.username, run: run.id, job: run.number, task: req.task, package: `lev.${pkg.namespace.name}.${pkg.name}`, at: new Date() };
        // masked again here: the worker's runner masked the run's secrets, but a worker is not trusted to have
        await store[req.op](req.coll, run.number, req.task, (await runMasker(run.id)).json(req.fields), meta);
        return { ok: true };
      }
      case "findOne":
        return { doc: await store.findOne(req.coll, run.number, req.task, req.query, req.projection) };
      case "findRun":
        return { docs: await store.findRun(req.coll, run.number) };
    }
  } catch (err) {
    throw storeFailureError(err);
  }
}
