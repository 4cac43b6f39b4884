import "server-only";
import type { JobWithMetadata } from "pg-boss";
import { getBoss } from "../queue/boss.ts";
import { attemptDelivery } from "./deliver.ts";
import { dispatchEvents, nextAttemptAt, NOTIFY_QUEUE, NOTIFY_RETRY, type NotifyRetry } from "./dispatch.ts";
import type { Resolver } from "./transport.ts";

/**
 * The notifications' background work in a hub process (npm start): the dispatcher moving the
 * outbox into `levhub-notify` jobs, and the queue's workers making the attempts. Several hub
 * processes share both safely (SKIP LOCKED; pg-boss hands a job to one worker). Fully apart from
 * runs: a slow or failing endpoint holds up only its own deliveries.
 */

export interface NotifierOptions {
  retry?: NotifyRetry;
  /** how often the outbox is read when it was empty */
  dispatchEveryMs?: number;
  /** deliveries in flight at once in this process */
  concurrency?: number;
  pollingIntervalSeconds?: number;
  resolve?: Resolver;
}

export async function startNotifier(opts: NotifierOptions = {}): Promise<{ stop: () => Promise<void> }> {
  const retry = opts.retry ?? NOTIFY_RETRY;
  const boss = await getBoss();
  if (!(await boss.getQueue(NOTIFY_QUEUE))) await boss.createQueue(NOTIFY_QUEUE, { policy: "standard" });
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const dispatchLoop = async () => {
    timer = null;
    let more = false;
    try {
      more = (await dispatchEvents(boss, retry)).events > 0;
    } catch (err) {
      console.error("[levhub] notifications: dispatch:", err instanceof Error ? err.message : err);
    }
    if (!stopped) timer = setTimeout(dispatchLoop, more ? 0 : (opts.dispatchEveryMs ?? 1000));
  };
  void dispatchLoop();
  const workerId = await boss.work(
    NOTIFY_QUEUE,
    { batchSize: 1, includeMetadata: true as const, localConcurrency: opts.concurrency ?? 8, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 1 },
    async ([job]: JobWithMetadata<{ deliveryId: string }>[]) => {
      const last = job.retryCount >= job.retryLimit;
      const result = await attemptDelivery(job.data.deliveryId, { previous: job.retryCount, last, nextAt: nextAttemptAt(retry, job.retryCount), resolve: opts.resolve });
      // throwing is how pg-boss is told to retry (with its backoff); the row already says why
      if (result === "retry") throw new Error("delivery failed; retrying");
    },
  );
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await boss.offWork(NOTIFY_QUEUE, { id: workerId }).catch(() => undefined);
    },
  };
}
