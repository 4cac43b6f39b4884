import "server-only";
import { db } from "../platform/db.ts";
import type { FindingSeverity, FindingState } from "../schemas/finding-vocabulary.ts";
import type { FindingSummary } from "./types.ts";
import { originText } from "./values.ts";

/** A finding as every list shows it: its asset named, who set its state, the runs that first and last saw it. */
export const FINDING_COLUMNS = `f."id", f."key", f."title", f."severity"::text AS "severity", f."state"::text AS "state", u."username" AS "stateBy", f."stateAt", f."note",
  f."firstSeen", f."lastSeen", f."firstRunId", fr."number" AS "firstRunNumber", f."lastRunId", lr."number" AS "lastRunNumber", f."tool", f."function", f."schema",
  CASE WHEN f."serviceId" IS NOT NULL THEN 'service' WHEN f."hostId" IS NOT NULL THEN 'host' WHEN f."originId" IS NOT NULL THEN 'origin' END AS "assetKind",
  host(h."address") AS "address", coalesce(s."port", o."port") AS "port", s."protocol", o."scheme", o."host" AS "originHost"`;

export const FINDING_JOINS = `LEFT JOIN "AssetHost" h ON h."id" = f."hostId" LEFT JOIN "AssetService" s ON s."id" = f."serviceId" LEFT JOIN "AssetOrigin" o ON o."id" = f."originId"
  LEFT JOIN "User" u ON u."id" = f."stateById" LEFT JOIN "Run" fr ON fr."id" = f."firstRunId" LEFT JOIN "Run" lr ON lr."id" = f."lastRunId"`;

export interface FindingRowSql {
  id: bigint;
  key: string;
  title: string;
  severity: FindingSeverity;
  state: FindingState;
  stateBy: string | null;
  stateAt: Date;
  note: string;
  firstSeen: Date;
  lastSeen: Date;
  firstRunId: string | null;
  firstRunNumber: number | null;
  lastRunId: string | null;
  lastRunNumber: number | null;
  tool: string;
  function: string;
  schema: string;
  assetKind: "host" | "service" | "origin" | null;
  address: string | null;
  port: number | null;
  protocol: string | null;
  scheme: "http" | "https" | null;
  originHost: string | null;
}

const runRef = (id: string | null, number: number | null) => (id && number !== null ? { id, number } : null);

export function findingSummary(r: FindingRowSql): FindingSummary {
  const bracketed = r.address?.includes(":") ? `[${r.address}]` : r.address;
  const label =
    r.assetKind === "service"
      ? `${bracketed}:${r.port}/${r.protocol}`
      : r.assetKind === "host"
        ? r.address!
        : r.assetKind === "origin"
          ? originText({ scheme: r.scheme!, host: r.originHost!, port: r.port! })
          : null;
  return {
    id: String(r.id),
    key: r.key,
    title: r.title,
    severity: r.severity,
    state: r.state,
    stateBy: r.stateBy,
    stateAt: r.stateAt.toISOString(),
    note: r.note,
    asset: r.assetKind && label !== null ? { kind: r.assetKind, label, address: r.address, port: r.port, protocol: r.protocol } : null,
    firstSeen: r.firstSeen.toISOString(),
    lastSeen: r.lastSeen.toISOString(),
    firstRun: runRef(r.firstRunId, r.firstRunNumber),
    lastRun: runRef(r.lastRunId, r.lastRunNumber),
    tool: r.tool,
    function: r.function,
    schema: r.schema,
  };
}

/** Findings matching `where` (on `f`, with `params` as $1…), in `order`, at most `limit`. */
export async function findingRows(where: string, params: unknown[], order: string, limit: number): Promise<FindingSummary[]> {
  const rows = await db().$queryRawUnsafe<FindingRowSql[]>(`SELECT ${FINDING_COLUMNS} FROM "Finding" f ${FINDING_JOINS} WHERE ${where} ORDER BY ${order} LIMIT ${limit}`, ...params);
  return rows.map(findingSummary);
}
