/**
 * Every metric the hub exposes at `/metrics`, in one place: name, help, kind, labels and buckets.
 * The registry is built from these, the README's table is written from them, and a unit test
 * holds them to Prometheus' naming rules. Labels only ever take values from closed sets (route
 * patterns, statuses, queue kinds) or the hub's own worker names, never an id, a URL or user
 * input, so the number of series stays bounded. Pure.
 */
import { ENFORCED6_QUEUE, ENFORCED_QUEUE, HOSTNET_QUEUE, RUN_QUEUE } from "../queue/queue-names.ts";

export type MetricKind = "counter" | "gauge" | "histogram";

export interface MetricDefinition {
  name: string;
  help: string;
  kind: MetricKind;
  labels: readonly string[];
  buckets?: readonly number[];
}

/** Seconds, from a fast database call to a long scan. */
const SHORT = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;
const HTTP = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;
const WAIT = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600] as const;
const LONG = [0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600] as const;

export const METRICS = {
  httpDuration: {
    name: "levhub_http_request_duration_seconds",
    help: "Time to answer an HTTP API request (to the response headers for streams), by method, route pattern and status code.",
    kind: "histogram",
    labels: ["method", "route", "code"],
    buckets: HTTP,
  },
  claimLatency: {
    name: "levhub_run_claim_latency_seconds",
    help: "Time a run waited in the queue until a worker claimed it, by queue kind.",
    kind: "histogram",
    labels: ["queue"],
    buckets: WAIT,
  },
  taskDuration: {
    name: "levhub_task_duration_seconds",
    help: "Duration of finished tasks as workers report them, by final task status.",
    kind: "histogram",
    labels: ["status"],
    buckets: LONG,
  },
  runDuration: {
    name: "levhub_run_duration_seconds",
    help: "Duration of finished runs (start to end) as workers report them, by final run status.",
    kind: "histogram",
    labels: ["status"],
    buckets: LONG,
  },
  resultsWrite: {
    name: "levhub_results_write_duration_seconds",
    help: "Time to write one result document, by store (mongodb: the contract store, index: the PostgreSQL results index), operation and outcome.",
    kind: "histogram",
    labels: ["store", "op", "outcome"],
    buckets: SHORT,
  },
  runs: {
    name: "levhub_runs",
    help: "Runs in the database by status (read at scrape time).",
    kind: "gauge",
    labels: ["status"],
  },
  queueDepth: {
    name: "levhub_queue_depth",
    help: "Runs waiting in the queue, by queue kind (read at scrape time).",
    kind: "gauge",
    labels: ["queue"],
  },
  queueOldestAge: {
    name: "levhub_queue_oldest_age_seconds",
    help: "How long the oldest queued run has waited, by queue kind; 0 when none waits (read at scrape time).",
    kind: "gauge",
    labels: ["queue"],
  },
  workers: {
    name: "levhub_workers",
    help: "Registered worker instances by state and kind (hub: the hub's workers, device: users' devices) (read at scrape time).",
    kind: "gauge",
    labels: ["state", "kind"],
  },
  heartbeatAge: {
    name: "levhub_worker_heartbeat_age_seconds",
    help: "Seconds since each live hub worker instance was last heard from (three missed heartbeats make it lost) (read at scrape time).",
    kind: "gauge",
    labels: ["worker", "worker_instance"],
  },
  databaseUp: {
    name: "levhub_metrics_database_up",
    help: "Whether the database answered the scrape-time queries: 1 yes, 0 no (the database gauges are then left out).",
    kind: "gauge",
    labels: [],
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

/** The queue kinds metrics are labelled with: device queues (one per device) count as one kind. */
export const QUEUE_KINDS = ["run", "hostnet", "enforced", "enforced6", "device"] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

export function queueKind(queue: string | null | undefined): QueueKind {
  if (queue === HOSTNET_QUEUE) return "hostnet";
  if (queue === ENFORCED_QUEUE) return "enforced";
  if (queue === ENFORCED6_QUEUE) return "enforced6";
  if (queue === RUN_QUEUE || !queue) return "run";
  return "device";
}

export const WORKER_KINDS = ["hub", "device"] as const;

/** Methods a route may export; anything else is counted as "other". */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export function methodLabel(method: string): string {
  const m = method.toUpperCase();
  return METHODS.has(m) ? m : "other";
}
