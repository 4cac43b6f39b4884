/**
 * The notification burst, shared by `npm run bench:notify` (prints it) and bench:findings' notify
 * part (benchNotify: its figures against the issue's targets). A burst goes through the real path —
 * outbox rows written as runs write them, the dispatcher, pg-boss's `levhub-notify` queue with its
 * retries, the webhook transport — to a receiver on 127.0.0.1 (allow-listed for the burst) that
 * answers every second request 503: an endpoint failing half the time. Retries back off from 1 s
 * (capped at 4 s) instead of the product's 15 s so a burst ends in minutes; the number of attempts
 * is the product's.
 *
 * Runs against the database the process's lib points at (a throwaway hub); stops pg-boss when done.
 * Imports lib/ modules that import "server-only": run node with `--conditions=react-server`.
 */
import type { Figure } from "../bench-hub/common.ts";
import { startWebhookReceiver } from "../../lib/testing/webhook-receiver.ts";
import type { Viewer } from "../../lib/types.ts";
import type { FindingsBench } from "./context.ts";

export interface NotifyBurst {
  /** events written to the outbox, one delivery each */
  count: number;
  /** attempts a delivery may take (the product's) */
  attemptsAllowed: number;
  /** distinct delivery ids the receiver answered 2xx */
  delivered: number;
  /** neither delivered nor in the dead letter */
  lost: number;
  dead: number;
  /** a 2xx for an id already answered 2xx (at-least-once: a receiver dedupes on X-Levhub-Delivery) */
  duplicates: number;
  requests: number;
  answered503: number;
  avgAttempts: number;
  maxAttempts: number;
  /** delivery rows by status */
  byStatus: Record<string, number>;
  /** events the dispatcher never turned into deliveries */
  undispatched: number;
  /** deliveries delivered or dead when the wait ended */
  settled: number;
  /** from the first dispatch to the last settled delivery */
  seconds: number;
}

/**
 * `count` `run.failed` events in a new team project `slug` of `owner` with one webhook rule, then
 * the notifier until every delivery is delivered or dead (or `deadlineMs` passed).
 */
export async function notifyBurst(owner: Viewer, opts: { count: number; slug: string; deadlineMs?: number }): Promise<NotifyBurst> {
  const { count, slug } = opts;
  const deadlineMs = opts.deadlineMs ?? 15 * 60_000;
  const { db } = await import("../../lib/platform/db.ts");
  const { updateSettings } = await import("../../lib/platform/settings.ts");
  const { teamProject } = await import("../../lib/testing/projects.ts");
  const { createProjectRule } = await import("../../lib/notify/rules.ts");
  const { recordProjectEvent } = await import("../../lib/events/events.ts");
  const { startNotifier } = await import("../../lib/notify/notifier.ts");
  const { NOTIFY_RETRY } = await import("../../lib/notify/dispatch.ts");
  const { stopBoss } = await import("../../lib/queue/boss.ts");
  const receiver = await startWebhookReceiver({ failEvery: 2 });
  try {
    const projectId = await teamProject(owner, slug, []);
    await updateSettings({ notify: { allowHosts: [`127.0.0.1:${receiver.port}`], smtp: null } });
    const { rule } = await createProjectRule(owner, slug, { name: "bench", channel: "webhook", url: `${receiver.url}/hook`, events: ["run.failed"], minSeverity: null });
    // the burst: events written as runs write them, 100 to a transaction
    for (let i = 0; i < count; i += 100) {
      await db().$transaction(async (tx) => {
        for (let n = i; n < Math.min(count, i + 100); n++) {
          await recordProjectEvent(tx, { projectId, type: "run.failed", data: { run: { id: `r${n}`, number: n + 1, function: "bench.fail", package: "bench/bench" }, error: { type: "ToolError", message: "bench" } } });
        }
      });
    }
    const started = Date.now();
    const notifier = await startNotifier({ retry: { attempts: NOTIFY_RETRY.attempts, delaySeconds: 1, maxDelaySeconds: 4 }, dispatchEveryMs: 100, pollingIntervalSeconds: 0.5, concurrency: 8 });
    let settled = 0;
    try {
      while (Date.now() - started < deadlineMs) {
        settled = await db().notificationDelivery.count({ where: { ruleId: rule.id, status: { in: ["delivered", "dead"] } } });
        if (settled === count) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await notifier.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    const ok = receiver.received.filter((h) => h.status >= 200 && h.status < 300);
    const ids = new Set(ok.map((h) => String(h.headers["x-levhub-delivery"])));
    const rows = await db().notificationDelivery.groupBy({ by: ["status"], where: { ruleId: rule.id }, _count: true });
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r._count]));
    const attempts = await db().notificationDelivery.aggregate({ where: { ruleId: rule.id }, _max: { attempts: true }, _avg: { attempts: true } });
    const undispatched = await db().projectEvent.count({ where: { projectId, deliveredAt: null } });
    const dead = byStatus.dead ?? 0;
    return {
      count,
      attemptsAllowed: NOTIFY_RETRY.attempts,
      delivered: ids.size,
      lost: count - ids.size - dead,
      dead,
      duplicates: ok.length - ids.size,
      requests: receiver.received.length,
      answered503: receiver.received.filter((h) => h.status === 503).length,
      avgAttempts: attempts._avg.attempts ?? 0,
      maxAttempts: attempts._max.attempts ?? 0,
      byStatus,
      undispatched,
      settled,
      seconds,
    };
  } finally {
    await stopBoss();
    await receiver.close();
  }
}

/** The burst as bench:notify prints it. */
export function describeBurst(b: NotifyBurst): string[] {
  return [
    `notifications: ${b.count} events, receiver failing every second request (503), ${b.attemptsAllowed} attempts each`,
    `  delivered (distinct ids answered 2xx at the receiver): ${b.delivered}`,
    `  lost (neither delivered nor in the dead letter):        ${b.lost}`,
    `  dead letter:                                            ${b.dead}`,
    `  duplicates (a 2xx for an id already answered 2xx):      ${b.duplicates}`,
    `  requests: ${b.requests} (${b.answered503} answered 503); attempts per delivery avg ${b.avgAttempts.toFixed(2)}, max ${b.maxAttempts}`,
    `  log: ${JSON.stringify(b.byStatus)}; events not dispatched: ${b.undispatched}; settled ${b.settled}/${b.count}`,
    `  time: ${b.seconds.toFixed(1)} s from the first dispatch to the last settled delivery (${(b.count / b.seconds).toFixed(1)} notifications/s)`,
  ];
}

const COUNT = Number(process.env.BENCH_NOTIFY_COUNT ?? 1000);

/** bench:findings' notify part: the burst against the issue's targets (all delivered, none lost, none dead). */
export async function benchNotify(ctx: FindingsBench): Promise<Figure[]> {
  ctx.say(`notify: ${COUNT} run.failed events to a receiver on 127.0.0.1 answering every second request 503`);
  const b = await notifyBurst(ctx.viewer, { count: COUNT, slug: "bench-notify" });
  for (const line of describeBurst(b)) ctx.say(line);
  const n = COUNT.toLocaleString("en-US");
  return [
    { figure: `notifications delivered of ${n}, endpoint failing every second request (distinct ids answered 2xx)`, target: n, measured: String(b.delivered), met: b.delivered === COUNT },
    { figure: "notifications lost (neither delivered nor dead)", target: "0", measured: String(b.lost), met: b.lost === 0 },
    { figure: `notifications dead after ${b.attemptsAllowed} attempts`, target: "0", measured: String(b.dead), met: b.dead === 0 },
    { figure: "duplicate 2xx for one delivery id (at-least-once; receivers dedupe on the id)", target: "—", measured: String(b.duplicates), met: null },
    { figure: "requests made / answered 503; attempts per delivery avg, max", target: "—", measured: `${b.requests} / ${b.answered503}; ${b.avgAttempts.toFixed(2)}, ${b.maxAttempts}`, met: null },
    { figure: `time from the first dispatch to the last settled delivery (retries from 1 s, capped at 4 s)`, target: "—", measured: `${b.seconds.toFixed(1)} s (${(COUNT / b.seconds).toFixed(1)}/s)`, met: null },
  ];
}
