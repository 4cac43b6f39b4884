/**
 * `npm run bench:findings` (outside CI): assets and findings at scale, on a throwaway hub of its
 * own (an embedded PostgreSQL in a temporary data dir, a database of its own on the Mongo-wire
 * store: lib/testing/hub.ts), measured through the lib functions the pages call. Parts:
 *   ingest  generated nmap documents (10,000 hosts) stored through the worker's result path
 *           (MongoDB, the results index, then the mapping) until all of it pages through
 *           (scripts/bench-findings/ingest.ts)
 *   pages   1,000,000 findings and 100,000 hosts seeded in SQL, then p50/p95 of the findings and
 *           hosts queries, quiet and 10 at once (scripts/bench-findings/pages.ts)
 *   notify  1,000 notifications delivered through the outbox, the queue and the webhook
 *           transport to a receiver failing every second request (scripts/bench-findings/notify.ts;
 *           `npm run bench:notify` runs the same burst alone)
 * Prints one table: figure, target, measured, met? Asserts nothing.
 *
 *   LEVHUB_BENCH_PARTS  which parts run, comma-separated (default: ingest,pages,notify)
 * Imports lib/ modules that import "server-only": run node with `--conditions=react-server`.
 */
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startTestHub } from "../lib/testing/hub.ts";
import { printFigures, type Figure } from "./bench-hub/common.ts";
import type { FindingsBench } from "./bench-findings/context.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const say = (msg: string) => console.log(`[bench] ${msg}`);
const PARTS = ["ingest", "pages", "notify"] as const;

async function main() {
  const parts = new Set((process.env.LEVHUB_BENCH_PARTS || PARTS.join(",")).split(",").map((p) => p.trim()));
  const unknown = [...parts].filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`unknown part(s) ${unknown.join(", ")} in LEVHUB_BENCH_PARTS (parts: ${PARTS.join(", ")})`);
  const hub = await startTestHub();
  const sql = new pg.Pool({ connectionString: hub.databaseUrl, max: 2 });
  try {
    say(`throwaway hub in ${hub.dataDir}`);
    const { signUp } = await import("../lib/accounts/users.ts");
    const viewer = await signUp({ email: "bencher@bench.invalid", username: "bencher", password: "bench-password-long" });
    const { seedPackage } = await import("../lib/results/testing.ts");
    const { NMAP_MAPPINGS } = await import("../lib/findings/testing.ts");
    const { db } = await import("../lib/platform/db.ts");
    const pkg = await seedPackage(null, "nmap_python");
    await db().packageVersion.update({ where: { id: pkg.versionId }, data: { manifest: { modes: [], tools: [], workflows: [], ...NMAP_MAPPINGS } } });
    const ctx: FindingsBench = { viewer, pkg, sql, mongoUri: hub.mongoUri, say };

    const load = () => loadavg()[0].toFixed(1);
    const loadBefore = load();
    const figures: Figure[] = [];
    const run = async (name: string, file: string, fn: string) => {
      if (!parts.has(name)) return say(`${name} part skipped (LEVHUB_BENCH_PARTS)`);
      const module = path.join(ROOT, "scripts", "bench-findings", file);
      const part = (await import(module)) as Record<string, (c: FindingsBench) => Promise<Figure[]>>;
      const got = await part[fn](ctx);
      // each part's figures as soon as it has them: the next part runs for minutes
      printFigures(got);
      figures.push(...got);
    };
    await run("ingest", "ingest.ts", "benchIngest");
    await run("pages", "pages.ts", "benchPages");
    await run("notify", "notify.ts", "benchNotify");
    figures.push({ figure: "1-minute load average before / after the measurements (2 cores, shared)", target: "—", measured: `${loadBefore} / ${load()}`, met: null });
    printFigures(figures);
  } finally {
    await sql.end().catch(() => undefined);
    await hub.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
