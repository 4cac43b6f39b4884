/**
 * The warm pool (run/warm-pool.ts) on real Docker: a run in a warm container sees what a cold one
 * sees (path, directory, environment, __main__, its package and dependencies), runs its tasks and
 * stores its documents; it is confined as a cold container is; a cancelled warm run leaves nothing;
 * a run of another kind starts cold and re-targets the pool; a warm container that dies while it
 * waits is replaced; nothing of the pool outlives its runner.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Docker from "dockerode";
import { LABEL, localPolicy, type PackageDependency, type RunResult } from "../src/index.ts";
import { createHarness, FIXTURES, logText, REPO, type Harness } from "./harness.ts";

const PKG = path.join(FIXTURES, "levtest.warm");
const CASES = path.join(FIXTURES, "levtest.cases");
const dep: PackageDependency = { namespace: "levdep", name: "net", version: "1.2.0", dir: path.join(REPO, "runner/python/tests/fixtures/levdep.net") };
const docker = new Docker();

function facts(r: RunResult): Record<string, unknown> & { env: Record<string, string> } {
  const m = /^FACTS (.*)$/m.exec(logText(r, 0));
  assert.ok(m, `no FACTS line in ${logText(r)}`);
  return JSON.parse(m[1]);
}

/** what must be the same for any two runs of `facts` (the job and the call differ) */
function comparable(f: ReturnType<typeof facts>) {
  const { LEV_JOB, LEV_CALL, ...env } = f.env;
  assert.ok(LEV_JOB && LEV_CALL);
  return { ...f, env, tag: null };
}

describe("warm workflow containers", () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ warmContainers: 2 });
  });
  after(async () => {
    await h.close();
    assert.deepEqual(await h.leftovers(), [], "no container of the runner or its pool remains");
  });

  const ready = async (n: number) => {
    for (let i = 0; i < 600; i++) {
      if ((h.runner.warmStats()?.ready ?? 0) >= n) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the pool has ${h.runner.warmStats()?.ready} ready containers, not ${n}`);
  };
  const warmContainers = async () =>
    docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL.instance}=${h.runner.instance}`, `${LABEL.role}=warm`] }) });

  test("a run in a warm container sees what a cold run sees, runs its tool and stores its documents", async () => {
    const cold = await h.run(PKG, "facts", { tag: "cold" }, { dependencies: [dep] });
    assert.equal(cold.status, "succeeded", JSON.stringify(cold.error) + logText(cold));
    assert.equal(h.runner.warmStats()!.leased, 0, "the first run of a kind starts cold…");
    assert.equal(h.runner.warmStats()!.cold, 1);
    await ready(2); // …and fills the pool
    const warm = await h.run(PKG, "facts", { tag: "warm" }, { dependencies: [dep] });
    assert.equal(warm.status, "succeeded", JSON.stringify(warm.error) + logText(warm));
    assert.equal(h.runner.warmStats()!.leased, 1, "the second run leased a warm container");
    const [c, w] = [facts(cold), facts(warm)];
    assert.equal(w.dep, "imported", "the dependency is importable in the warm container");
    assert.equal(w.uid, 65534);
    assert.deepEqual(comparable(w), comparable(c), "path, directory, environment, __main__, files: as cold");
    assert.equal(w.main, "levrt._workflow");
    assert.equal(w.nlink, 1, "the package's files are the run's own copies, not links shared with other runs");
    assert.ok(!logText(warm).includes("levrt._warm"), "nothing of the waiting shows in the run's logs");
    assert.deepEqual(
      warm.tasks.map((t) => t.status),
      ["succeeded"],
    );
    const docs = (await Promise.all(warm.collections.map((col) => h.db.collection(col).find({ "_id.job": warm.job }).toArray()))).flat();
    assert.ok(docs.some((d) => d.tool === "tool ran for warm" && d.tag === "warm"), "the workflow's own document, over the channel: " + JSON.stringify(docs));
  });

  test("the seeds' API and its failures end the same warm as cold", async () => {
    const cases: [string, Record<string, unknown>][] = [
      ["seed_api", {}],
      ["seed_all", {}],
      ["wf_raise", {}],
      ["wf_task_fails", {}],
      ["wf_catch_failure", {}],
      ["wf_bad_arg", { nope: 1 }],
      ["no_such_function", {}],
      ["wf_files_env", {}],
      ["wf_services", {}],
    ];
    for (const [fn, args] of cases) {
      await ready(1);
      const leased = h.runner.warmStats()!.leased;
      const warm = await h.run(CASES, fn, args);
      assert.equal(h.runner.warmStats()!.leased, leased + 1, `${fn} ran warm`);
      const cold = await createHarness().then(async (c) => {
        try {
          return await c.run(CASES, fn, args);
        } finally {
          await c.close();
        }
      });
      assert.deepEqual(
        { status: warm.status, error: warm.error?.type ?? null, exitCode: warm.exitCode, tasks: warm.tasks.map((t) => [t.status, t.error?.type ?? null]) },
        { status: cold.status, error: cold.error?.type ?? null, exitCode: cold.exitCode, tasks: cold.tasks.map((t) => [t.status, t.error?.type ?? null]) },
        `${fn}: ${logText(warm)}`,
      );
      assert.deepEqual(await h.leftovers(warm.runId), [], `${fn} left nothing labelled with its run`);
    }
  });

  test("the reaper keeps what the pool holds and what a run leased; a leased container is nobody else's", async () => {
    await ready(2);
    const leased = h.runner.warmStats()!.leased;
    const run = h.start({ packageDir: PKG, function: "sleepy", args: {} });
    for (let i = 0; i < 100 && h.runner.warmStats()!.leased === leased; i++) await new Promise((r) => setTimeout(r, 50));
    const before = (await warmContainers()).map((c) => c.Id).sort();
    assert.ok(before.length >= 2);
    const report = await h.runner.reap();
    assert.equal(report.containers, 0, "nothing of the pool or of the leased run was removed");
    assert.deepEqual((await warmContainers()).map((c) => c.Id).sort(), before);
    const r = await run.cancel();
    assert.equal(r.status, "cancelled");
  });

  test("a warm container is confined as a cold workflow container is", async () => {
    await ready(1);
    const [c] = await warmContainers();
    const info = await docker.getContainer(c.Id).inspect();
    assert.equal(info.Config.User, "65534:65534");
    assert.equal(info.HostConfig.NetworkMode, "none");
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(info.HostConfig.CapAdd ?? [], []);
    assert.ok((info.HostConfig.Memory ?? 0) > 0 && (info.HostConfig.PidsLimit ?? 0) > 0, "limits as the cold container's");
    for (const b of info.HostConfig.Binds ?? []) assert.match(b, /:ro$/, `${b} is read-only`);
    assert.deepEqual(
      (info.HostConfig.Binds ?? []).map((b) => b.split(":")[1]).sort(),
      ["/lev/chan", "/lev/ctl", "/lev/deps", "/lev/pkg", "/lev/rt"],
    );
  });

  test("a cancelled warm run ends cancelled and leaves neither its container nor its slot", async () => {
    await ready(2);
    const leased = h.runner.warmStats()!.leased;
    const run = h.start({ packageDir: PKG, function: "sleepy", args: {}, dependencies: [dep] });
    for (let i = 0; i < 100 && h.runner.warmStats()!.leased === leased; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.runner.warmStats()!.leased, leased + 1);
    await new Promise((r) => setTimeout(r, 1000));
    const r = await run.cancel();
    assert.equal(r.status, "cancelled");
    const left = (await warmContainers()).filter((c) => c.State !== "running");
    assert.deepEqual(left, [], "no stopped warm container is left");
    assert.ok((await warmContainers()).length <= 2);
  });

  test("a run of another kind starts cold and the pool follows it; a warm container that dies is replaced", async () => {
    await ready(2);
    const before = h.runner.warmStats()!;
    const policy = localPolicy();
    const other = { ...policy, limits: { ...policy.limits, workflow: { ...policy.limits.workflow, memoryBytes: policy.limits.workflow.memoryBytes + 64 * 1024 * 1024 } } };
    const r = await h.run(PKG, "facts", { tag: "other" }, { policy: other });
    assert.equal(r.status, "succeeded", JSON.stringify(r.error) + logText(r));
    assert.equal(h.runner.warmStats()!.cold, before.cold + 1);
    await ready(2);
    for (const c of await warmContainers()) {
      const info = await docker.getContainer(c.Id).inspect();
      assert.equal(info.HostConfig.Memory, other.limits.workflow.memoryBytes, "re-targeted to the newest kind");
    }
    const [victim] = await warmContainers();
    await docker.getContainer(victim.Id).kill();
    for (let i = 0; i < 100 && (await warmContainers()).some((c) => c.Id === victim.Id); i++) await new Promise((res) => setTimeout(res, 100));
    await ready(2);
    assert.ok(!(await warmContainers()).some((c) => c.Id === victim.Id), "the dead one is removed");
    const again = await h.run(PKG, "facts", { tag: "again" }, { policy: other });
    assert.equal(again.status, "succeeded", JSON.stringify(again.error) + logText(again));
    assert.equal(h.runner.warmStats()!.leased, before.leased + 1);
  });

  test("shutting the runner down removes its warm containers", async () => {
    await ready(1);
    await h.runner.shutdown();
    assert.deepEqual(await warmContainers(), []);
  });
});
