"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Fragment, useState } from "react";
import { ResultDocumentJson } from "./results-json.tsx";
import { formatTime } from "./time.ts";

/** One row of the results table: where the document came from and its picked fields as short previews. */
export interface ResultRowView {
  id: string;
  coll: string;
  runId: string;
  job: number;
  task: number;
  storedAt: string;
  bytes: number;
  cells: Record<string, string>;
}

function FieldPicker({ fields, columns }: { fields: string[]; columns: string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [picked, setPicked] = useState<string[]>(columns);
  const [extra, setExtra] = useState("");
  const apply = () => {
    const next = new URLSearchParams(params.toString());
    const all = [...picked, ...extra.split(",").map((s) => s.trim()).filter(Boolean)];
    if (all.length) next.set("fields", [...new Set(all)].join(","));
    else next.delete("fields");
    router.push(`${pathname}?${next.toString()}`);
  };
  const all = [...new Set([...columns, ...fields])];
  return (
    <details className="relative">
      <summary className="btn cursor-pointer list-none">Fields ({columns.length})</summary>
      <div role="group" aria-label="Pick the table's fields" className="absolute right-0 z-10 mt-1 max-h-96 w-72 overflow-y-auto rounded-md border border-zinc-200 bg-white p-3 shadow-lg">
        {all.map((f) => (
          <label key={f} className="flex items-center gap-2 py-0.5 font-mono text-xs">
            <input type="checkbox" checked={picked.includes(f)} onChange={(e) => setPicked(e.target.checked ? [...picked, f] : picked.filter((p) => p !== f))} />
            {f}
          </label>
        ))}
        <label className="label mt-2 text-xs" htmlFor="extra-fields">Other fields (dotted paths, comma separated)</label>
        <input id="extra-fields" className="input mt-0.5 font-mono text-xs" value={extra} onChange={(e) => setExtra(e.target.value)} placeholder="hosts.ports.port" />
        <button type="button" className="btn btn-primary mt-2 w-full" onClick={apply}>Show these fields</button>
      </div>
    </details>
  );
}

/** The documents of a results page as a table of previews; each row opens its whole document as JSON. */
export function ResultsTable({ rows, columns, fields, showColl }: { rows: ResultRowView[]; columns: string[]; fields: string[]; showColl: boolean }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };
  const span = columns.length + (showColl ? 4 : 3);
  return (
    <div className="space-y-2">
      <div className="flex justify-end">
        <FieldPicker fields={fields} columns={columns} />
      </div>
      <div className="card overflow-x-auto">
        <table className="table-dense" aria-label="Documents">
          <thead>
            <tr>
              <th scope="col"><span className="sr-only">Open</span></th>
              {showColl && <th scope="col">Collection</th>}
              <th scope="col">Run / task</th>
              {columns.map((c) => (
                <th key={c} scope="col" className="font-mono normal-case">{c}</th>
              ))}
              <th scope="col">Stored</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <Fragment key={r.id}>
                <tr>
                  <td>
                    <button type="button" className="text-xs text-accent-700 underline" aria-expanded={open.has(r.id)} onClick={() => toggle(r.id)}>
                      {open.has(r.id) ? "Hide" : "JSON"}
                    </button>
                  </td>
                  {showColl && <td className="font-mono text-xs">{r.coll}</td>}
                  <td className="whitespace-nowrap text-xs">
                    <Link href={`/runs/${encodeURIComponent(r.runId)}`}>#{r.job}</Link> <span className="text-zinc-500">task {r.task}</span>
                  </td>
                  {columns.map((c) => (
                    <td key={c} className="max-w-xs truncate font-mono text-xs" title={r.cells[c]}>{r.cells[c]}</td>
                  ))}
                  <td className="whitespace-nowrap text-xs tabular-nums text-zinc-500">{formatTime(r.storedAt)}</td>
                </tr>
                {open.has(r.id) && (
                  <tr>
                    <td colSpan={span} className="bg-zinc-50">
                      <ResultDocumentJson id={r.id} label={`Document of run #${r.job} task ${r.task}`} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
