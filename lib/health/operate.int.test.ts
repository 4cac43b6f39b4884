/**
 * Operating the hub: `/api/health`, `/api/ready` and `/metrics` of a hub web process of its own
 * (queue-cluster.ts) that reaches PostgreSQL and the results store through proxies this test cuts.
 * Readiness names what is down; the metrics say what a run did; only the metrics token reads them.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startQueueCluster, type QueueCluster } from "../testing/queue-cluster.ts";
import { PROBE, settled } from "../testing/queue-faults.ts";
import type { PublishResult } from "../types.ts";

const ENV_TOKEN = "an-operators-own-metrics-token";
const saved = { token: process.env.LEVHUB_METRICS_TOKEN, cache: process.env.LEVHUB_METRICS_CACHE_MS, ready: process.env.LEVHUB_READY_TIMEOUT_MS };
let cluster: QueueCluster;
let probe: PublishResult;

before(async () => {
  // the hub process inherits these: the operator's token, no snapshot reuse (each scrape reads the database), short checks
  process.env.LEVHUB_METRICS_TOKEN = ENV_TOKEN;
  process.env.LEVHUB_METRICS_CACHE_MS = "0";
  process.env.LEVHUB_READY_TIMEOUT_MS = "1500";
  cluster = await startQueueCluster();
  probe = await cluster.publishDirectory(PROBE);
});
after(async () => {
  await cluster?.close();
  for (const [key, value] of [["LEVHUB_METRICS_TOKEN", saved.token], ["LEVHUB_METRICS_CACHE_MS", saved.cache], ["LEVHUB_READY_TIMEOUT_MS", saved.ready]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

interface ReadyBody {
  status: string;
  down: string[];
  components: Record<string, { status: string; detail?: string }>;
  error?: { code: string; message: string; problems: { where: string; message: string }[] };
}

async function ready(): Promise<{ status: number; body: ReadyBody }> {
  const res = await fetch(`${cluster.url}/api/ready`);
  return { status: res.status, body: (await res.json()) as ReadyBody };
}

/** Readiness once `cond` holds; fails naming the last answer after `ms`. */
async function readyWhen(what: string, cond: (r: { status: number; body: ReadyBody }) => boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await ready();
    if (cond(r)) return r;
    if (Date.now() > deadline) throw new Error(`/api/ready: not ${what} within ${ms / 1000} s: ${r.status} ${JSON.stringify(r.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function scrape(token?: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${cluster.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

/** The value of a sample of the exposition whose labels include `labels`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? "").matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

test("health answers whatever the dependencies do; ready says no worker is live", async () => {
  const health = await fetch(`${cluster.url}/api/health`, { headers: { authorization: "Bearer not-a-token" } });
  assert.equal(health.status, 200, "health reads no credential");
  assert.equal(((await health.json()) as { status: string }).status, "ok");
  const r = await ready();
  assert.equal(r.status, 503);
  assert.deepEqual(r.body.down, ["workers"]);
  assert.equal(r.body.components.workers.detail, "no live worker");
  assert.equal(r.body.components.database.status, "up");
  assert.equal(r.body.error?.code, "unavailable");
  assert.match(r.body.error?.message ?? "", /workers: no live worker/);
});

test("after a run the metrics count it: runs by status, claim latency, task and run durations, result writes, HTTP by route, heartbeats", async () => {
  await cluster.startWorker({ name: "metrics-w" });
  assert.equal((await readyWhen("ready", (r) => r.status === 200)).body.status, "ready");
  const { startRun } = await import("../runs/index.ts");
  const run = await startRun(cluster.alice, { versionId: probe.versionId, function: "tick", args: { n: 2, every: 0.1 } });
  assert.equal((await settled(cluster.alice, run.id, 120_000)).status, "succeeded");

  const { status, type, text } = await scrape(ENV_TOKEN);
  assert.equal(status, 200);
  assert.equal(type, "text/plain; version=0.0.4; charset=utf-8");
  assert.equal(sample(text, "levhub_metrics_database_up"), 1);
  assert.ok(sample(text, "levhub_runs", { status: "succeeded" })! >= 1, "runs by status");
  assert.equal(sample(text, "levhub_runs", { status: "cancelled" }), 0, "every status has a series");
  assert.equal(sample(text, "levhub_queue_depth", { queue: "run" }), 0);
  assert.equal(sample(text, "levhub_queue_oldest_age_seconds", { queue: "run" }), 0);
  assert.ok(sample(text, "levhub_run_claim_latency_seconds_count", { queue: "run" })! >= 1, "claim latency");
  assert.ok(sample(text, "levhub_task_duration_seconds_count", { status: "succeeded" })! >= 1, "task durations");
  assert.ok(sample(text, "levhub_run_duration_seconds_count", { status: "succeeded" })! >= 1, "run durations");
  for (const store of ["mongodb", "index"]) assert.ok(sample(text, "levhub_results_write_duration_seconds_count", { store, op: "put", outcome: "ok" })! >= 1, `${store} writes`);
  assert.ok(sample(text, "levhub_http_request_duration_seconds_count", { method: "POST", route: "/api/worker/runs/[id]/events", code: "200" })! >= 1, "HTTP by route pattern");
  assert.ok(sample(text, "levhub_workers", { state: "online", kind: "hub" })! >= 1);
  const age = sample(text, "levhub_worker_heartbeat_age_seconds", { worker: "metrics-w" });
  assert.ok(age !== undefined && age >= 0 && age < 60, `a heartbeat age for the live worker (${age})`);
  assert.ok(!text.includes(run.id), "no run id in any label");
});

test("only the metrics token opens /metrics, and it opens nothing else", async () => {
  assert.equal((await scrape()).status, 401);
  assert.equal((await scrape(cluster.aliceToken)).status, 401, "a user's API token");
  assert.equal((await scrape(await cluster.workerToken("not-a-scraper"))).status, 401, "a worker credential");
  assert.equal((await scrape("lmt_" + "x".repeat(43))).status, 401, "a token of the right shape");
  assert.equal((await scrape(ENV_TOKEN)).status, 200, "LEVHUB_METRICS_TOKEN");

  const { createMetricsToken, revokeMetricsToken } = await import("../metrics/token.ts");
  const first = (await createMetricsToken(null)).token;
  assert.match(first, /^lmt_[A-Za-z0-9_-]{43}$/);
  assert.equal((await scrape(first)).status, 200);
  const me = await fetch(`${cluster.url}/api/me`, { headers: { authorization: `Bearer ${first}` } });
  assert.equal(me.status, 401, "the metrics token is no user token");
  const poll = await fetch(`${cluster.url}/api/worker/poll`, { method: "POST", headers: { authorization: `Bearer ${first}`, "content-type": "application/json" }, body: "{}" });
  assert.equal(poll.status, 401, "nor a worker credential");

  const second = (await createMetricsToken(null)).token;
  assert.equal((await scrape(first)).status, 401, "a new token replaces the old one");
  assert.equal((await scrape(second)).status, 200);
  await revokeMetricsToken(null);
  assert.equal((await scrape(second)).status, 401, "revoked");
  assert.equal((await scrape(ENV_TOKEN)).status, 200, "the operator's own token stays");
});

test("the database cut: ready is 503 naming it, health stays 200, metrics still answer (database_up 0); back once it returns", async () => {
  await readyWhen("ready", (r) => r.status === 200);
  await cluster.db.down();
  try {
    const r = await ready();
    assert.equal(r.status, 503);
    assert.ok(r.body.down.includes("database"), JSON.stringify(r.body));
    assert.equal(r.body.components.results.status, "up", "the results store is not the database");
    assert.doesNotMatch(JSON.stringify(r.body), /postgres(ql)?:\/\/|127\.0\.0\.1:\d+/, "no connection details in a public answer");
    assert.equal((await fetch(`${cluster.url}/api/health`)).status, 200);
    const m = await scrape(ENV_TOKEN);
    assert.equal(m.status, 200, "the operator's token needs no database");
    assert.equal(sample(m.text, "levhub_metrics_database_up"), 0);
    assert.equal(sample(m.text, "levhub_runs", { status: "succeeded" }), undefined, "no stale database gauges");
    assert.ok(sample(m.text, "levhub_run_claim_latency_seconds_count", { queue: "run" })! >= 1, "the process's own metrics are kept");
  } finally {
    await cluster.db.up();
  }
  await readyWhen("ready again", (r) => r.status === 200);
});

test("the results store cut: ready is 503 naming it, and back once it returns", async () => {
  await readyWhen("ready", (r) => r.status === 200);
  await cluster.store.down();
  try {
    const r = await ready();
    assert.equal(r.status, 503);
    assert.deepEqual(r.body.down, ["results"]);
  } finally {
    await cluster.store.up();
  }
  await readyWhen("ready again", (r) => r.status === 200);
});
