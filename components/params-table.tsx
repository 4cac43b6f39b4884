import type { ManifestParam } from "../runner/src/index.ts";

/** A parameter as the manifest describes it. */
export type ParamView = ManifestParam;

export function formatDefault(v: unknown): string {
  if (v === undefined) return "";
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}

/** The parameters of a mode or workflow as a dense table. */
export function ParamsTable({ params, caption }: { params: ParamView[]; caption: string }) {
  if (params.length === 0) return <p className="text-sm text-zinc-500">Takes no parameters.</p>;
  return (
    <div className="overflow-x-auto rounded-md border border-zinc-200">
      <table className="table-dense">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Default</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {params.map((p) => (
            <tr key={p.name}>
              <td className="font-mono text-[13px]">
                {p.name}
                {p.required && <span className="ml-1 text-xs font-sans font-medium text-red-700">required</span>}
              </td>
              <td className="font-mono text-[13px] text-zinc-600">{p.type}</td>
              <td className="font-mono text-[13px] text-zinc-600">{p.required ? "—" : formatDefault(p.default)}</td>
              <td className="text-zinc-700">
                {p.desc}
                {p.holder && <div className="text-xs text-zinc-500">e.g. <code>{p.holder}</code></div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
