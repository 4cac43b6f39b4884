import Link from "next/link";
import type { ServiceView } from "../../lib/findings/types.ts";
import { formatTime } from "../time.ts";

/** A host's services as the inventory knows them (last seen state, product and version). */
export function ServicesTable({ services, caption }: { services: ServiceView[]; caption: string }) {
  return (
    <div className="card overflow-x-auto">
      <table className="table-dense table-stack">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Port</th>
            <th scope="col">State</th>
            <th scope="col">Service</th>
            <th scope="col">Product</th>
            <th scope="col">First seen</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {services.map((s) => (
            <tr key={s.id} data-port={`${s.port}/${s.protocol}`}>
              <td data-label="Port" className="font-mono text-[13px]">{s.port}/{s.protocol}</td>
              <td data-label="State">{s.state ?? "—"}</td>
              <td data-label="Service">{s.service ?? "—"}</td>
              <td data-label="Product" className="break-words">{[s.product, s.version].filter(Boolean).join(" ") || "—"}</td>
              <td data-label="First seen" className="whitespace-nowrap text-xs tabular-nums">{formatTime(s.firstSeen)}</td>
              <td data-label="Last seen" className="whitespace-nowrap text-xs tabular-nums">
                {formatTime(s.lastSeen)}
                {s.lastRun && <> · <Link href={`/runs/${s.lastRun.id}`}>#{s.lastRun.number}</Link></>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
