import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createHarness, FIXTURES, logText, type Harness } from "./harness.ts";

const CASES = path.join(FIXTURES, "levtest.cases");

describe("runner against real Docker and FerretDB: the seeds' API and every failure", () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    await h.close();
    assert.deepEqual(await h.leftovers(), [], "no labelled container or network of this runner remains");
  });

  test("seed 003: lev.set, Document.get, coll names, nested namespaces", async () => {
    const r = await h.run(CASES, "seed_api");
    assert.equal(r.status, "succeeded", JSON.stringify(r.error) + logText(r));
    assert.match(logText(r, 0), /seed_api ok/);
    assert.deepEqual(r.collections.sort(), ["example|ts/issues@1.0", "httpbin|org|ts/issues@1.0", "ts/issues@1.0"]);
    const docs = await h.db.collection("httpbin|org|ts/issues@1.0").find({}).toArray();
    assert.equal(docs.length, 1);
    assert.deepEqual(docs[0]._id, { job: r.job, task: 3 });
    assert.equal(docs[0].target, "httpbin.org");
    assert.equal(docs[0]._lev.owner, "tester");
    assert.equal(r.tasks.length, 3);
    assert.ok(r.tasks.every((t) => t.status === "succeeded" && t.exitCode === 0 && t.stored));
  });

  test("seed 002: Concurrent(limit=2) and `async for doc in result.all()`", async () => {
    const r = await h.run(CASES, "seed_all");
    assert.equal(r.status, "succeeded", JSON.stringify(r.error) + logText(r));
    assert.match(logText(r, 0), /\['a\.example', 'b\.example'\]/);
  });

  test("an exception in an entry fails its task with the traceback; the workflow raises", async () => {
    const r = await h.run(CASES, "wf_task_fails");
    assert.equal(r.status, "failed");
    const t = r.tasks[0];
    assert.equal(t.status, "failed");
    assert.equal(t.exitCode, 1);
    assert.match(t.error?.message ?? "", /ValueError: entry exploded/);
    assert.match(t.error?.traceback ?? "", /Traceback[\s\S]*raise ValueError\(msg\)/);
    assert.match(logText(r, 1), /ValueError: entry exploded/, "the traceback is in the task's log");
    assert.match(r.error?.traceback ?? "", /TaskFailed/);
    // what it stored before raising is kept
    const doc = await h.db.collection(t.coll).findOne({ _id: { job: r.job, task: 1 } as never });
    assert.equal(doc?.before, "stored before the error");
    assert.deepEqual(await h.leftovers(r.runId), []);
  });

  test("a workflow may catch a failed task as levrt.TaskFailed", async () => {
    const r = await h.run(CASES, "wf_catch_failure");
    assert.equal(r.status, "succeeded", logText(r));
    assert.match(logText(r, 0), /caught: .*ValueError: caught/);
  });

  test("an exception in the workflow fails the run with its traceback", async () => {
    const r = await h.run(CASES, "wf_raise");
    assert.equal(r.status, "failed");
    assert.match(r.error?.message ?? "", /RuntimeError: the workflow itself failed/);
    assert.match(r.error?.traceback ?? "", /Traceback[\s\S]*flows\.py/);
  });

  test("a missing image is a clear ImageNotFound error", async () => {
    const r = await h.run(CASES, "wf_missing_image");
    assert.equal(r.status, "failed");
    assert.equal(r.error?.type, "ImageNotFound");
    assert.equal(r.error?.message, "image 'levhub/does-not-exist:never' is not available to this run");
    assert.equal(r.tasks[0].status, "failed");
    assert.deepEqual(await h.leftovers(r.runId), []);
  });

  test("a non-serialisable argument fails before any container starts", async () => {
    const r = await h.run(CASES, "wf_bad_arg");
    assert.equal(r.status, "failed");
    assert.match(r.error?.message ?? "", /serialis|serializ/i);
    assert.equal(r.tasks.length, 0);
  });

  test("unknown functions and bad arguments fail clearly", async () => {
    const r = await h.run(CASES, "no_such_function");
    assert.equal(r.status, "failed");
    assert.match(r.error?.message ?? "", /no_such_function/);
    const r2 = await h.run(CASES, "wf_set", { nope: 1 });
    assert.equal(r2.status, "failed");
    assert.match(r2.error?.message ?? "", /nope/);
  });

  test("a task timeout really kills the container", async () => {
    const t0 = Date.now();
    const r = await h.run(CASES, "tools.sleepy", { seconds: 60, timeout: 2 });
    // killed, not waited for: the run ended before the entry's own sleep could have
    assert.ok(Date.now() - t0 < 60_000);
    assert.equal(r.status, "failed");
    assert.equal(r.tasks[0].status, "timed_out");
    assert.equal(r.error?.type, "TaskTimeout");
    assert.match(r.error?.traceback ?? "", /Traceback/, "the workflow's traceback is kept beside the task's error");
    assert.deepEqual(await h.leftovers(r.runId), []);
  });

  test("a run timeout stops the workflow and every task", async () => {
    const r = await h.run(CASES, "wf_sleepers", { n: 2, seconds: 60 }, { timeoutMs: 5000 });
    assert.equal(r.status, "timed_out");
    assert.ok(r.tasks.every((t) => t.status === "cancelled"), JSON.stringify(r.tasks.map((t) => t.status)));
    assert.deepEqual(await h.leftovers(r.runId), []);
  });

  test("cancel stops every container of the run", async () => {
    const run = h.start({ packageDir: CASES, function: "wf_sleepers", args: { n: 3, seconds: 120 } });
    let started = 0;
    for await (const ev of run.events()) {
      if (ev.type === "task.started" && ++started === 3) break;
    }
    assert.ok((await h.leftovers(run.id)).filter((x) => x.kind === "container").length >= 4);
    const r = await run.cancel();
    assert.equal(r.status, "cancelled");
    assert.equal(r.tasks.length, 3);
    assert.ok(r.tasks.every((t) => t.status === "cancelled"));
    assert.deepEqual(await h.leftovers(run.id), []);
  });

  test("Task.signal stops a task without an error and keeps what it stored", async () => {
    const r = await h.run(CASES, "wf_signal");
    assert.equal(r.status, "succeeded", logText(r));
    assert.equal(r.tasks[0].status, "stopped");
    assert.match(logText(r, 0), /after signal: \{'progress': 'interrupted'\}/);
  });

  test("files (bytes and package paths) and env reach the tool container", async () => {
    const r = await h.run(CASES, "wf_files_env", { note: "n1" });
    assert.equal(r.status, "succeeded", logText(r));
    const doc = await h.db.collection(r.tasks[0].coll).findOne({ _id: { job: r.job, task: 1 } as never });
    assert.equal(doc?.config, '{"note": "n1"}');
    assert.equal(doc?.sample, "sample data shipped in the package");
    assert.equal(doc?.greeting, "hello n1");
  });

  test("services start first, are reachable by name, and are removed", async () => {
    const r = await h.run(CASES, "wf_services");
    assert.equal(r.status, "succeeded", logText(r));
    assert.match(logText(r, 0), /'status': 200/);
    assert.deepEqual(await h.leftovers(r.runId), []);
  });

  test("links make another task reachable under an alias; ports are awaited", async () => {
    const r = await h.run(CASES, "wf_links");
    assert.equal(r.status, "succeeded", logText(r));
    assert.match(logText(r, 0), /'status': 200/);
  });

  test("ctx.set in a workflow stores the workflow's own document (task 0)", async () => {
    const r = await h.run(CASES, "wf_set", { value: 9 });
    assert.equal(r.status, "succeeded", logText(r));
    const doc = await h.db.collection("levtest/cases.wf_set").findOne({ _id: { job: r.job, task: 0 } as never });
    assert.equal(doc?.value, 9);
    assert.ok(await h.db.collection("extra|levtest/cases.wf_set").findOne({ _id: { job: r.job, task: 0 } as never }));
  });

  test("a workflow can reach neither the Docker socket nor the database", async () => {
    const r = await h.run(CASES, "wf_escape");
    assert.equal(r.status, "succeeded", logText(r));
    const doc = await h.db.collection("levtest/cases.wf_escape").findOne({ _id: { job: r.job, task: 0 } as never });
    const results = doc?.results as Record<string, string>;
    assert.match(results.docker, /^blocked/);
    for (const key of ["loopback", "docker_bridge", "host_gateway"]) assert.match(results[key], /^blocked/, key);
  });
});
