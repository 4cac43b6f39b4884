import type { ServiceRow } from "../../lib/findings/mapping.ts";

/** A mapped document's hosts and ports as a table (the run page shows it above the document's JSON). */
export function ServiceRowsTable({ rows, caption }: { rows: ServiceRow[]; caption: string }) {
  return (
    <div className="card max-h-96 overflow-auto">
      <table className="table-dense">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">Port</th>
            <th scope="col">State</th>
            <th scope="col">Service</th>
            <th scope="col">Product / version</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} data-state={r.state ?? ""}>
              <td className="font-mono text-[13px]">
                {r.address}
                {r.names.length > 0 && <span className="ml-1 font-sans text-xs text-zinc-500">{r.names.join(", ")}</span>}
              </td>
              <td className="font-mono text-[13px]">{r.port === null ? "—" : `${r.port}/${r.protocol}`}</td>
              <td className={r.state === "open" ? "font-medium text-emerald-800" : "text-zinc-600"}>{r.state ?? "—"}</td>
              <td>{r.service ?? "—"}</td>
              <td className="break-words">{[r.product, r.version].filter(Boolean).join(" ") || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
