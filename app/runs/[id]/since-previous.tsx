import { CompareSince } from "../../../components/compare-since.tsx";
import { changesSincePrevious } from "../../../lib/compare/runs.ts";
import type { Viewer } from "../../../lib/types.ts";

/** "N new, M gone since the previous run" (assets and findings, then fields): streamed after the page, so the comparison never delays it. */
export async function SincePrevious({ viewer, runId, slug }: { viewer: Viewer; runId: string; slug: string }) {
  return <CompareSince runId={runId} since={await changesSincePrevious(viewer, runId)} slug={slug} />;
}
