"use client";

import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, LineElement, PointElement, Tooltip } from "chart.js";
import { useEffect, useState } from "react";
import { Bar, Line } from "react-chartjs-2";
import type { RunCount, TopValue } from "../lib/results/types.ts";

ChartJS.register(CategoryScale, LinearScale, BarElement, LineElement, PointElement, Tooltip);

const ACCENT = "rgb(37, 99, 235)";

function useChartData<T>(url: string | null): { data?: T; error?: string } {
  const [state, setState] = useState<{ url: string | null; data?: T; error?: string }>({ url: null });
  useEffect(() => {
    if (!url) return;
    const ctl = new AbortController();
    fetch(url, { signal: ctl.signal })
      .then(async (res) => {
        const body = await res.json();
        setState(res.ok ? { url, data: body as T } : { url, error: body?.error?.message ?? `HTTP ${res.status}` });
      })
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setState({ url, error: err instanceof Error ? err.message : "could not load the chart" });
      });
    return () => ctl.abort();
  }, [url]);
  return state.url === url ? state : {};
}

/** The top values of one field among the filtered documents (arrays unnested), as a bar chart. */
function TopValuesChart({ filterQuery, initialField }: { filterQuery: string; initialField: string }) {
  const [draft, setDraft] = useState(initialField);
  const [field, setField] = useState(initialField);
  const { data, error } = useChartData<{ values: TopValue[] }>(field ? `/api/results/chart?${filterQuery}&kind=top&field=${encodeURIComponent(field)}` : null);
  return (
    <figure className="card p-3" aria-label="Top values chart">
      <form
        className="flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          setField(draft.trim());
        }}
      >
        <div className="grow">
          <label htmlFor="chart-field" className="label text-xs">Top values of the field</label>
          <input id="chart-field" className="input mt-0.5 font-mono" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="hosts.ports.port" />
        </div>
        <button type="submit" className="btn">Chart</button>
      </form>
      <div className="mt-3 h-64">
        {error && <p className="text-sm text-red-700">{error}</p>}
        {!field && <p className="text-sm text-zinc-500">Name a field (open ports, services, hosts…) to count its values.</p>}
        {data && data.values.length === 0 && <p className="text-sm text-zinc-500">No document of this filter has a string, number or boolean at {field}.</p>}
        {data && data.values.length > 0 && (
          <Bar
            aria-label={`Top values of ${field}`}
            role="img"
            data={{
              labels: data.values.map((v) => (v.value.startsWith('"') ? (JSON.parse(v.value) as string) : v.value)),
              datasets: [{ label: "documents", data: data.values.map((v) => v.count), backgroundColor: ACCENT }],
            }}
            options={{ indexAxis: "y", maintainAspectRatio: false, animation: false, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }}
          />
        )}
      </div>
      <figcaption className="mt-1 text-xs text-zinc-500">Counted in every document matching the filter; values inside arrays count one by one.</figcaption>
    </figure>
  );
}

/** How many documents each run stored (of those matching the filter), over time. */
function RunsChart({ filterQuery }: { filterQuery: string }) {
  const { data, error } = useChartData<{ runs: RunCount[] }>(`/api/results/chart?${filterQuery}&kind=runs`);
  return (
    <figure className="card p-3" aria-label="Documents per run chart">
      <div className="h-64">
        {error && <p className="text-sm text-red-700">{error}</p>}
        {!data && !error && <p className="text-sm text-zinc-500">Loading…</p>}
        {data && (
          <Line
            aria-label="Documents per run over time"
            role="img"
            data={{
              labels: data.runs.map((r) => `#${r.number} ${new Date(r.createdAt).toLocaleDateString()}`),
              datasets: [{ label: "documents", data: data.runs.map((r) => r.documents), borderColor: ACCENT, backgroundColor: ACCENT, tension: 0.2 }],
            }}
            options={{ maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }}
          />
        )}
      </div>
      <figcaption className="mt-1 text-xs text-zinc-500">Documents per run (the latest 30 runs), oldest first.</figcaption>
    </figure>
  );
}

/** Charts of the current filter, loaded only when opened. */
export function ResultsCharts({ filterQuery, field }: { filterQuery: string; field: string }) {
  const [open, setOpen] = useState(Boolean(field));
  return (
    <details open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)} className="space-y-2">
      <summary className="cursor-pointer text-sm font-medium text-zinc-800">Charts</summary>
      {open && (
        <div className="mt-2 grid gap-3 lg:grid-cols-2">
          <TopValuesChart filterQuery={filterQuery} initialField={field} />
          <RunsChart filterQuery={filterQuery} />
        </div>
      )}
    </details>
  );
}
