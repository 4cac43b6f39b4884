import assert from "node:assert/strict";
import { test } from "node:test";
import { HOSTNET_QUEUE, RUN_QUEUE } from "../queue/queue-names.ts";
import { METRICS, methodLabel, queueKind, type MetricDefinition } from "./definitions.ts";

const all = Object.values(METRICS) as MetricDefinition[];

test("metric names follow Prometheus' conventions: one prefix, snake case, units and _total where they belong", () => {
  const problems: string[] = [];
  for (const m of all) {
    if (!/^levhub_[a-z][a-z0-9_]*[a-z0-9]$/.test(m.name)) problems.push(`${m.name}: not levhub_<snake_case>`);
    if (m.kind === "histogram" && !m.name.endsWith("_seconds")) problems.push(`${m.name}: a histogram of durations ends in _seconds`);
    if (m.kind === "counter" && !m.name.endsWith("_total")) problems.push(`${m.name}: a counter ends in _total`);
    if (m.kind !== "counter" && m.name.endsWith("_total")) problems.push(`${m.name}: only counters end in _total`);
    if (m.kind === "histogram" && !m.buckets?.length) problems.push(`${m.name}: a histogram without buckets`);
    if (m.buckets && m.buckets.some((b, i) => i > 0 && b <= m.buckets![i - 1])) problems.push(`${m.name}: buckets must increase`);
    if (!/^[A-Z].*\.$/.test(m.help)) problems.push(`${m.name}: help is a sentence`);
  }
  assert.deepEqual(problems, []);
  assert.equal(new Set(all.map((m) => m.name)).size, all.length, "names are unique");
});

test("labels are snake case, never reserved, never a target label, never an id, URL or user", () => {
  // `le`/`quantile` belong to histograms and summaries; `instance`/`job` to the scrape target (Prometheus would rename them)
  const reserved = new Set(["le", "quantile", "instance", "job"]);
  // a label per run, user or URL would make a series per run, user or URL
  const unbounded = /^(id|.*_id|run|runs|user|users|owner|url|path|email|token|namespace|package)$/;
  const problems: string[] = [];
  for (const m of all) {
    for (const l of m.labels) {
      if (!/^[a-z][a-z0-9_]*$/.test(l) || l.startsWith("__")) problems.push(`${m.name}{${l}}: not snake case`);
      if (reserved.has(l)) problems.push(`${m.name}{${l}}: reserved`);
      if (unbounded.test(l)) problems.push(`${m.name}{${l}}: unbounded`);
    }
    if (new Set(m.labels).size !== m.labels.length) problems.push(`${m.name}: a label twice`);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(METRICS.httpDuration.labels, ["method", "route", "code"], "HTTP latency by route pattern, never by URL");
});

test("queues are labelled by kind: every device's queue is one kind", () => {
  assert.equal(queueKind(RUN_QUEUE), "run");
  assert.equal(queueKind(HOSTNET_QUEUE), "hostnet");
  assert.equal(queueKind("levhub-device-cmabc123"), "device");
  assert.equal(queueKind("levhub-device-other"), "device");
  assert.equal(queueKind(null), "run", "runs queued before the queue had names");
});

test("methods outside HTTP's set are one label", () => {
  assert.equal(methodLabel("get"), "GET");
  assert.equal(methodLabel("PATCH"), "PATCH");
  assert.equal(methodLabel("BREW"), "other");
  assert.equal(methodLabel("x".repeat(1000)), "other");
});
