/**
 * `npm run retention -- [--dry-run]`: applies the retention settings now (what the daily job
 * does), or with --dry-run prints what it would delete: counts per kind and the oldest dates.
 */
import { connectHubDatabase } from "./hub-database.ts";

const USAGE = "usage: npm run retention -- [--dry-run]";
const args = process.argv.slice(2);
if (args.some((a) => a !== "--dry-run")) {
  console.error(USAGE);
  process.exit(2);
}
const dryRun = args.includes("--dry-run");

const db = await connectHubDatabase();
if (!db.ok) {
  console.error(db.problem);
  process.exit(2);
}
try {
  const { retentionPlan, applyRetention } = await import("../lib/retention/retention.ts");
  const { RETENTION_KINDS } = await import("../lib/retention/policy.ts");
  const result = dryRun ? { plan: await retentionPlan(), deleted: null } : await applyRetention(null);
  console.log(dryRun ? "Would delete (dry run):" : "Deleted:");
  for (const k of RETENTION_KINDS) {
    const cut = result.plan.cutoffs[k];
    const p = result.plan.kinds[k];
    const n = result.deleted ? result.deleted[k] : p.count;
    console.log(`  ${k.padEnd(16)} ${cut ? `${String(n).padStart(7)}${p.oldest ? `  oldest ${p.oldest}` : ""}  (older than ${cut})` : "      -  kept for ever"}`);
  }
  for (const k of result.plan.kept) console.log(`  kept: ${k.runs} run(s)' documents: ${k.reason}`);
} finally {
  const { closeResultsPool } = await import("../lib/results/pg.ts");
  await closeResultsPool().catch(() => undefined);
  const { disconnectDb } = await import("../lib/platform/db.ts");
  await disconnectDb().catch(() => undefined);
  await db.started?.stop();
}
