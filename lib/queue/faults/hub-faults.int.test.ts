/**
 * Faults on the hub's side while a worker runs: the hub web process killed mid-run (the run goes
 * on in its worker, the page's event stream resumes with Last-Event-ID, nothing lost or doubled),
 * the results store unreachable when a task finishes (the document is written once it is back),
 * and the database unreachable during submission (a clear error, nothing half-made). The hub is a
 * process of its own reaching PostgreSQL and the store through proxies this test takes down.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Docker from "dockerode";
import { startQueueCluster, type QueueCluster } from "../../testing/queue-cluster.ts";
import type { PublishResult } from "../../types.ts";
import { documents, logLines, noLeftovers, PROBE, readRunStream, settled, until, type SseEvent } from "../../testing/queue-faults.ts";

let cluster: QueueCluster;
let probe: PublishResult;
const engines = { first: new Docker() };

before(async () => {
  cluster = await startQueueCluster({ queue: { totalRuns: 16, perUserRuns: 16 } });
  probe = await cluster.publishDirectory(PROBE);
  await cluster.startWorker({ name: "steady", capacity: 4 });
});
after(async () => {
  await cluster?.close();
});

const withoutId = ({ _id, ...fields }: Record<string, unknown>) => (void _id, fields);

const tickLines = (events: SseEvent[]) =>
  events
    .filter((e) => (e.data as { type: string }).type === "log")
    .map((e) => (e.data as { log: { seq: number; line: string } }).log)
    .filter((l) => l.line.startsWith("tick "));

test("the hub web process killed mid-run: the run finishes in its worker, the stream resumes with nothing lost or doubled", async () => {
  const { startRun } = await import("../../runs/index.ts");
  const started = await startRun(cluster.alice, { versionId: probe.versionId, function: "tick", args: { n: 12, every: 0.4 } });
  const streamUrl = () => `${cluster.url}/api/runs/${started.id}/events`;

  const first = await readRunStream(streamUrl(), cluster.aliceToken, { stop: (_e, all) => tickLines(all).length >= 2 });
  assert.equal(first.ended, "stopped", "the first connection saw two ticks");
  assert.ok(first.lastEventId, "the stream names the last log line it sent (SSE id)");

  await cluster.killHub();
  // the worker goes on without a hub: ticks happen while nobody can take its events
  await new Promise((r) => setTimeout(r, 1500));
  await cluster.restartHub();

  const second = await readRunStream(streamUrl(), cluster.aliceToken, {
    lastEventId: first.lastEventId,
    stop: (e) => (e.data as { type: string }).type === "end",
  });
  assert.equal(second.ended, "stopped", "the resumed stream reached the end");
  const ticks = [...tickLines(first.events), ...tickLines(second.events)];
  assert.deepEqual(
    ticks.map((l) => l.line),
    Array.from({ length: 12 }, (_, i) => `tick ${i + 1} of 12`),
    "every line once, in order, across both connections",
  );
  const seqs = ticks.map((l) => l.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.equal(new Set(seqs).size, seqs.length);
  const end = second.events.at(-1)!.data as { status: string };
  assert.equal(end.status, "succeeded");

  const run = await settled(cluster.alice, started.id, 10_000);
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
  const docs = (await documents(cluster.alice, run.id)).filter((d) => d.task === 1);
  assert.deepEqual(docs.map((d) => withoutId(d.doc)), [{ ticks: 12, done: true }]);
  await noLeftovers(engines, run.id);
});

test("the results store down when a task finishes: the run waits, the document is written once the store is back", async () => {
  const { startRun } = await import("../../runs/index.ts");
  const started = await startRun(cluster.alice, { versionId: probe.versionId, function: "tick", args: { n: 4, every: 0.3 } });
  await until(cluster.alice, started.id, "the first tick", (r) => logLines(r).includes("tick 1 of 4"));
  await cluster.store.down();
  try {
    // the tool finishes and stores while the store is away; its events (logs) still reach the hub
    await until(cluster.alice, started.id, "the last tick", (r) => logLines(r).includes("tick 4 of 4"), 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    const { getRun } = await import("../../runs/index.ts");
    const meanwhile = await getRun(cluster.alice, started.id);
    assert.notEqual(meanwhile.status, "succeeded", "no success is reported before the document is stored");
    assert.notEqual(meanwhile.status, "failed", `a store that is briefly down fails nothing: ${JSON.stringify(meanwhile.error)}`);
  } finally {
    await cluster.store.up();
  }
  const run = await settled(cluster.alice, started.id, 60_000);
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
  const docs = (await documents(cluster.alice, run.id)).filter((d) => d.task === 1);
  assert.deepEqual(docs.map((d) => withoutId(d.doc)), [{ ticks: 4, done: true }]);
  assert.ok(run.tasks.every((t) => t.stored), "the task is marked stored");
  await noLeftovers(engines, run.id);
});

async function counts() {
  const { db } = await import("../../platform/db.ts");
  const runs = await db().run.count();
  const [{ jobs }] = await db().$queryRawUnsafe<{ jobs: number }[]>(`SELECT count(*)::int AS jobs FROM pgboss.job WHERE name LIKE 'levhub-run%'`);
  return { runs, jobs };
}

function submit(body: Record<string, unknown>) {
  return fetch(`${cluster.url}/api/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${cluster.aliceToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

test("the database unreachable during submission: a clear 503, no Run row, no job; and nothing half-made when it drops mid-submission", async (t) => {
  const body = { versionId: probe.versionId, function: "tick", args: { n: 1, every: 0.1 } };
  const before = await counts();
  await cluster.db.down();
  let res: Response;
  try {
    res = await submit(body);
  } finally {
    await cluster.db.up();
  }
  assert.equal(res.status, 503, await res.clone().text());
  const err = ((await res.json()) as { error: { code: string; message: string } }).error;
  assert.equal(err.code, "unavailable");
  assert.match(err.message, /database/i);
  assert.deepEqual(await counts(), before, "no Run row and no job");

  // ten submissions 60 ms apart, the connection cut when the first one succeeds: some are done,
  // some under way, some not begun; each one is whole or absent
  let firstStarted!: () => void;
  const started = new Promise<void>((resolve) => (firstStarted = resolve));
  const pending = Array.from({ length: 10 }, async (_, i) => {
    await new Promise((r) => setTimeout(r, i * 60));
    const status = await submit(body).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 201) firstStarted();
    return status;
  });
  await Promise.race([started, new Promise((r) => setTimeout(r, 10_000))]);
  await cluster.db.down();
  const answers = await Promise.all(pending);
  await cluster.db.up();
  t.diagnostic(`answers while the connection dropped: ${answers.join(", ")}`);
  assert.ok(
    answers.every((s) => s === 201 || s === 503),
    `each submission either started or failed clearly: ${answers.join(", ")}`,
  );
  const after = await counts();
  const created = answers.filter((s) => s === 201).length;
  assert.equal(after.runs - before.runs, after.jobs - before.jobs, "every Run row has its job and every job its Run row");
  assert.ok(after.runs - before.runs >= created, `the ${created} answered 201 exist`);

  // the hub recovers: a submission after the outage runs
  const ok = await submit(body);
  assert.equal(ok.status, 201, await ok.clone().text());
  const { id } = (await ok.json()) as { id: string };
  const run = await settled(cluster.alice, id, 60_000);
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
});
