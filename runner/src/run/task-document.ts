/**
 * A finished task's document on its way to the results store: once the tool says it is final, or
 * once its container has exited. A store that is down does not lose it: the document is kept and
 * the write retried with backoff (only this task waits) until it is written, the store refuses it,
 * the retry time is over, or the run is cancelled.
 */
import { backoffMs, sleep } from "../backoff.ts";
import { storeFailureIsTransient } from "../store/store.ts";
import type { TaskHost, TaskState } from "./task-state.ts";
import type { TaskRecord } from "../types.ts";

/** Stores `doc` as task `r`'s result; returns why it could not be stored, or null. */
export async function storeTaskDocument(host: TaskHost, r: TaskRecord, doc: Record<string, unknown>): Promise<string | null> {
  const { store, storeRetryMs } = host.ctx;
  const n = r.number;
  const deadline = Date.now() + storeRetryMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await store.put(r.coll, host.facts.job, n, doc, host.meta(n));
      r.stored = true;
      host.collections.add(r.coll);
      if (attempt > 1) host.sink.system(n, `the task's document was stored (attempt ${attempt})`);
      return null;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const wait = backoffMs(attempt);
      if (!storeFailureIsTransient(err) || Date.now() + wait > deadline || host.aborted.aborted) {
        const e = `the task's document could not be stored: ${why}`;
        host.sink.system(n, e);
        return e;
      }
      if (attempt === 1) host.sink.system(n, `the results store did not take the task's document (${why}); keeping it and retrying`);
      await sleep(wait, host.aborted);
    }
  }
}

/**
 * The tool said its document is final (`done`): the write begins now, while its container exits,
 * instead of after. A task that ended meanwhile, or whose document is over the limit, is left to
 * its end.
 */
export function storeWhenFinal(host: TaskHost, state: TaskState): void {
  const channel = state.channels[0];
  if (state.storing || state.record.endedAt || !channel?.document || channel.outputError) return;
  state.storing = storeTaskDocument(host, state.record, channel.document);
}

/** The task's container has exited: its last document stored (or the write begun at `done` finished); why not, or null. */
export function storeAtEnd(host: TaskHost, state: TaskState): Promise<string | null> {
  if (state.storing) return state.storing;
  const channel = state.channels[0];
  return channel?.document && !channel.outputError ? storeTaskDocument(host, state.record, channel.document) : Promise.resolve(null);
}
