import "server-only";
import { db } from "../platform/db.ts";
import type { FindingSeverity, FindingState } from "../schemas/finding-vocabulary.ts";
import type { FindingSummary } from "./types.ts";
import { originText } from "./values.ts";

/**
 * A finding as every list shows it: its asset named, who set its state, the runs that first and
 * last saw it. Each is a correlated lookup by primary key rather than a join: six LEFT JOINs cost
 * the planner 10-16 ms a query (more than running it) on a page of 51 findings (bench:findings);
 * lookups plan in about 1 ms and give the same row.
 */
const lookup = (col: string, table: string, key: string) => `(SELECT ${col} FROM "${table}" x WHERE x."id" = f."${key}")`;
export const FINDING_COLUMNS = `f."id", f."key", f."title", f."severity"::text AS "severity", f."state"::text AS "state", ${lookup(`x."username"`, "User", "stateById")} AS "stateBy", f."stateAt", f."note",
  f."firstSeen", f."lastSeen", f."firstRunId", ${lookup(`x."number"`, "Run", "firstRunId")} AS "firstRunNumber", f."lastRunId", ${lookup(`x."number"`, "Run", "lastRunId")} AS "lastRunNumber", f."tool", f."function", f."schema",
  CASE WHEN f."serviceId" IS NOT NULL THEN 'service' WHEN f."hostId" IS NOT NULL THEN 'host' WHEN f."originId" IS NOT NULL THEN 'origin' END AS "assetKind",
  ${lookup(`host(x."address")`, "AssetHost", "hostId")} AS "address", coalesce(${lookup(`x."port"`, "AssetService", "serviceId")}, ${lookup(`x."port"`, "AssetOrigin", "originId")}) AS "port",
  ${lookup(`x."protocol"`, "AssetService", "serviceId")} AS "protocol", ${lookup(`x."scheme"`, "AssetOrigin", "originId")} AS "scheme", ${lookup(`x."host"`, "AssetOrigin", "originId")} AS "originHost"`;

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
  const rows = await db().$queryRawUnsafe<FindingRowSql[]>(`SELECT ${FINDING_COLUMNS} FROM "Finding" f WHERE ${where} ORDER BY ${order} LIMIT ${limit}`, ...params);
  return rows.map(findingSummary);
}
