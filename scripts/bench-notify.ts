/**
 * `npm run bench:notify`: a burst of notifications through the real path — outbox rows, the
 * dispatcher, pg-boss's `levhub-notify` queue with its retries, the webhook transport — to a local
 * receiver on 127.0.0.1 (allow-listed) that answers every second request 503, on a throwaway hub
 * (embedded PostgreSQL). Prints delivered / lost / dead / duplicates and the time; asserts nothing.
 * BENCH_NOTIFY_COUNT (1000) events; retries back off from 1 s (capped at 4 s) instead of the
 * product's 15 s so the bench ends in minutes; the number of attempts is the product's.
 */
import { startTestHub } from "../lib/testing/hub.ts";
import { startWebhookReceiver } from "../lib/testing/webhook-receiver.ts";

const COUNT = Number(process.env.BENCH_NOTIFY_COUNT ?? 1000);
const DEADLINE_MS = 15 * 60_000;

async function main() {
  const hub = await startTestHub();
  const receiver = await startWebhookReceiver({ failEvery: 2 });
  const { db } = await import("../lib/platform/db.ts");
  const { updateSettings } = await import("../lib/platform/settings.ts");
  const { signUpTestUsers } = await import("../lib/testing/accounts.ts");
  const { teamProject } = await import("../lib/testing/projects.ts");
  const { createProjectRule } = await import("../lib/notify/rules.ts");
  const { recordProjectEvent } = await import("../lib/events/events.ts");
  const { startNotifier } = await import("../lib/notify/notifier.ts");
  const { NOTIFY_RETRY } = await import("../lib/notify/dispatch.ts");
  const { stopBoss } = await import("../lib/queue/boss.ts");
  try {
    const { alice } = await signUpTestUsers();
    const projectId = await teamProject(alice, "bench", []);
    await updateSettings({ notify: { allowHosts: [`127.0.0.1:${receiver.port}`], smtp: null } });
    const { rule } = await createProjectRule(alice, "bench", { name: "bench", channel: "webhook", url: `${receiver.url}/hook`, events: ["run.failed"], minSeverity: null });
    // the burst: COUNT events written as runs write them, 100 to a transaction
    for (let i = 0; i < COUNT; i += 100) {
      await db().$transaction(async (tx) => {
        for (let n = i; n < Math.min(COUNT, i + 100); n++) {
          await recordProjectEvent(tx, { projectId, type: "run.failed", data: { run: { id: `r${n}`, number: n + 1, function: "bench.fail", package: "bench/bench" }, error: { type: "ToolError", message: "bench" } } });
        }
      });
    }
    const started = Date.now();
    const notifier = await startNotifier({ retry: { attempts: NOTIFY_RETRY.attempts, delaySeconds: 1, maxDelaySeconds: 4 }, dispatchEveryMs: 100, pollingIntervalSeconds: 0.5, concurrency: 8 });
    let settled = 0;
    while (Date.now() - started < DEADLINE_MS) {
      settled = await db().notificationDelivery.count({ where: { ruleId: rule.id, status: { in: ["delivered", "dead"] } } });
      if (settled === COUNT) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (Date.now() - started) / 1000;
    await notifier.stop();
    const ok = receiver.received.filter((h) => h.status >= 200 && h.status < 300);
    const ids = new Set(ok.map((h) => String(h.headers["x-levhub-delivery"])));
    const rows = await db().notificationDelivery.groupBy({ by: ["status"], where: { ruleId: rule.id }, _count: true });
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r._count]));
    const attempts = await db().notificationDelivery.aggregate({ where: { ruleId: rule.id }, _max: { attempts: true }, _avg: { attempts: true } });
    const undispatched = await db().projectEvent.count({ where: { projectId, deliveredAt: null } });
    console.log(`notifications: ${COUNT} events, receiver failing every second request (503), ${NOTIFY_RETRY.attempts} attempts each`);
    console.log(`  delivered (distinct ids answered 2xx at the receiver): ${ids.size}`);
    console.log(`  lost (neither delivered nor in the dead letter):        ${COUNT - ids.size - (byStatus.dead ?? 0)}`);
    console.log(`  dead letter:                                            ${byStatus.dead ?? 0}`);
    console.log(`  duplicates (a 2xx for an id already answered 2xx):      ${ok.length - ids.size}`);
    console.log(`  requests: ${receiver.received.length} (${receiver.received.filter((h) => h.status === 503).length} answered 503); attempts per delivery avg ${attempts._avg.attempts?.toFixed(2)}, max ${attempts._max.attempts}`);
    console.log(`  log: ${JSON.stringify(byStatus)}; events not dispatched: ${undispatched}; settled ${settled}/${COUNT}`);
    console.log(`  time: ${seconds.toFixed(1)} s from the first dispatch to the last settled delivery (${(COUNT / seconds).toFixed(1)} notifications/s)`);
  } finally {
    await stopBoss();
    await receiver.close();
    await hub.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
