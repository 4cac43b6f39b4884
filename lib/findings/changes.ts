import "server-only";
import { db } from "../platform/db.ts";
import type { FindingSeverity } from "../schemas/finding-vocabulary.ts";

/**
 * What changed between two runs in assets and findings, from what each run saw (observations and
 * evidence): services, hosts and origins seen by run B and not by run A are new, the other way
 * round gone; the same for findings. The caller has checked that the viewer may read both runs.
 */

/** Items named per side; the rest are counted. */
export const CHANGE_SAMPLE = 20;

export interface Changed<T> {
  count: number;
  /** the first CHANGE_SAMPLE, in order */
  items: T[];
}

export interface AssetChanges {
  /** either run's documents were mapped to assets or findings (else there is nothing to say) */
  mapped: boolean;
  hosts: { new: Changed<string>; gone: Changed<string> };
  /** `10.0.0.1:8080/tcp` */
  services: { new: Changed<string>; gone: Changed<string> };
  origins: { new: Changed<string>; gone: Changed<string> };
  findings: { new: Changed<{ id: string; title: string; severity: FindingSeverity }>; gone: Changed<{ id: string; title: string; severity: FindingSeverity }> };
}

const serviceLabel = `CASE WHEN family(h."address") = 6 THEN '[' || host(h."address") || ']' ELSE host(h."address") END || ':' || s."port" || '/' || s."protocol"`;
const originLabel = `o."scheme" || '://' || CASE WHEN o."host" LIKE '%:%' THEN '[' || o."host" || ']' ELSE o."host" END || CASE WHEN (o."scheme", o."port") IN (('https', 443), ('http', 80)) THEN '' ELSE ':' || o."port" END`;

async function onlyIn(kind: "host" | "service" | "origin", seen: string, notSeen: string): Promise<Changed<string>> {
  const q = {
    host: { join: `JOIN "AssetHost" h ON h."id" = x."hostId"`, where: `x."serviceId" IS NULL AND x."hostId" IS NOT NULL`, col: "hostId", label: `host(h."address")`, order: `h."address"` },
    service: { join: `JOIN "AssetService" s ON s."id" = x."serviceId" JOIN "AssetHost" h ON h."id" = s."hostId"`, where: `x."serviceId" IS NOT NULL`, col: "serviceId", label: serviceLabel, order: `h."address", s."port", s."protocol"` },
    origin: { join: `JOIN "AssetOrigin" o ON o."id" = x."originId"`, where: `x."originId" IS NOT NULL`, col: "originId", label: originLabel, order: `o."host", o."port"` },
  }[kind];
  const rows = await db().$queryRawUnsafe<{ label: string; total: bigint }[]>(
    `SELECT ${q.label} AS "label", count(*) OVER () AS "total" FROM "AssetObservation" x ${q.join}
      WHERE x."runId" = $1 AND ${q.where}
        AND NOT EXISTS (SELECT 1 FROM "AssetObservation" y WHERE y."runId" = $2 AND y."${q.col}" = x."${q.col}" AND ${q.where.replaceAll("x.", "y.")})
      ORDER BY ${q.order} LIMIT ${CHANGE_SAMPLE}`,
    seen,
    notSeen,
  );
  return { count: Number(rows[0]?.total ?? 0), items: rows.map((r) => r.label) };
}

async function findingsOnlyIn(seen: string, notSeen: string): Promise<AssetChanges["findings"]["new"]> {
  const rows = await db().$queryRawUnsafe<{ id: bigint; title: string; severity: FindingSeverity; total: bigint }[]>(
    `SELECT f."id", f."title", f."severity"::text AS "severity", count(*) OVER () AS "total"
       FROM "Finding" f WHERE f."id" IN (SELECT e."findingId" FROM "FindingEvidence" e WHERE e."runId" = $1)
        AND NOT EXISTS (SELECT 1 FROM "FindingEvidence" e WHERE e."runId" = $2 AND e."findingId" = f."id")
      ORDER BY f."severity" DESC, f."id" LIMIT ${CHANGE_SAMPLE}`,
    seen,
    notSeen,
  );
  return { count: Number(rows[0]?.total ?? 0), items: rows.map((r) => ({ id: String(r.id), title: r.title, severity: r.severity })) };
}

/** Run A (before) against run B (after). */
export async function assetChangesBetween(a: string, b: string): Promise<AssetChanges> {
  const [mapped] = await db().$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS "n" FROM "DocumentMapping" WHERE "runId" IN ($1, $2)`, a, b);
  const [hn, hg, sn, sg, on, og, fn, fg] = await Promise.all([
    onlyIn("host", b, a),
    onlyIn("host", a, b),
    onlyIn("service", b, a),
    onlyIn("service", a, b),
    onlyIn("origin", b, a),
    onlyIn("origin", a, b),
    findingsOnlyIn(b, a),
    findingsOnlyIn(a, b),
  ]);
  return { mapped: Number(mapped?.n ?? 0) > 0, hosts: { new: hn, gone: hg }, services: { new: sn, gone: sg }, origins: { new: on, gone: og }, findings: { new: fn, gone: fg } };
}
