import "server-only";
import { randomUUID } from "node:crypto";
import type { PgBoss } from "pg-boss";
import { db } from "../platform/db.ts";
import { bossDb } from "../queue/boss.ts";
import type { FindingSeverity } from "../schemas/finding-vocabulary.ts";
import { ruleMatches } from "./match.ts";

/**
 * The outbox → queue step: undelivered project events are read under `FOR UPDATE SKIP LOCKED`,
 * matched against the rules, and in the same transaction each match becomes a delivery row and a
 * `levhub-notify` job while the event is marked dispatched (`deliveredAt`). Either all of that
 * commits or none: no event is lost, none is dispatched twice (the (rule, event) pair is unique
 * too). Nothing here runs in a run's transaction: the run only wrote the outbox row.
 */

export const NOTIFY_QUEUE = "levhub-notify";

/**
 * Attempts per delivery and the exponential backoff between them: 20 attempts over about 3.5 hours.
 * Twenty, not ten: against an endpoint failing every second request a delivery fails all of ten
 * attempts one time in 1,024, so a burst of 1,000 left one in the dead letter (bench:findings).
 */
export const NOTIFY_RETRY = { attempts: 20, delaySeconds: 15, maxDelaySeconds: 900 } as const;
export type NotifyRetry = { attempts: number; delaySeconds: number; maxDelaySeconds: number };

/** When pg-boss's backoff is expected to make attempt `previous + 2` (its jitter aside). */
export function nextAttemptAt(retry: NotifyRetry, previous: number, now = Date.now()): Date {
  return new Date(now + 1000 * Math.min(retry.maxDelaySeconds, retry.delaySeconds * 2 ** previous));
}

interface EventRow {
  id: bigint;
  projectId: string;
  type: string;
  data: unknown;
}

/** Dispatches up to `limit` events; how many events it took (0: the outbox is empty). */
export async function dispatchEvents(boss: PgBoss, retry: NotifyRetry = NOTIFY_RETRY, limit = 200): Promise<{ events: number; deliveries: number }> {
  return db().$transaction(
    async (tx) => {
      const events = await tx.$queryRaw<EventRow[]>`
        SELECT "id", "projectId", "type", "data" FROM "ProjectEvent"
        WHERE "deliveredAt" IS NULL ORDER BY "id" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
      if (!events.length) return { events: 0, deliveries: 0 };
      const projectIds = [...new Set(events.map((e) => e.projectId))];
      const rules = await tx.notificationRule.findMany({
        where: { enabled: true, OR: [{ projectId: { in: projectIds } }, { projectId: null }] },
        select: { id: true, projectId: true, userId: true, enabled: true, eventTypes: true, minSeverity: true },
      });
      // a user rule hears the projects its user is a member of now
      const userIds = [...new Set(rules.filter((r) => !r.projectId && r.userId).map((r) => r.userId!))];
      const members = userIds.length ? await tx.projectMember.findMany({ where: { userId: { in: userIds }, projectId: { in: projectIds } }, select: { userId: true, projectId: true } }) : [];
      const reads = new Set(members.map((m) => `${m.userId} ${m.projectId}`));
      const rows: { id: string; ruleId: string; eventId: bigint; projectId: string; eventType: string }[] = [];
      for (const e of events) {
        for (const r of rules) {
          const rule = { ...r, minSeverity: r.minSeverity as FindingSeverity | null };
          if (ruleMatches(e, rule, reads.has(`${r.userId} ${e.projectId}`))) rows.push({ id: randomUUID(), ruleId: r.id, eventId: e.id, projectId: e.projectId, eventType: e.type });
        }
      }
      if (rows.length) {
        await tx.notificationDelivery.createMany({ data: rows });
        await boss.insert(
          NOTIFY_QUEUE,
          rows.map((r) => ({ data: { deliveryId: r.id }, retryLimit: retry.attempts - 1, retryDelay: retry.delaySeconds, retryBackoff: true, retryDelayMax: retry.maxDelaySeconds })),
          { db: bossDb(tx) },
        );
      }
      await tx.projectEvent.updateMany({ where: { id: { in: events.map((e) => e.id) } }, data: { deliveredAt: new Date() } });
      return { events: events.length, deliveries: rows.length };
    },
    { timeout: 60_000 },
  );
}
