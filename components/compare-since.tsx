import Link from "next/link";
import type { AssetChanges } from "../lib/findings/changes.ts";
import { AssetChangesLine } from "./findings/asset-changes.tsx";

export interface SincePrevious {
  previous: string;
  totals: { new: number; gone: number; changed: number };
  partial: boolean;
  assets?: AssetChanges;
}

/**
 * The run page's lines: assets and findings new and gone since the previous run ("1 new service
 * (10.0.0.2:8080/tcp), 0 gone; 1 new finding"), then "2 new, 1 gone since the previous run" over the
 * documents' fields, linking to the comparison.
 */
export function CompareSince({ runId, since, slug }: { runId: string; since: SincePrevious | null; slug: string }) {
  const href = `/compare?a=${encodeURIComponent(since?.previous ?? "")}&b=${encodeURIComponent(runId)}`;
  if (!since) {
    return (
      <p className="text-sm text-zinc-600" aria-label="Since the previous run">
        <Link href={`/compare?b=${encodeURIComponent(runId)}`}>Compare with another run</Link>
      </p>
    );
  }
  const { totals } = since;
  const none = !totals.new && !totals.gone && !totals.changed;
  return (
    <>
    {since.assets && <AssetChangesLine changes={since.assets} slug={slug} />}
    <p className="text-sm" aria-label="Since the previous run">
      <Link href={href}>
        {none ? "No change" : `${totals.new} new, ${totals.gone} gone${totals.changed ? `, ${totals.changed} changed` : ""}`} since the previous run
      </Link>
      {since.partial && <span className="text-zinc-500"> (partly compared)</span>}
      <span className="text-zinc-500"> · </span>
      <Link href={`/compare?b=${encodeURIComponent(runId)}`}>Compare with another run</Link>
    </p>
    </>
  );
}
