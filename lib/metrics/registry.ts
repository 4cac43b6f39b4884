/**
 * The process's one Prometheus registry (prom-client), built from `METRICS`, plus Node's default
 * process metrics (`process_*`, `nodejs_*`). Kept on globalThis: Next.js may evaluate a module
 * once per bundle, and two registries would split the counts. Observing never throws into the
 * code it measures.
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { METRICS, type MetricDefinition } from "./definitions.ts";

type Labels<D extends MetricDefinition> = D["labels"][number];
type MetricOf<D extends MetricDefinition> = D["kind"] extends "histogram" ? Histogram<Labels<D>> : Gauge<Labels<D>>;
export type HubMetrics = { registry: Registry } & { [K in keyof typeof METRICS]: MetricOf<(typeof METRICS)[K]> };

function build(): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const out: Record<string, unknown> = { registry };
  for (const [key, d] of Object.entries(METRICS) as [string, MetricDefinition][]) {
    const common = { name: d.name, help: d.help, labelNames: [...d.labels], registers: [registry] };
    out[key] = d.kind === "histogram" ? new Histogram({ ...common, buckets: [...(d.buckets ?? [])] }) : new Gauge(common);
  }
  return out as HubMetrics;
}

const g = globalThis as typeof globalThis & { __levhubMetrics?: HubMetrics };

export function hubMetrics(): HubMetrics {
  g.__levhubMetrics ??= build();
  return g.__levhubMetrics;
}

type HistogramKey = { [K in keyof typeof METRICS]: (typeof METRICS)[K]["kind"] extends "histogram" ? K : never }[keyof typeof METRICS];

/** Records `seconds` in a histogram; a metrics failure is logged, never thrown. */
export function observe<K extends HistogramKey>(key: K, labels: Partial<Record<Labels<(typeof METRICS)[K]>, string>>, seconds: number): void {
  try {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    (hubMetrics()[key] as Histogram<string>).observe(labels, seconds);
  } catch (err) {
    console.error(`[levhub] metrics: ${METRICS[key].name} not recorded:`, err instanceof Error ? err.message : err);
  }
}

/** Seconds since `t0` (a `performance.now()` reading). */
export const secondsSince = (t0: number): number => (performance.now() - t0) / 1000;
