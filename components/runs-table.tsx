import Link from "next/link";
import type { RunStatus } from "../lib/types.ts";
import { placeInLine } from "./queue-place.ts";
import { StatusBadge } from "./status-badge.tsx";
import { formatTime } from "./time.ts";

export interface RunRow {
  id: string;
  number: number;
  status: RunStatus;
  package: string;
  version: string | null;
  function: string;
  owner: string;
  startedAt: string | null;
  createdAt: string;
  durationMs: number | null;
  /** a queued run's place in line; the worker holding (or that held) it */
  queuePosition?: number | null;
  worker?: string | null;
}

export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** Runs as a dense table (one card per run on a phone); each row links to its run page. */
export function RunsTable({ runs, showOwner, caption }: { runs: RunRow[]; showOwner: boolean; caption: string }) {
  return (
    <div className="card overflow-x-auto">
      <table className="table-dense table-stack">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col">Package</th>
            <th scope="col">Function</th>
            {showOwner && <th scope="col">Owner</th>}
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} className="hover:bg-zinc-50">
              <td data-label="Run" className="font-mono text-xs">
                <Link href={`/runs/${r.id}`}>#{r.number}</Link>
              </td>
              <td data-label="Status">
                <StatusBadge status={r.status} />
                {r.status === "queued" && r.queuePosition ? <span className="ml-1 text-xs text-zinc-500">{placeInLine(r.queuePosition)}</span> : null}
                {r.worker && r.status !== "queued" ? <span className="ml-1 text-xs text-zinc-500">on {r.worker}</span> : null}
              </td>
              <td data-label="Package">
                <Link href={`/p/${r.package.replace(".", "/")}`} className="text-zinc-800">{r.package}</Link>
                {r.version && <span className="ml-1 font-mono text-xs text-zinc-400">{r.version}</span>}
              </td>
              <td data-label="Function" className="font-mono text-[13px]">
                <Link href={`/runs/${r.id}`}>{r.function}</Link>
              </td>
              {showOwner && <td data-label="Owner">{r.owner}</td>}
              <td data-label="Started" className="whitespace-nowrap text-xs tabular-nums">{formatTime(r.startedAt ?? r.createdAt)}</td>
              <td data-label="Duration" className="whitespace-nowrap text-xs tabular-nums">{formatMs(r.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
