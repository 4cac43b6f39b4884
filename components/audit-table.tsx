import Link from "next/link";
import type { AuditEventView } from "../lib/audit/types.ts";
import { formatTime } from "./time.ts";

/** A run, a scan or a project named by an event: a link to it; anything else as text. */
function targetCell(e: AuditEventView) {
  if (!e.target) return <span className="text-zinc-400">—</span>;
  const data = (e.data ?? {}) as Record<string, unknown>;
  if (e.action.startsWith("run.")) return <Link href={`/runs/${e.target}`} className="font-mono">{typeof data.number === "number" ? `run #${data.number}` : e.target}</Link>;
  if (e.action.startsWith("scan.")) return <Link href={`/scans/${e.target}`} className="font-mono">{e.target}</Link>;
  if (e.action.startsWith("secret.") && typeof data.name === "string") return <span className="font-mono">secret {data.name}</span>;
  return <span className="break-all font-mono">{e.target}</span>;
}

/** What an event recorded besides, in one line (a run's arguments name secrets by reference only). */
function details(e: AuditEventView): string {
  if (e.data === null || e.data === undefined) return "";
  const data = e.data as Record<string, unknown>;
  if (e.action === "secret.use" && typeof data.number === "number") return `run #${data.number}, parameter ${String(data.param)}`;
  const text = JSON.stringify(data);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The audit trail, newest first (one card per event on a phone). */
export function AuditTable({ events }: { events: AuditEventView[] }) {
  return (
    <div className="card overflow-x-auto">
      <table className="table-dense table-stack">
        <caption className="sr-only">Audit events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Target</th>
            <th scope="col">Project</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} data-action={e.action}>
              <td data-label="When" className="whitespace-nowrap text-xs">{formatTime(e.at)}</td>
              <td data-label="Who">{e.actor ?? <span className="text-zinc-500">hub</span>}</td>
              <td data-label="What">
                {e.label} <span className="font-mono text-xs text-zinc-400">{e.action}</span>
              </td>
              <td data-label="Target">{targetCell(e)}</td>
              <td data-label="Project">{e.project ? <Link href={`/projects/${e.project.slug}`}>{e.project.name}</Link> : <span className="text-zinc-400">—</span>}</td>
              <td data-label="Details" data-wide className="max-w-md break-all font-mono text-xs text-zinc-600">{details(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
