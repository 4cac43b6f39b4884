import Link from "next/link";

export interface SincePrevious {
  previous: string;
  totals: { new: number; gone: number; changed: number };
  partial: boolean;
}

/** The run page's line: "2 new, 1 gone since the previous run", linking to the comparison. */
export function CompareSince({ runId, since }: { runId: string; since: SincePrevious | null }) {
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
    <p className="text-sm" aria-label="Since the previous run">
      <Link href={href}>
        {none ? "No change" : `${totals.new} new, ${totals.gone} gone${totals.changed ? `, ${totals.changed} changed` : ""}`} since the previous run
      </Link>
      {since.partial && <span className="text-zinc-500"> (partly compared)</span>}
      <span className="text-zinc-500"> · </span>
      <Link href={`/compare?b=${encodeURIComponent(runId)}`}>Compare with another run</Link>
    </p>
  );
}
