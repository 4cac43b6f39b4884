import "server-only";
import { audit } from "./audit.ts";
import { db } from "./db.ts";
import { getSettings, updateSettings } from "./settings.ts";

/**
 * The audit trail's retention (HubSettings.retention.auditDays, Admin → Retention): rows older
 * than that many days are deleted by the janitor, at most once an hour and in batches, under a
 * lock so one process does it. null keeps everything.
 */
const RETENTION_LOCK = 72132;
const BATCH = 10_000;
const EVERY_MS = 3600_000;

const g = globalThis as typeof globalThis & { __levhubAuditPrunedAt?: number };

/** Deletes the audit rows older than the retention; returns how many. */
export async function pruneAudit(now = new Date()): Promise<number> {
  const days = (await getSettings()).retention.auditDays;
  if (days === null) return 0;
  const cutoff = new Date(now.getTime() - days * 24 * 3600_000);
  let deleted = 0;
  for (;;) {
    const n = await db().$transaction(async (tx) => {
      const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${RETENTION_LOCK}) AS locked`;
      if (!locked) return 0;
      return tx.$executeRaw`DELETE FROM "AuditEvent" WHERE id IN (SELECT id FROM "AuditEvent" WHERE "createdAt" < ${cutoff} ORDER BY id LIMIT ${BATCH})`;
    });
    deleted += n;
    if (n < BATCH) return deleted;
  }
}

/** The janitor's call: prunes when an hour has passed since this process last did. */
export async function pruneAuditHourly(now = new Date()): Promise<void> {
  if (g.__levhubAuditPrunedAt && now.getTime() - g.__levhubAuditPrunedAt < EVERY_MS) return;
  g.__levhubAuditPrunedAt = now.getTime();
  await pruneAudit(now);
}

/** Admin → Retention: how many days of audit events to keep (null: all). */
export async function setAuditRetention(adminId: string, auditDays: number | null): Promise<number | null> {
  const current = (await getSettings()).retention;
  const before = current.auditDays;
  // the section's other retentions stay as they are
  const next = await updateSettings({ retention: { ...current, auditDays } });
  await audit(adminId, "settings.retention", null, { audit: { before, after: next.retention.auditDays } });
  return next.retention.auditDays;
}
