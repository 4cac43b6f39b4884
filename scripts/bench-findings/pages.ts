/**
 * The pages part of bench:findings: a project with 100,000 hosts (4 services each, a rare fifth
 * port on one in a hundred), 1,000,000 findings (two per service, two per host; severities,
 * states and tools spread unevenly, as triage leaves them) and what one run saw of each host,
 * seeded straight in SQL (INSERT … SELECT over generate_series; FindingCount kept by its triggers
 * as the statement inserts). Then the queries the Findings and Assets pages make, through lib:
 * p50/p95 quiet (one at a time) and with 10 at once.
 *
 * Imports lib/ modules that import "server-only": run node with `--conditions=react-server`.
 */
import { atMost, type Figure } from "../bench-hub/common.ts";
import { fmtLatency, fmtSeconds, latency, timed, type FindingsBench } from "./context.ts";

const HOSTS = Number(process.env.LEVHUB_BENCH_PAGE_HOSTS ?? 100_000);
const SLUG = "bench-pages";
const P95_MS = 50;
const ROUNDS_QUIET = Number(process.env.LEVHUB_BENCH_ROUNDS ?? 30);
const CONCURRENCY = 10;
const TOOLS = ["benchns.nmap", "benchns.nuclei", "benchns.testssl", "benchns.ffuf"];
/** a tool with few findings: its filter must not walk the others' */
const RARE_TOOL = "benchns.rare";
const RARE_PORT = 3389;

const address = (i: number) => `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

/** Severity, state and tool of the finding numbered by the SQL expression `n` (as a CASE over n's residues). */
const SPREAD = (n: string) => ({
  severity: `(CASE WHEN ${n} % 100 < 1 THEN 'critical' WHEN ${n} % 100 < 10 THEN 'high' WHEN ${n} % 100 < 40 THEN 'medium' WHEN ${n} % 100 < 70 THEN 'low' ELSE 'info' END)::"FindingSeverity"`,
  state: `(CASE WHEN (${n} / 100) % 100 < 80 THEN 'new' WHEN (${n} / 100) % 100 < 90 THEN 'confirmed' WHEN (${n} / 100) % 100 < 93 THEN 'false_positive' WHEN (${n} / 100) % 100 < 95 THEN 'accepted_risk' ELSE 'fixed' END)::"FindingState"`,
  tool: `(CASE WHEN ${n} % 997 = 0 THEN '${RARE_TOOL}' ELSE (ARRAY['${TOOLS.join("','")}'])[(${n} / 7) % ${TOOLS.length} + 1] END)`,
});

export async function seed(ctx: FindingsBench, projectId: string, runId: string): Promise<{ findings: number; services: number }> {
  const q = (text: string, ...params: unknown[]) => ctx.sql.query(text, params);
  await q(
    `INSERT INTO "AssetHost" ("projectId", "address", "names", "firstSeen", "lastSeen", "firstRunId", "lastRunId")
     SELECT $1, ('10.' || (64 + (i >> 16)) || '.' || ((i >> 8) & 255) || '.' || (i & 255))::inet,
            ARRAY['host' || i || CASE WHEN i % 500 = 0 THEN '.db.bench.test' ELSE '.bench.test' END], now() - (i || ' s')::interval, now(), $2, $2
       FROM generate_series(0, $3::int - 1) i`,
    projectId,
    runId,
    HOSTS,
  );
  await q(
    `INSERT INTO "AssetService" ("projectId", "hostId", "protocol", "port", "state", "service", "product", "version", "firstSeen", "lastSeen", "firstRunId", "lastRunId")
     SELECT $1, h."id", 'tcp', p.port, 'open', p.service, p.product, p.version, h."firstSeen", h."lastSeen", $2, $2
       FROM "AssetHost" h CROSS JOIN (VALUES (22, 'ssh', 'OpenSSH', '9.2'), (80, 'http', 'nginx', '1.24.0'), (443, 'https', 'nginx', '1.24.0'), (8080, 'http-proxy', 'Jetty', '9.4')) p(port, service, product, version)
      WHERE h."projectId" = $1
     UNION ALL
     SELECT $1, h."id", 'tcp', ${RARE_PORT}, 'open', 'ms-wbt-server', NULL, NULL, h."firstSeen", h."lastSeen", $2, $2 FROM "AssetHost" h WHERE h."projectId" = $1 AND h."id" % 100 = 0`,
    projectId,
    runId,
  );
  const onService = SPREAD(`(s."id" * 2 + k)`);
  await q(
    `INSERT INTO "Finding" ("projectId", "assetRef", "hostId", "serviceId", "key", "title", "severity", "state", "stateAt", "firstSeen", "lastSeen", "firstRunId", "lastRunId", "tool", "function", "schema")
     SELECT $1, 's:' || s."id", s."hostId", s."id", 'bench-service-' || k, 'Bench service check ' || k || ' on ' || s."port" || '/tcp',
            ${onService.severity}, ${onService.state}, now(), s."firstSeen", s."lastSeen", $2, $2, ${onService.tool}, 'scan.all', 'bench/findings@1.0'
       FROM "AssetService" s CROSS JOIN generate_series(0, 1) k WHERE s."projectId" = $1 AND s."port" <> ${RARE_PORT}`,
    projectId,
    runId,
  );
  const onHost = SPREAD(`(h."id" * 2 + k + 1)`);
  await q(
    `INSERT INTO "Finding" ("projectId", "assetRef", "hostId", "key", "title", "severity", "state", "stateAt", "firstSeen", "lastSeen", "firstRunId", "lastRunId", "tool", "function", "schema")
     SELECT $1, 'h:' || h."id", h."id", 'bench-host-' || k, 'Bench host check ' || k,
            ${onHost.severity}, ${onHost.state}, now(), h."firstSeen", h."lastSeen", $2, $2, ${onHost.tool}, 'scan.all', 'bench/findings@1.0'
       FROM "AssetHost" h CROSS JOIN generate_series(0, 1) k WHERE h."projectId" = $1`,
    projectId,
    runId,
  );
  await q(
    `INSERT INTO "AssetObservation" ("projectId", "runId", "hostId", "coll", "job", "task", "seenAt")
     SELECT $1, $2, h."id", 'bench/findings@1.0', 1, 1, h."lastSeen" FROM "AssetHost" h WHERE h."projectId" = $1`,
    projectId,
    runId,
  );
  await q(`ANALYZE "AssetHost", "AssetService", "Finding", "FindingCount", "AssetObservation"`);
  const [{ findings, counted, services }] = (
    await q(
      `SELECT (SELECT count(*) FROM "Finding" WHERE "projectId" = $1)::int AS "findings", (SELECT sum("n") FROM "FindingCount" WHERE "projectId" = $1)::int AS "counted",
              (SELECT count(*) FROM "AssetService" WHERE "projectId" = $1)::int AS "services"`,
      projectId,
    )
  ).rows as { findings: number; counted: number; services: number }[];
  if (findings !== counted) throw new Error(`FindingCount says ${counted}, the table holds ${findings}`);
  return { findings, services };
}

export async function benchPages(ctx: FindingsBench): Promise<Figure[]> {
  const { teamProject } = await import("../../lib/testing/projects.ts");
  const projectId = await teamProject(ctx.viewer, SLUG);
  const { seedRun } = await import("../../lib/results/testing.ts");
  const run = await seedRun(ctx.viewer.id, ctx.pkg, "scan.all", new Date(), projectId);
  ctx.say(`pages: seeding ${HOSTS} hosts and ${HOSTS * 10} findings in SQL …`);
  const seeded = await timed(() => seed(ctx, projectId, run.id));
  ctx.say(`pages: seeded ${seeded.value.findings} findings, ${HOSTS} hosts, ${seeded.value.services} services in ${fmtSeconds(seeded.ms)}`);

  const { listFindings } = await import("../../lib/findings/findings.ts");
  const { listHosts, getHost } = await import("../../lib/findings/assets.ts");
  const { encodeCursor } = await import("../../lib/findings/project.ts");
  // deep pages: the cursor of the page 90 % down each listing (found once here, by OFFSET; the pages never use one)
  const deep = async <T>(text: string, ...params: unknown[]) => ((await ctx.sql.query(text, params)).rows as T[])[0];
  const f = await deep<{ severity: string; id: string }>(
    `SELECT "severity"::text AS "severity", "id"::text AS "id" FROM "Finding" WHERE "projectId" = $1 ORDER BY "severity" DESC, "id" DESC OFFSET $2 LIMIT 1`,
    projectId,
    Math.floor(seeded.value.findings * 0.9),
  );
  const h = await deep<{ address: string }>(`SELECT host("address") AS "address" FROM "AssetHost" WHERE "projectId" = $1 ORDER BY "address" OFFSET $2 LIMIT 1`, projectId, Math.floor(HOSTS * 0.9));
  const findingsAfter = encodeCursor([f.severity, Number(f.id)]);
  const hostsAfter = encodeCursor([h.address]);
  let k = 0;
  const someHost = () => address((k = (k + 7919) % HOSTS));

  const v = ctx.viewer;
  const cases: [string, () => Promise<unknown>][] = [
    ["listFindings: first page", () => listFindings(v, SLUG, {})],
    ["listFindings: severity critical", () => listFindings(v, SLUG, { severity: ["critical"] })],
    ["listFindings: state confirmed", () => listFindings(v, SLUG, { state: ["confirmed"] })],
    ["listFindings: state fixed + severity high", () => listFindings(v, SLUG, { state: ["fixed"], severity: ["high"] })],
    [`listFindings: tool (${TOOLS[1]})`, () => listFindings(v, SLUG, { tool: TOOLS[1] })],
    [`listFindings: rare tool (1 in 997)`, () => listFindings(v, SLUG, { tool: RARE_TOOL })],
    ["listFindings: page 90 % deep (cursor)", () => listFindings(v, SLUG, { after: findingsAfter })],
    ["listHosts: first page", () => listHosts(v, SLUG, {})],
    ["listHosts: search q=db.bench (names, 1 in 500)", () => listHosts(v, SLUG, { q: "db.bench" })],
    ["listHosts: search q=nginx (every host's services)", () => listHosts(v, SLUG, { q: "nginx" })],
    ["listHosts: search q=nowhere (no host)", () => listHosts(v, SLUG, { q: "nowhere" })],
    ["listHosts: search q=10.64.0.0/16 (network)", () => listHosts(v, SLUG, { q: "10.64.0.0/16" })],
    [`listHosts: port ${RARE_PORT} (1 host in 100)`, () => listHosts(v, SLUG, { port: RARE_PORT })],
    ["listHosts: port 22 (every host)", () => listHosts(v, SLUG, { port: 22 })],
    ["listHosts: page 90 % deep (cursor)", () => listHosts(v, SLUG, { after: hostsAfter })],
    ["getHost: a host's page (services, findings, runs)", () => getHost(v, SLUG, someHost())],
  ];
  const figures: Figure[] = [{ figure: `seeded in SQL: ${seeded.value.findings} findings, ${HOSTS} hosts, ${seeded.value.services} services`, target: "—", measured: fmtSeconds(seeded.ms), met: null }];
  for (const [name, fn] of cases) {
    const quiet = await latency([fn], ROUNDS_QUIET, 1);
    const busy = await latency([fn], ROUNDS_QUIET * 2, CONCURRENCY);
    ctx.say(`${name}: quiet ${fmtLatency(quiet)}; ${CONCURRENCY} at once ${fmtLatency(busy)}`);
    figures.push(atMost(`${name}, p95 quiet (p50 ${quiet.p50.toFixed(1)} ms)`, quiet.p95, P95_MS, "ms"));
    figures.push(atMost(`${name}, p95 ${CONCURRENCY} at once (p50 ${busy.p50.toFixed(1)} ms)`, busy.p95, P95_MS, "ms"));
  }
  return figures;
}
