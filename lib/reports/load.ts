import "server-only";
import { db } from "../platform/db.ts";
import { projectFor } from "../findings/project.ts";
import { originText } from "../findings/values.ts";
import { projectScope } from "../projects/scope.ts";
import { carriedScope } from "../runs/queries.ts";
import { loadRun } from "../runs/projection.ts";
import { FINDING_SEVERITIES, type FindingSeverity, type FindingState } from "../schemas/finding-vocabulary.ts";
import type { Viewer } from "../types.ts";
import { argsText, lineText, plainText, REPORT_CAPS, serviceText, SEVERITIES_WORST_FIRST, type Listed, type ReportFinding, type ReportModel, type ReportRun } from "./model.ts";

/**
 * The one loader of the report model: a project's report (everything recorded in it) or a run's
 * (what that run ran and saw: the assets it observed, the findings it has evidence for). Every
 * list is read up to its cap in `REPORT_CAPS` and counted past it, so a huge project costs a
 * bounded report. Every text goes through `plainText`/`lineText` here, once.
 */

export interface ReportOptions {
  /** "what changed since": assets and findings first seen at or after it */
  since?: Date | null;
}

/** The model, and the project it is about (for the audit row). */
export interface LoadedReport {
  model: ReportModel;
  projectId: string;
}

/** A project's engagement report (members; 404 for anyone else, as every project read). */
export async function projectReport(viewer: Viewer, slug: string, opts: ReportOptions = {}): Promise<LoadedReport> {
  const project = await projectFor(viewer, slug, "read");
  return { model: await buildReport(viewer, project.id, null, opts), projectId: project.id };
}

/** A run's report: its project's facts, the run, and only what the run saw. */
export async function runReport(viewer: Viewer, ref: string, opts: ReportOptions = {}): Promise<LoadedReport> {
  const { row } = await loadRun(viewer, ref);
  return { model: await buildReport(viewer, row.projectId, { id: row.id, number: row.number, policy: row.policy }, opts), projectId: row.projectId };
}

type Filter = { projectId: string; runId: string | null };

async function buildReport(viewer: Viewer, projectId: string, run: { id: string; number: number; policy: unknown } | null, opts: ReportOptions): Promise<ReportModel> {
  const p = await db().project.findUniqueOrThrow({ where: { id: projectId } });
  const f: Filter = { projectId, runId: run?.id ?? null };
  const since = opts.since ?? null;
  const scope = run ? carriedScope(run.policy) : await projectScope(projectId);
  const [runs, hosts, services, origins, findings, changes] = await Promise.all([runsOf(f), hostsOf(f), servicesOf(f), originsOf(f), findingsOf(f), since ? changesOf(f, since) : null]);
  return {
    kind: run ? "run" : "project",
    title: lineText(run ? `Run #${run.number} in ${p.slug}` : `Project ${p.slug}`),
    generatedAt: new Date().toISOString(),
    generatedBy: lineText(viewer.username),
    since: since?.toISOString() ?? null,
    project: {
      slug: p.slug,
      name: lineText(p.name),
      client: lineText(p.client),
      description: plainText(p.description, REPORT_CAPS.argsChars),
      windowStart: p.windowStart?.toISOString() ?? null,
      windowEnd: p.windowEnd?.toISOString() ?? null,
    },
    scope: scope ? { allow: scope.allow.map((e) => lineText(e)), exclude: scope.exclude.map((e) => lineText(e)), services: scope.services.map((e) => lineText(e)) } : null,
    runs,
    hosts,
    services,
    origins,
    findings,
    changes,
  };
}

const iso = (d: Date) => d.toISOString();

/** Runs of the project (or the one run), newest first. */
async function runsOf(f: Filter): Promise<Listed<ReportRun>> {
  const where = f.runId ? { id: f.runId } : { projectId: f.projectId };
  const [rows, total] = await Promise.all([
    db().run.findMany({
      where,
      orderBy: { number: "desc" },
      take: REPORT_CAPS.runs,
      include: {
        owner: { select: { username: true } },
        version: { select: { version: true, archiveSha256: true, imageDigest: true, package: { select: { name: true, namespace: { select: { name: true } } } } } },
        tasks: { orderBy: { number: "asc" }, take: REPORT_CAPS.tasksPerRun, select: { number: true, image: true, resolvedImage: true, status: true } },
        _count: { select: { tasks: true } },
      },
    }),
    db().run.count({ where }),
  ]);
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      number: r.number,
      package: lineText(`${r.version.package.namespace.name}.${r.version.package.name}`),
      version: lineText(r.version.version),
      function: lineText(r.function),
      owner: lineText(r.owner.username),
      status: r.status,
      trigger: r.trigger,
      createdAt: iso(r.createdAt),
      startedAt: r.startedAt ? iso(r.startedAt) : null,
      endedAt: r.endedAt ? iso(r.endedAt) : null,
      archiveSha256: r.version.archiveSha256,
      imageDigest: r.version.imageDigest ? lineText(r.version.imageDigest) : null,
      args: argsText(r.args),
      tasks: r.tasks.map((t) => ({ number: t.number, image: lineText(t.image), resolvedImage: t.resolvedImage ? lineText(t.resolvedImage) : null, status: t.status })),
      tasksTotal: r._count.tasks,
    })),
  };
}

/** `WHERE` for an asset table aliased `a`: the project's, or those the run observed (by `column`). */
function assetWhere(f: Filter, column: "hostId" | "serviceId" | "originId"): { sql: string; params: unknown[] } {
  return f.runId
    ? { sql: `a."projectId" = $1 AND a."id" IN (SELECT o."${column}" FROM "AssetObservation" o WHERE o."runId" = $2)`, params: [f.projectId, f.runId] }
    : { sql: `a."projectId" = $1`, params: [f.projectId] };
}

async function listedRows<T>(from: string, w: { sql: string; params: unknown[] }, select: string, order: string, cap: number): Promise<{ rows: T[]; total: number }> {
  const [rows, [{ n }]] = await Promise.all([
    db().$queryRawUnsafe<T[]>(`SELECT ${select} FROM ${from} WHERE ${w.sql} ORDER BY ${order} LIMIT ${cap}`, ...w.params),
    db().$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${from} WHERE ${w.sql}`, ...w.params),
  ]);
  return { rows, total: Number(n) };
}

async function hostsOf(f: Filter): Promise<ReportModel["hosts"]> {
  const { rows, total } = await listedRows<{ address: string; names: string[]; firstSeen: Date; lastSeen: Date }>(
    `"AssetHost" a`,
    assetWhere(f, "hostId"),
    `host(a."address") AS "address", a."names", a."firstSeen", a."lastSeen"`,
    `a."address"`,
    REPORT_CAPS.hosts,
  );
  return { total, items: rows.map((h) => ({ address: h.address, names: h.names.slice(0, 20).map((n) => lineText(n)), firstSeen: iso(h.firstSeen), lastSeen: iso(h.lastSeen) })) };
}

type ServiceRow = { address: string; protocol: string; port: number; state: string | null; service: string | null; product: string | null; version: string | null; firstSeen: Date; lastSeen: Date };
const SERVICE_FROM = `"AssetService" a JOIN "AssetHost" h ON h."id" = a."hostId"`;
const SERVICE_SELECT = `host(h."address") AS "address", a."protocol", a."port", a."state", a."service", a."product", a."version", a."firstSeen", a."lastSeen"`;

async function servicesOf(f: Filter): Promise<ReportModel["services"]> {
  const w = assetWhere(f, "serviceId");
  const { rows, total } = await listedRows<ServiceRow>(SERVICE_FROM, w, SERVICE_SELECT, `h."address", a."protocol", a."port"`, REPORT_CAPS.services);
  return { total, items: rows.map(serviceItem) };
}

const opt = (v: string | null) => (v === null ? null : lineText(v));
const serviceItem = (s: ServiceRow) => ({ address: s.address, protocol: s.protocol, port: s.port, state: opt(s.state), service: opt(s.service), product: opt(s.product), version: opt(s.version), firstSeen: iso(s.firstSeen), lastSeen: iso(s.lastSeen) });

async function originsOf(f: Filter): Promise<ReportModel["origins"]> {
  const { rows, total } = await listedRows<{ scheme: "http" | "https"; host: string; port: number; firstSeen: Date; lastSeen: Date }>(
    `"AssetOrigin" a`,
    assetWhere(f, "originId"),
    `a."scheme", a."host", a."port", a."firstSeen", a."lastSeen"`,
    `a."host", a."port", a."scheme"`,
    REPORT_CAPS.origins,
  );
  return { total, items: rows.map((o) => ({ origin: lineText(originText(o)), firstSeen: iso(o.firstSeen), lastSeen: iso(o.lastSeen) })) };
}

type FindingRow = {
  id: bigint;
  title: string;
  severity: FindingSeverity;
  state: FindingState;
  note: string;
  firstSeen: Date;
  lastSeen: Date;
  tool: string;
  address: string | null;
  port: number | null;
  protocol: string | null;
  scheme: "http" | "https" | null;
  originHost: string | null;
};

const FINDING_SELECT = `f."id", f."title", f."severity"::text AS "severity", f."state"::text AS "state", f."note", f."firstSeen", f."lastSeen", f."tool",
  host(h."address") AS "address", coalesce(s."port", o."port") AS "port", s."protocol", o."scheme", o."host" AS "originHost"`;
const FINDING_FROM = `"Finding" f LEFT JOIN "AssetService" s ON s."id" = f."serviceId" LEFT JOIN "AssetHost" h ON h."id" = coalesce(s."hostId", f."hostId") LEFT JOIN "AssetOrigin" o ON o."id" = f."originId"`;

function assetOf(r: FindingRow): string {
  if (r.protocol && r.address && r.port !== null) return serviceText({ address: r.address, port: r.port, protocol: r.protocol });
  if (r.scheme && r.originHost && r.port !== null) return lineText(originText({ scheme: r.scheme, host: r.originHost, port: r.port }));
  return r.address ?? "";
}

/** `WHERE` for findings aliased `f`: the project's, or those the run has evidence for. */
function findingWhere(f: Filter): { sql: string; params: unknown[] } {
  return f.runId
    ? { sql: `f."projectId" = $1 AND f."id" IN (SELECT e."findingId" FROM "FindingEvidence" e WHERE e."runId" = $2)`, params: [f.projectId, f.runId] }
    : { sql: `f."projectId" = $1`, params: [f.projectId] };
}

/** Per severity, worst first: the first findings in full (newest last seen first), with their newest evidence, and the count. */
async function findingsOf(f: Filter): Promise<ReportModel["findings"]> {
  const w = findingWhere(f);
  const [rows, counts] = await Promise.all([
    db().$queryRawUnsafe<(FindingRow & { rn: bigint })[]>(
      `SELECT * FROM (SELECT ${FINDING_SELECT}, row_number() OVER (PARTITION BY f."severity" ORDER BY f."lastSeen" DESC, f."id" DESC) AS "rn"
         FROM ${FINDING_FROM} WHERE ${w.sql}) x WHERE x."rn" <= ${REPORT_CAPS.findingsPerSeverity}`,
      ...w.params,
    ),
    db().$queryRawUnsafe<{ severity: FindingSeverity; n: bigint }[]>(`SELECT f."severity"::text AS "severity", count(*) AS n FROM "Finding" f WHERE ${w.sql} GROUP BY 1`, ...w.params),
  ]);
  const evidence = await evidenceOf(
    rows.map((r) => r.id),
    f.runId,
  );
  const bySeverity = new Map<FindingSeverity, ReportFinding[]>(FINDING_SEVERITIES.map((s) => [s, []]));
  for (const r of rows.sort((a, b) => Number(a.rn - b.rn))) {
    const ev = evidence.get(String(r.id));
    bySeverity.get(r.severity)?.push({
      id: String(r.id),
      title: lineText(r.title),
      severity: r.severity,
      state: r.state,
      asset: assetOf(r),
      tool: lineText(r.tool),
      firstSeen: iso(r.firstSeen),
      lastSeen: iso(r.lastSeen),
      note: plainText(r.note),
      evidence: ev?.items ?? [],
      evidenceTotal: ev?.total ?? 0,
    });
  }
  return SEVERITIES_WORST_FIRST.map((severity) => ({ severity, total: Number(counts.find((c) => c.severity === severity)?.n ?? 0), items: bySeverity.get(severity) ?? [] }));
}

async function evidenceOf(findingIds: bigint[], runId: string | null): Promise<Map<string, { items: ReportFinding["evidence"]; total: number }>> {
  const out = new Map<string, { items: ReportFinding["evidence"]; total: number }>();
  if (!findingIds.length) return out;
  const params: unknown[] = [findingIds.map(String)];
  const byRun = runId ? ` AND e."runId" = $${params.push(runId)}` : "";
  const rows = await db().$queryRawUnsafe<{ findingId: bigint; number: number | null; job: number; coll: string; task: number; path: string; excerpt: string; sha256: string; seenAt: Date; total: bigint }[]>(
    `SELECT * FROM (SELECT e."findingId", r."number", e."job", e."coll", e."task", e."path", e."excerpt", e."sha256", e."seenAt",
            row_number() OVER (PARTITION BY e."findingId" ORDER BY e."seenAt" DESC, e."id" DESC) AS "rn", count(*) OVER (PARTITION BY e."findingId") AS "total"
       FROM "FindingEvidence" e LEFT JOIN "Run" r ON r."id" = e."runId" WHERE e."findingId" = ANY($1::bigint[])${byRun}) x
      WHERE x."rn" <= ${REPORT_CAPS.evidencePerFinding} ORDER BY x."findingId", x."rn"`,
    ...params,
  );
  for (const e of rows) {
    const key = String(e.findingId);
    const entry = out.get(key) ?? { items: [], total: Number(e.total) };
    entry.items.push({
      // a run deleted since keeps its number in the evidence (the document's `_id.job`)
      run: e.number ?? e.job,
      coll: lineText(e.coll),
      task: e.task,
      path: lineText(e.path),
      excerpt: plainText(e.excerpt, REPORT_CAPS.excerptChars),
      sha256: e.sha256,
      seenAt: iso(e.seenAt),
    });
    out.set(key, entry);
  }
  return out;
}

/** What is new since `since`: hosts, services and findings first seen at or after it. */
async function changesOf(f: Filter, since: Date): Promise<NonNullable<ReportModel["changes"]>> {
  const newer = (w: { sql: string; params: unknown[] }, alias: string) => ({ sql: `${w.sql} AND ${alias}."firstSeen" >= $${w.params.length + 1}`, params: [...w.params, since] });
  const fw = newer(findingWhere(f), "f");
  const [hosts, services, findings, [{ n }]] = await Promise.all([
    listedRows<{ address: string }>(`"AssetHost" a`, newer(assetWhere(f, "hostId"), "a"), `host(a."address") AS "address"`, `a."address"`, REPORT_CAPS.hosts),
    listedRows<ServiceRow>(SERVICE_FROM, newer(assetWhere(f, "serviceId"), "a"), SERVICE_SELECT, `h."address", a."protocol", a."port"`, REPORT_CAPS.services),
    db().$queryRawUnsafe<FindingRow[]>(`SELECT ${FINDING_SELECT} FROM ${FINDING_FROM} WHERE ${fw.sql} ORDER BY f."severity" DESC, f."id" LIMIT ${REPORT_CAPS.findingsPerSeverity}`, ...fw.params),
    db().$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "Finding" f WHERE ${fw.sql}`, ...fw.params),
  ]);
  return {
    hosts: { total: hosts.total, items: hosts.rows.map((h) => h.address) },
    services: { total: services.total, items: services.rows.map((s) => serviceText(s)) },
    findings: { total: Number(n), items: findings.map((r) => ({ severity: r.severity, title: lineText(r.title), asset: assetOf(r) })) },
  };
}
