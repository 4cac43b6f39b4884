import Link from "next/link";
import { FINDING_SEVERITIES, type FindingSeverity } from "../../lib/schemas/finding-vocabulary.ts";
import { SeverityBadge } from "./badges.tsx";

export interface InventoryRow {
  slug: string;
  name: string;
  personal: boolean;
  hosts: number;
  services: number;
  open: Record<FindingSeverity, number>;
  findings: number;
}

/** Every project the viewer reads, with its inventory counted; each links to its assets and findings. */
export function InventoryTable({ rows, caption }: { rows: InventoryRow[]; caption: string }) {
  return (
    <div className="card overflow-x-auto">
      <table className="table-dense table-stack">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Project</th>
            <th scope="col">Hosts</th>
            <th scope="col">Services</th>
            <th scope="col">Open findings</th>
            <th scope="col">All findings</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.slug}>
              <td data-label="Project" data-wide>
                <Link href={`/projects/${r.slug}/assets`} className="font-medium">{r.name}</Link>
                {r.personal && <span className="ml-1 text-xs text-zinc-500">(personal)</span>}
              </td>
              <td data-label="Hosts" className="tabular-nums"><Link href={`/projects/${r.slug}/assets`}>{r.hosts}</Link></td>
              <td data-label="Services" className="tabular-nums">{r.services}</td>
              <td data-label="Open findings">
                <Link href={`/projects/${r.slug}/findings?state=open`} className="inline-flex flex-wrap gap-1 hover:no-underline" aria-label={`Open findings of ${r.name}`}>
                  {[...FINDING_SEVERITIES].reverse().filter((s) => r.open[s] > 0).map((s) => (
                    <span key={s} className="inline-flex items-center gap-1"><SeverityBadge severity={s} /><span className="tabular-nums text-xs">{r.open[s]}</span></span>
                  ))}
                  {FINDING_SEVERITIES.every((s) => r.open[s] === 0) && <span className="text-xs text-zinc-500">none</span>}
                </Link>
              </td>
              <td data-label="All findings" className="tabular-nums"><Link href={`/projects/${r.slug}/findings`}>{r.findings}</Link></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
