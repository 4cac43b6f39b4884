/** "Pause before entry" and a debugger's target on the fake engine, over the runner's real channels. */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { channelClient, FakeEngine, MemoryStore, type FakeContainer } from "../../test/fake-engine.ts";
import { defaultRunLimits, restrictedPolicy, type RunPolicy } from "../policy/policy.ts";
import { DEFAULT_BASE_IMAGES, Runner } from "./runner.ts";
import type { Run } from "./run.ts";

const PKG = path.resolve(import.meta.dirname, "../../test/fixtures/levtest.cases");
const PY = "levhub/python:bookworm";
let work: string;
before(async () => (work = await mkdtemp(path.join(tmpdir(), "run-debug-test-"))));
after(() => rm(work, { recursive: true, force: true }));

const entry = { builder: { module: "lev.levtest.cases.tools", qualname: "t", args: [], kwargs: {} }, path: [] };
const until = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** A run whose workflow starts one entry task and waits for it; the tool asks to pause, then stores. */
function start(opts: { debugPause: boolean; policy?: Partial<RunPolicy>; cr?: Record<string, unknown> }) {
  const engine = new FakeEngine();
  const policy = { ...restrictedPolicy({ refs: {}, base: DEFAULT_BASE_IMAGES, any: false }, defaultRunLimits()), ...opts.policy };
  const runner = new Runner({ engine, store: new MemoryStore(), policy, workDir: work });
  const pauses: { answered: boolean }[] = [];
  engine.onStart = (c: FakeContainer) => {
    const role = c.spec.labels["zone.lev.role"];
    void channelClient(FakeEngine.socketOf(c)).then(async (ch) => {
      if (role === "workflow") {
        const s = await ch.request("start", { cr: { image: PY, schema: "t/s.m", entry, ...opts.cr } });
        const w = await ch.request("wait", { task: (s.result as { task: number }).task });
        ch.close();
        c.exit(w.ok ? 0 : 1);
        return;
      }
      // a tool asks to pause whatever its environment says: only the runner decides whether it waits
      const p = { answered: false };
      pauses.push(p);
      await ch.request("pause", {});
      p.answered = true;
      await ch.request("put", { fields: { done: true } });
      ch.close();
      c.exit(0);
    });
  };
  const run: Run = runner.start({ packageDir: PKG, function: "wf", args: {}, job: 1, owner: "t", debugPause: opts.debugPause });
  return { engine, run, pauses };
}

test("pause before entry: the tool waits until resumed, is a debugger's target meanwhile, and then runs to its end", async () => {
  const { engine, run, pauses } = start({ debugPause: true });
  await until(() => pauses.length === 1);
  const tool = engine.tools()[0];
  assert.ok(tool.spec.env.includes("LEV_DEBUG_PAUSE=1"));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(pauses[0].answered, false, "the pause is not answered before a debugger says continue");
  const target = run.debugTarget(1);
  assert.deepEqual(target, { ok: true, containerId: tool.id, paused: true });
  assert.deepEqual(run.debugTarget(2), { ok: false, refusal: { reason: "task_not_running", message: "the task is not running" } });
  assert.equal(run.resumeTask(1), true);
  assert.equal(run.resumeTask(1), false, "continue once");
  const r = await run.result;
  assert.equal(r.status, "succeeded", JSON.stringify(r.error));
  assert.ok(r.logs.some((l) => /task 1 waits for a debugger before its entry/.test(l.line)));
  assert.ok(r.logs.some((l) => /task 1 continues/.test(l.line)));
  assert.equal(run.debugTarget(1).ok, false, "an ended task is no target");
});

test("without pause before entry a tool's pause is answered at once", async () => {
  const { engine, run, pauses } = start({ debugPause: false });
  const r = await run.result;
  assert.equal(r.status, "succeeded", JSON.stringify(r.error));
  assert.equal(pauses[0].answered, true);
  assert.ok(!engine.tools()[0].spec.env.includes("LEV_DEBUG_PAUSE=1"));
});

test("a granted task is not paused (a debugger could not reach it) and is refused as a target", async () => {
  const { engine, run, pauses } = start({ debugPause: true, policy: { caps: ["NET_RAW"] }, cr: { caps: ["NET_RAW"] } });
  await until(() => pauses.length === 1);
  const tool = engine.tools()[0];
  assert.deepEqual(tool.spec.capAdd, ["NET_RAW"]);
  assert.ok(!tool.spec.env.includes("LEV_DEBUG_PAUSE=1"));
  const r = await run.result;
  assert.equal(r.status, "succeeded", JSON.stringify(r.error));
  assert.equal(pauses[0].answered, true, "a pause the runner did not ask for is answered at once");
  assert.ok(r.logs.some((l) => /task 1 does not pause before its entry: it may not be debugged \(the task runs under a grant/.test(l.line)), JSON.stringify(r.logs));
});

test("a granted task's debug target is refused while it runs", async () => {
  const engine = new FakeEngine();
  const runner = new Runner({ engine, store: new MemoryStore(), policy: { ...restrictedPolicy({ refs: {}, base: DEFAULT_BASE_IMAGES, any: false }), network: "host" }, workDir: work });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  engine.onStart = (c) => {
    void channelClient(FakeEngine.socketOf(c)).then(async (ch) => {
      if (c.spec.labels["zone.lev.role"] === "workflow") {
        const s = await ch.request("start", { cr: { image: PY, schema: "t/s.m", entry } });
        await ch.request("wait", { task: (s.result as { task: number }).task });
        ch.close();
        c.exit(0);
      } else {
        await held;
        ch.close();
        c.exit(0);
      }
    });
  };
  const run = runner.start({ packageDir: PKG, function: "wf", args: {}, job: 1, owner: "t" });
  await until(() => engine.tools().some((c) => c.running));
  await until(() => run.debugTarget(1).ok || (run.debugTarget(1) as { refusal: { reason: string } }).refusal.reason !== "task_not_running");
  const t = run.debugTarget(1);
  assert.equal(t.ok, false);
  assert.equal(!t.ok && t.refusal.reason, "granted", "a run granted the host network: even a Cr that does not use it is refused");
  release();
  await run.result;
});
