import type { RunStatus } from "../lib/types.ts";
import { formatTime } from "./time.ts";

export interface PickableRun {
  id: string;
  number: number;
  createdAt: string;
  status: RunStatus;
  args: Record<string, unknown>;
}

function label(r: PickableRun): string {
  const args = Object.entries(r.args)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
  const text = `#${r.number} · ${formatTime(r.createdAt)} · ${r.status}${args ? ` · ${args}` : ""}`;
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** Two runs of one function to compare: a plain GET form, so it works without JavaScript; a chosen ignore list goes along. */
export function ComparePicker({ runs, a, b, ignore }: { runs: PickableRun[]; a: string; b: string; ignore?: string[] }) {
  return (
    <form method="get" action="/compare" className="flex flex-wrap items-end gap-3" aria-label="Pick two runs">
      {ignore && <input type="hidden" name="ignore" value={ignore.join(",")} />}
      <label className="text-sm">
        <span className="label">Before (A)</span>
        <select name="a" defaultValue={a} className="input mt-1 max-w-md">
          {runs.map((r) => (
            <option key={r.id} value={r.id}>
              {label(r)}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        <span className="label">After (B)</span>
        <select name="b" defaultValue={b} className="input mt-1 max-w-md">
          {runs.map((r) => (
            <option key={r.id} value={r.id}>
              {label(r)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="btn">
        Compare
      </button>
    </form>
  );
}
