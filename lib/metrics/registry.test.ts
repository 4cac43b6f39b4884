import assert from "node:assert/strict";
import { test } from "node:test";
import { METRICS } from "./definitions.ts";
import { timedRoute } from "./http.ts";
import { hubMetrics, observe } from "./registry.ts";

async function count(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await hubMetrics().registry.getMetricsAsJSON()).find((m) => m.name === name);
  // a histogram's values carry the sample's own name (`…_count`, `…_sum`, `…_bucket`)
  const values = (metric?.values ?? []) as { metricName?: string; labels: Record<string, string | number>; value: number }[];
  const sample = values.find((v) => v.metricName === `${name}_count` && Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return Number(sample?.value ?? 0);
}

test("the exposition describes every metric (HELP and TYPE) beside Node's process metrics", async () => {
  const text = await hubMetrics().registry.metrics();
  for (const m of Object.values(METRICS)) {
    assert.match(text, new RegExp(`^# HELP ${m.name} `, "m"), m.name);
    assert.match(text, new RegExp(`^# TYPE ${m.name} ${m.kind}$`, "m"), m.name);
  }
  assert.match(text, /^process_cpu_user_seconds_total /m);
  assert.equal(hubMetrics(), hubMetrics(), "one registry per process");
});

test("observe records seconds and ignores what is no duration", async () => {
  const labels = { status: "succeeded" };
  const before = await count(METRICS.taskDuration.name, labels);
  observe("taskDuration", labels, 2.5);
  observe("taskDuration", labels, Number.NaN);
  observe("taskDuration", labels, -1);
  assert.equal(await count(METRICS.taskDuration.name, labels), before + 1);
});

test("HTTP latency is labelled by method, route pattern and status, never by the URL", async () => {
  const handler = timedRoute(async () => new Response("no", { status: 404 }));
  const labels = { method: "GET", route: "/api/runs/[id]/events", code: "404" };
  const before = await count(METRICS.httpDuration.name, labels);
  for (const id of ["cmone", "cmtwo", "cmthree"]) {
    await handler(new Request(`http://hub.test/api/runs/${id}/events?x=1`), { params: Promise.resolve({ id }) });
  }
  assert.equal(await count(METRICS.httpDuration.name, labels), before + 3);
  const text = await hubMetrics().registry.metrics();
  assert.doesNotMatch(text, /cmone|cmtwo|x=1/);
});
