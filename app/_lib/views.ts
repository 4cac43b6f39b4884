import type { PackageCardView } from "../../components/package-card.tsx";
import type { RunRow } from "../../components/runs-table.tsx";
import { ATTCK_TACTICS, BLACKARCH_CATEGORIES } from "../../lib/packages/categories.ts";
import type { PackageSummary, RunSummary } from "../../lib/types.ts";

/** lib's package DTO in the shape the package card shows; `favourited`: the ids of the viewer's favourites among them. */
export function toCard(p: PackageSummary, favourited: ReadonlySet<string> = new Set()): PackageCardView {
  return {
    namespace: p.namespace,
    name: p.name,
    desc: p.desc,
    version: p.version,
    tags: p.tags,
    tactics: p.attck.map(tacticLabel),
    categories: p.blackarch.map(categoryLabel),
    functionCount: p.functions,
    kinds: p.kinds,
    isPrivate: p.private,
    isOfficial: p.official !== null,
    updatedAt: p.updatedAt,
    favourites: p.favourites,
    favourited: favourited.has(p.id),
  };
}

export function toRunRow(r: RunSummary): RunRow {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    package: r.package,
    version: r.packageVersion,
    function: r.function,
    owner: r.owner,
    startedAt: r.startedAt,
    createdAt: r.createdAt,
    durationMs: r.durationMs,
    queuePosition: r.queuePosition,
    worker: r.worker,
  };
}

const TACTIC_LABEL = new Map(ATTCK_TACTICS.map((c) => [c.key, c.label]));
const CATEGORY_LABEL = new Map(BLACKARCH_CATEGORIES.map((c) => [c.key, c.label]));

export function tacticLabel(key: string): string {
  return TACTIC_LABEL.get(key) ?? key;
}

export function categoryLabel(key: string): string {
  return CATEGORY_LABEL.get(key) ?? key;
}
