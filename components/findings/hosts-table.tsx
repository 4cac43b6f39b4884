import Link from "next/link";
import type { HostSummary } from "../../lib/findings/types.ts";
import { formatTime } from "../time.ts";

export const hostHref = (slug: string, address: string) => `/projects/${slug}/hosts/${encodeURIComponent(address)}`;

/** A project's hosts: address, names, open services and findings, when last seen and by which run. */
export function HostsTable({ slug, hosts, caption }: { slug: string; hosts: HostSummary[]; caption: string }) {
  return (
    <div className="card overflow-x-auto">
      <table className="table-dense table-stack">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">Names</th>
            <th scope="col">Services</th>
            <th scope="col">Open findings</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {hosts.map((h) => (
            <tr key={h.id} data-address={h.address}>
              <td data-label="Host" className="font-mono text-[13px]"><Link href={hostHref(slug, h.address)}>{h.address}</Link></td>
              <td data-label="Names" className="break-words text-xs text-zinc-600">{h.names.join(", ") || "—"}</td>
              <td data-label="Services" className="tabular-nums">{h.serviceCount}</td>
              <td data-label="Open findings" className="tabular-nums">{h.openFindings ? <Link href={hostHref(slug, h.address)} className="font-medium text-red-700">{h.openFindings}</Link> : 0}</td>
              <td data-label="Last seen" className="whitespace-nowrap text-xs tabular-nums">
                {formatTime(h.lastSeen)}
                {h.lastRun && <> · <Link href={`/runs/${h.lastRun.id}`}>#{h.lastRun.number}</Link></>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
