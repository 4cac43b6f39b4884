import "server-only";
import { db } from "../platform/db.ts";
import { notFound } from "../errors.ts";
import { listProjects } from "../projects/projects.ts";
import { ASSET_PAGE, type HostsQuery, type ServicesQuery } from "../schemas/findings.ts";
import { FINDING_SEVERITIES, OPEN_FINDING_STATES, type FindingSeverity } from "../schemas/finding-vocabulary.ts";
import type { Viewer } from "../types.ts";
import { findingRows } from "./finding-rows.ts";
import { parseAddress } from "./values.ts";
import { assetSearch, decodeCursor, encodeCursor, projectFor } from "./project.ts";
import type { HostDetail, HostPage, HostSummary, ServicePage, ServiceView } from "./types.ts";

/**
 * A project's asset inventory: hosts (by address), their services, what each run saw of them.
 * Keyset pages (never an OFFSET), every query bound to one project the viewer may read.
 */

const OPEN = `ARRAY[${OPEN_FINDING_STATES.map((s) => `'${s}'`).join(", ")}]::"FindingState"[]`;

interface HostRow {
  id: bigint;
  address: string;
  names: string[];
  firstSeen: Date;
  lastSeen: Date;
  lastRunId: string | null;
  lastRunNumber: number | null;
  serviceCount: bigint;
  openFindings: bigint;
}

const HOST_COLUMNS = `h."id", host(h."address") AS "address", h."names", h."firstSeen", h."lastSeen", h."lastRunId", r."number" AS "lastRunNumber",
  (SELECT count(*) FROM "AssetService" s WHERE s."hostId" = h."id") AS "serviceCount",
  (SELECT count(*) FROM "Finding" f WHERE f."hostId" = h."id" AND f."state" = ANY(${OPEN})) AS "openFindings"`;

function hostSummary(r: HostRow): HostSummary {
  return {
    id: String(r.id),
    address: r.address,
    names: r.names,
    firstSeen: r.firstSeen.toISOString(),
    lastSeen: r.lastSeen.toISOString(),
    lastRun: r.lastRunId && r.lastRunNumber !== null ? { id: r.lastRunId, number: r.lastRunNumber } : null,
    serviceCount: Number(r.serviceCount),
    openFindings: Number(r.openFindings),
  };
}

/**
 * The conditions of a hosts or services search, on `h` (the host) and `s` (a service, when the
 * query has one). A host's text search is one condition over two keyset walks, each the first
 * page of hosts matching one way (their names; a service's description) after the cursor: as one
 * OR, the planner either walked every host in address order for a rare word (96 ms for none of
 * 100,000) or collected every host for a common one (270 ms); apart, each way picks its own plan
 * (bench:findings).
 */
function searchWhere(q: string | undefined, port: number | undefined, params: unknown[], on: "host" | "service", page?: { after: string | null; limit: number }): string[] {
  const where: string[] = [];
  if (port !== undefined) {
    const p = params.push(port);
    where.push(on === "host" ? `EXISTS (SELECT 1 FROM "AssetService" s2 WHERE s2."hostId" = h."id" AND s2."port" = $${p})` : `s."port" = $${p}`);
  }
  if (on === "host" && page?.after) where.push(`h."address" > $${params.push(page.after)}::inet`);
  if (q !== undefined) {
    const s = assetSearch(q);
    if (s.kind === "address") where.push(`h."address" = $${params.push(s.value)}::inet`);
    else if (s.kind === "network") where.push(`h."address" <<= $${params.push(s.value)}::inet`);
    else {
      const p = params.push(s.pattern);
      if (on === "service") return [...where, `(s."search" LIKE $${p} OR h."namesText" ILIKE $${p})`];
      const walk = (match: string) =>
        `(SELECT h."id" FROM "AssetHost" h WHERE ${[`h."projectId" = $1`, ...where, match].join(" AND ")} ORDER BY h."address" LIMIT ${(page?.limit ?? ASSET_PAGE.max) + 1})`;
      where.push(
        `h."id" IN (${walk(`h."namesText" ILIKE $${p}`)} UNION ALL ${walk(`EXISTS (SELECT 1 FROM "AssetService" s2 WHERE s2."hostId" = h."id" AND s2."search" LIKE $${p})`)})`,
      );
    }
  }
  return where;
}

/** A page of the project's hosts in address order, with their service and open finding counts. */
export async function listHosts(viewer: Viewer, slug: string, query: HostsQuery): Promise<HostPage> {
  const project = await projectFor(viewer, slug);
  const limit = query.limit ?? ASSET_PAGE.default;
  const params: unknown[] = [project.id];
  const after = decodeCursor(query.after, ["string"] as const);
  const where = [`h."projectId" = $1`, ...searchWhere(query.q, query.port, params, "host", { after: after?.[0] ?? null, limit })];
  const rows = await db().$queryRawUnsafe<HostRow[]>(
    `SELECT ${HOST_COLUMNS} FROM "AssetHost" h LEFT JOIN "Run" r ON r."id" = h."lastRunId"
      WHERE ${where.join(" AND ")} ORDER BY h."address" LIMIT ${limit + 1}`,
    ...params,
  );
  const items = rows.slice(0, limit).map(hostSummary);
  return { items, next: rows.length > limit ? encodeCursor([items[items.length - 1].address]) : null };
}

interface ServiceRow {
  id: bigint;
  address: string;
  port: number;
  protocol: string;
  state: string | null;
  service: string | null;
  product: string | null;
  version: string | null;
  firstSeen: Date;
  lastSeen: Date;
  lastRunId: string | null;
  lastRunNumber: number | null;
}

const SERVICE_COLUMNS = `s."id", host(h."address") AS "address", s."port", s."protocol", s."state", s."service", s."product", s."version", s."firstSeen", s."lastSeen", s."lastRunId", r."number" AS "lastRunNumber"`;

function serviceView(r: ServiceRow): ServiceView {
  return {
    id: String(r.id),
    address: r.address,
    port: r.port,
    protocol: r.protocol,
    state: r.state,
    service: r.service,
    product: r.product,
    version: r.version,
    firstSeen: r.firstSeen.toISOString(),
    lastSeen: r.lastSeen.toISOString(),
    lastRun: r.lastRunId && r.lastRunNumber !== null ? { id: r.lastRunId, number: r.lastRunNumber } : null,
  };
}

/** A page of the project's services, newest first. */
export async function listServices(viewer: Viewer, slug: string, query: ServicesQuery): Promise<ServicePage> {
  const project = await projectFor(viewer, slug);
  const limit = query.limit ?? ASSET_PAGE.default;
  const params: unknown[] = [project.id];
  const where = [`s."projectId" = $1`, ...searchWhere(query.q, query.port, params, "service")];
  const after = decodeCursor(query.after, ["number"] as const);
  if (after) where.push(`s."id" < $${params.push(after[0])}::bigint`);
  const rows = await db().$queryRawUnsafe<ServiceRow[]>(
    `SELECT ${SERVICE_COLUMNS} FROM "AssetService" s JOIN "AssetHost" h ON h."id" = s."hostId" LEFT JOIN "Run" r ON r."id" = s."lastRunId"
      WHERE ${where.join(" AND ")} ORDER BY s."id" DESC LIMIT ${limit + 1}`,
    ...params,
  );
  const items = rows.slice(0, limit).map(serviceView);
  return { items, next: rows.length > limit ? encodeCursor([Number(items[items.length - 1].id)]) : null };
}

/** Runs of a host's history shown. */
const TIMELINE_RUNS = 50;
/** Findings a host's page lists (open ones first, then by severity). */
const HOST_FINDINGS = 200;

/** One host: its services, its findings (and its services'), and the runs that saw it. */
export async function getHost(viewer: Viewer, slug: string, address: string): Promise<HostDetail> {
  const project = await projectFor(viewer, slug);
  const parsed = parseAddress(address);
  const [host] = parsed.ok
    ? await db().$queryRawUnsafe<HostRow[]>(`SELECT ${HOST_COLUMNS} FROM "AssetHost" h LEFT JOIN "Run" r ON r."id" = h."lastRunId" WHERE h."projectId" = $1 AND h."address" = $2::inet`, project.id, parsed.value)
    : [];
  if (!host) throw notFound(`host ${address} in project ${slug}`);
  const [services, findings, seen] = await Promise.all([
    db().$queryRawUnsafe<ServiceRow[]>(
      `SELECT ${SERVICE_COLUMNS} FROM "AssetService" s JOIN "AssetHost" h ON h."id" = s."hostId" LEFT JOIN "Run" r ON r."id" = s."lastRunId"
        WHERE s."hostId" = $1 ORDER BY s."port", s."protocol"`,
      host.id,
    ),
    findingRows(`f."hostId" = $1`, [host.id], `(f."state" = ANY(${OPEN})) DESC, f."severity" DESC, f."id" DESC`, HOST_FINDINGS),
    db().$queryRawUnsafe<{ runId: string; number: number; function: string; createdAt: Date; seenAt: Date; coll: string; task: number; services: { port: number; protocol: string; state: string | null }[] }[]>(
      `SELECT o."runId", r."number", r."function", r."createdAt", o."seenAt", o."coll", o."task",
              coalesce((SELECT jsonb_agg(jsonb_build_object('port', s."port", 'protocol', s."protocol", 'state', so."state") ORDER BY s."port", s."protocol")
                          FROM "AssetObservation" so JOIN "AssetService" s ON s."id" = so."serviceId"
                         WHERE so."runId" = o."runId" AND so."hostId" = o."hostId" AND so."serviceId" IS NOT NULL), '[]'::jsonb) AS "services"
         FROM "AssetObservation" o JOIN "Run" r ON r."id" = o."runId"
        WHERE o."hostId" = $1 AND o."serviceId" IS NULL
        ORDER BY o."seenAt" DESC, r."number" DESC LIMIT ${TIMELINE_RUNS}`,
      host.id,
    ),
  ]);
  return {
    ...hostSummary(host),
    services: services.map(serviceView),
    findings,
    timeline: seen.map((t) => ({ run: { id: t.runId, number: t.number, function: t.function, createdAt: t.createdAt.toISOString() }, seenAt: t.seenAt.toISOString(), coll: t.coll, task: t.task, services: t.services })),
  };
}

/** A project's inventory in numbers, for the overview of every project the viewer reads. */
export interface ProjectInventory {
  slug: string;
  name: string;
  personal: boolean;
  hosts: number;
  services: number;
  /** findings still to act on (new, confirmed) by severity */
  open: Record<FindingSeverity, number>;
  findings: number;
}

/** Every project the viewer reads, with its hosts, services and open findings counted (the Assets and Findings overviews). */
export async function inventoryOverview(viewer: Viewer): Promise<ProjectInventory[]> {
  const projects = await listProjects(viewer, { all: false });
  if (!projects.length) return [];
  const ids = projects.map((p) => p.id);
  const [hosts, services, counts] = await Promise.all([
    db().$queryRawUnsafe<{ projectId: string; n: bigint }[]>(`SELECT "projectId", count(*) AS "n" FROM "AssetHost" WHERE "projectId" = ANY($1::text[]) GROUP BY 1`, ids),
    db().$queryRawUnsafe<{ projectId: string; n: bigint }[]>(`SELECT "projectId", count(*) AS "n" FROM "AssetService" WHERE "projectId" = ANY($1::text[]) GROUP BY 1`, ids),
    db().$queryRawUnsafe<{ projectId: string; severity: FindingSeverity; open: boolean; n: bigint }[]>(
      `SELECT "projectId", "severity", "state" = ANY(${OPEN}) AS "open", sum("n") AS "n" FROM "FindingCount" WHERE "projectId" = ANY($1::text[]) GROUP BY 1, 2, 3`,
      ids,
    ),
  ]);
  const n = (rows: { projectId: string; n: bigint }[], id: string) => Number(rows.find((r) => r.projectId === id)?.n ?? 0);
  return projects.map((p) => {
    const open = Object.fromEntries(FINDING_SEVERITIES.map((s) => [s, 0])) as Record<FindingSeverity, number>;
    let findings = 0;
    for (const c of counts.filter((c) => c.projectId === p.id)) {
      findings += Number(c.n);
      if (c.open) open[c.severity] += Number(c.n);
    }
    return { slug: p.slug, name: p.name, personal: p.personal, hosts: n(hosts, p.id), services: n(services, p.id), open, findings };
  });
}
