import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { channelClient, FakeEngine, MemoryStore, type FakeContainer } from "../../test/fake-engine.ts";
import { defaultRunLimits, restrictedPolicy, type RunLimits, type RunPolicy } from "../policy/policy.ts";
import { DEFAULT_BASE_IMAGES, Runner } from "./runner.ts";
import type { RunResult } from "../types.ts";

const PKG = path.resolve(import.meta.dirname, "../../test/fixtures/levtest.cases");
const PY = "levhub/python:bookworm";
let work: string;
before(async () => (work = await mkdtemp(path.join(tmpdir(), "run-test-"))));
after(() => rm(work, { recursive: true, force: true }));

type Client = Awaited<ReturnType<typeof channelClient>>;

/** A runner on the fake engine whose workflow container plays `workflow` over the real channel. */
function setup(
  workflow: (ch: Client, engine: FakeEngine) => Promise<number>,
  limits: Partial<RunLimits> = {},
  runTimeoutMs = 60_000,
  storeRetryMs = 0,
) {
  const engine = new FakeEngine();
  const store = new MemoryStore();
  const policy = restrictedPolicy({ refs: {}, base: DEFAULT_BASE_IMAGES, any: false }, { ...defaultRunLimits(), ...limits });
  const runner = new Runner({ engine, store, policy, workDir: work, runTimeoutMs, storeRetryMs });
  engine.onStart = (c: FakeContainer) => {
    if (c.spec.labels["zone.lev.role"] !== "workflow") return;
    void (async () => {
      const ch = await channelClient(FakeEngine.socketOf(c));
      try {
        c.exit(await workflow(ch, engine));
      } catch (err) {
        c.listener?.("stderr", Buffer.from(`${err}\n`));
        c.exit(1);
      } finally {
        ch.close();
      }
    })();
  };
  let job = 0;
  const start = (signal?: AbortSignal) => runner.start({ packageDir: PKG, function: "wf", args: {}, job: ++job, owner: "t", signal });
  return { engine, store, runner, start };
}

const cr = (over: Record<string, unknown> = {}) => ({ image: PY, schema: "t/s.m", cmd: ["x"], ...over });
const until = async (cond: () => boolean, ms = 30_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
};
const errorOf = (reply: Record<string, unknown>) => reply.error as { type: string; message: string };
const noLeftovers = async (engine: FakeEngine, r: RunResult) => {
  assert.deepEqual(engine.alive().map((c) => c.spec.name), [], "every container removed");
  assert.deepEqual(await readdir(work).then((d) => d.filter((x) => x === r.runId)), [], "the run directory is gone");
};

test("cancel before start: nothing is created, the run is cancelled", async () => {
  const { engine, start } = setup(async () => 0);
  const ac = new AbortController();
  ac.abort();
  const r = await start(ac.signal).result;
  assert.equal(r.status, "cancelled");
  assert.equal(engine.containers.size, 0);
  await noLeftovers(engine, r);
});

test("a task's document comes over its channel and is stored; the tool ran unprivileged", async () => {
  const { engine, store, start } = setup(async (ch, eng) => {
    eng.onStart = (c) => {
      if (c.spec.labels["zone.lev.role"] !== "tool") return;
      void channelClient(FakeEngine.socketOf(c)).then(async (t) => {
        await t.request("put", { fields: { a: 1 } });
        await t.request("put", { fields: { a: 2, b: "x" } });
        t.close();
        c.exit(0);
      });
    };
    const s = await ch.request("start", { cr: cr() });
    const w = await ch.request("wait", { task: (s.result as { task: number }).task });
    return w.ok ? 0 : 1;
  });
  const r = await start().result;
  assert.equal(r.status, "succeeded", JSON.stringify(r.error));
  assert.deepEqual(store.docs.get(`t/s.m#${r.job}#1`), { a: 2, b: "x" }, "the last whole document replaces the earlier one");
  assert.equal(r.tasks[0].stored, true);
  const tool = engine.tools()[0].spec;
  assert.equal(tool.user, "65534:65534");
  assert.equal(tool.readOnlyRoot, true);
  await noLeftovers(engine, r);
});

test("a tool that says its document is final (done) has it stored while its container still runs, once; a later put is refused", async () => {
  const answers: Record<string, unknown>[] = [];
  const { store, start } = setup(
    oneTool(async (t) => {
      await t.request("put", { fields: { a: 1 } });
      answers.push(await t.request("done", {}));
      await until(() => store.docs.size === 1);
      answers.push(await t.request("put", { fields: { a: 2 } }));
      return 0;
    }),
  );
  const r = await start().result;
  assert.equal(r.status, "succeeded", JSON.stringify(r.error));
  assert.equal(answers[0].ok, true);
  assert.equal(answers[1].ok, false);
  assert.equal(errorOf(answers[1]).type, "InvalidRequest");
  assert.deepEqual(store.docs.get(`t/s.m#${r.job}#1`), { a: 1 }, "the document said final is the one stored");
  assert.equal(store.putAttempts, 1, "stored once, not again at the end");
  assert.equal(r.tasks[0].stored, true);
});

test("a document said final while the store is down is kept and written once it is back; the task ends after", async () => {
  const tool = oneTool(async (t) => {
    await t.request("put", { fields: { a: 1 } });
    await t.request("done", {});
    return 0;
  });
  const { store, start } = setup(tool, {}, 60_000, 60_000);
  store.failPuts = 2;
  const r = await start().result;
  assert.equal(r.tasks[0].status, "succeeded");
  assert.equal(r.tasks[0].stored, true);
  assert.equal(store.putAttempts, 3, "two refused writes, then one that worked, and none at the end");
});

test("a failed start cleans up what it created and answers the workflow", async () => {
  let reply: Record<string, unknown> = {};
  const { engine, start } = setup(async (ch) => {
    reply = await ch.request("start", { cr: cr() });
    return 0;
  });
  engine.failStart = (spec) => spec.labels["zone.lev.role"] === "tool";
  const r = await start().result;
  assert.equal(r.status, "succeeded");
  assert.equal(reply.ok, false);
  assert.equal(errorOf(reply).type, "RunnerError");
  assert.equal(r.tasks[0].status, "failed");
  assert.ok(engine.tools()[0].removed, "the created container was removed");
  await noLeftovers(engine, r);
});

test("tasks still running when the workflow ends are stopped and removed", async () => {
  const { engine, start } = setup(async (ch, eng) => {
    await ch.request("start", { cr: cr() });
    await ch.request("start", { cr: cr() });
    await until(() => eng.tools().filter((c) => c.running).length === 2);
    return 0;
  });
  const r = await start().result;
  assert.equal(r.status, "succeeded");
  assert.deepEqual(r.tasks.map((t) => t.status), ["cancelled", "cancelled"]);
  assert.ok(r.logs.some((l) => /the workflow ended before task 1; stopping it/.test(l.line)));
  await noLeftovers(engine, r);
});

test("a run timeout wins over a later cancel, and a cancel over a later timeout", async () => {
  const hang = async (ch: Client) => {
    await ch.request("start", { cr: cr() });
    await new Promise(() => undefined);
    return 0;
  };
  const a = setup(hang, {}, 200);
  const runA = a.start();
  const rA = await runA.result;
  assert.equal(rA.status, "timed_out");
  assert.equal(rA.error?.type, "RunTimeout");
  assert.equal((await runA.cancel()).status, "timed_out");
  assert.equal(rA.tasks[0].status, "cancelled");
  await noLeftovers(a.engine, rA);

  const b = setup(hang, {}, 300);
  const runB = b.start();
  await until(() => b.engine.tools().some((c) => c.running));
  const rB = await runB.cancel("stop");
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(rB.status, "cancelled");
  assert.deepEqual(rB.error, { type: "Cancelled", message: "stop" });
  await noLeftovers(b.engine, rB);
});

test("a failed result write fails the task", async () => {
  const { store, start } = setup(async (ch, eng) => {
    eng.onStart = (c) => {
      if (c.spec.labels["zone.lev.role"] !== "tool") return;
      void channelClient(FakeEngine.socketOf(c)).then(async (t) => {
        await t.request("put", { fields: { a: 1 } });
        t.close();
        c.exit(0);
      });
    };
    const s = await ch.request("start", { cr: cr() });
    const w = await ch.request("wait", { task: (s.result as { task: number }).task });
    return w.ok ? 0 : 3;
  });
  store.failPut = true;
  const r = await start().result;
  assert.equal(r.exitCode, 3);
  assert.equal(r.tasks[0].status, "failed");
  assert.equal(r.tasks[0].error?.type, "TaskFailed");
  assert.match(r.tasks[0].error?.message ?? "", /could not be stored: the store is down/);
});

/** The workflow starts one tool, which plays `tool` over its channel and exits with what it returns; the run exits 0 when the task succeeded, else 3. */
function oneTool(tool: (t: Client, c: FakeContainer, engine: FakeEngine) => Promise<number>) {
  return async (ch: Client, eng: FakeEngine) => {
    eng.onStart = (c) => {
      if (c.spec.labels["zone.lev.role"] !== "tool") return;
      void channelClient(FakeEngine.socketOf(c)).then(async (t) => {
        const code = await tool(t, c, eng);
        t.close();
        c.exit(code);
      });
    };
    const s = await ch.request("start", { cr: cr() });
    const w = await ch.request("wait", { task: (s.result as { task: number }).task });
    return w.ok ? 0 : 3;
  };
}

/** The workflow starts one tool that puts `{a: 1}` and exits with `code`; the run exits 0 when the task succeeded. */
function oneTask(code: number, before?: (c: FakeContainer, engine: FakeEngine) => void) {
  return oneTool(async (t, c, eng) => {
    await t.request("put", { fields: { a: 1 } });
    before?.(c, eng);
    return code;
  });
}

test("the results store down when a task finishes: the document is kept and written once it is back", async () => {
  const { store, start } = setup(oneTask(0), {}, 60_000, 60_000);
  store.failPuts = 2;
  const r = await start().result;
  assert.equal(r.status, "succeeded");
  assert.equal(r.tasks[0].status, "succeeded");
  assert.equal(r.tasks[0].stored, true);
  assert.equal(store.putAttempts, 3, "two refused writes, then one that worked");
  assert.deepEqual([...store.docs.values()], [{ a: 1 }]);
  assert.ok(r.logs.some((l) => l.task === 1 && /keeping it and retrying/.test(l.line)));
  assert.ok(r.logs.some((l) => l.task === 1 && /stored \(attempt 3\)/.test(l.line)));
});

test("a store that stays down past the retry time fails the task; a cancel stops the retries at once", async () => {
  const a = setup(oneTask(0), {}, 60_000, 300);
  a.store.failPut = true;
  const r = await a.start().result;
  assert.equal(r.tasks[0].status, "failed");
  assert.match(r.tasks[0].error?.message ?? "", /could not be stored: the store is down/);
  assert.ok(a.store.putAttempts >= 2, "it was retried before giving up");

  const b = setup(oneTask(0), {}, 60_000, 60 * 60_000);
  b.store.failPut = true;
  const run = b.start();
  await until(() => b.store.putAttempts >= 1);
  const t0 = Date.now();
  const cancelled = await run.cancel("stop");
  assert.equal(cancelled.status, "cancelled");
  // the store would be retried for an hour: a cancel that waited for it would not be back in 30 s
  assert.ok(Date.now() - t0 < 30_000, "the cancel did not wait for the store");
  await noLeftovers(b.engine, cancelled);
});

test("a tool the kernel killed for memory ends failed with 'out of memory'", async () => {
  const { start } = setup(oneTask(137, (c, eng) => eng.oomKilled.add(c.id)), { tool: { memoryBytes: 64 * 1024 * 1024, nanoCpus: 1e9, pids: 64 } });
  const r = await start().result;
  assert.equal(r.status, "failed");
  assert.equal(r.tasks[0].status, "failed");
  assert.equal(r.tasks[0].error?.type, "TaskFailed");
  assert.equal(r.tasks[0].error?.message, `task 1 (${PY}) ran out of memory: killed at its limit of 64 MiB`);
  assert.equal(r.tasks[0].stored, true, "what it handed over before dying is kept");
});

test("a document over the limit fails the task with OutputTooLarge; the earlier one is not stored either", async () => {
  const answers: Record<string, unknown>[] = [];
  const { store, start } = setup(
    async (ch, eng) => {
      eng.onStart = (c) => {
        if (c.spec.labels["zone.lev.role"] !== "tool") return;
        void channelClient(FakeEngine.socketOf(c)).then(async (t) => {
          answers.push(await t.request("put", { fields: { ok: true } }));
          answers.push(await t.request("put", { fields: { big: "x".repeat(3 * 1024 * 1024) } }));
          t.close();
          c.exit(0);
        });
      };
      const s = await ch.request("start", { cr: cr() });
      const w = await ch.request("wait", { task: (s.result as { task: number }).task });
      return w.ok ? 0 : 1;
    },
    { docBytes: 1024 * 1024 },
  );
  const r = await start().result;
  assert.equal(answers[0].ok, true);
  assert.equal(answers[1].ok, false);
  assert.equal(errorOf(answers[1]).type, "OutputTooLarge");
  assert.equal(r.tasks[0].status, "failed");
  assert.equal(r.tasks[0].error?.type, "OutputTooLarge");
  assert.match(r.tasks[0].error?.message ?? "", /^the task's document is 3 MiB, over the limit of 1 MiB$/);
  assert.equal(store.docs.size, 0);
});

test("the (maxTasks+1)th start is refused with QuotaExceeded; the run goes on", async () => {
  const replies: Record<string, unknown>[] = [];
  const { engine, start } = setup(
    async (ch, eng) => {
      eng.onStart = (c) => c.spec.labels["zone.lev.role"] === "tool" && c.exit(0);
      for (let i = 0; i < 4; i++) replies.push(await ch.request("start", { cr: cr() }));
      return 0;
    },
    { maxTasks: 3 },
  );
  const r = await start().result;
  assert.equal(r.status, "succeeded");
  assert.deepEqual(replies.map((x) => x.ok), [true, true, true, false]);
  assert.equal(errorOf(replies[3]).type, "QuotaExceeded");
  assert.match(errorOf(replies[3]).message, /at most 3 tasks/);
  assert.equal(r.tasks.length, 3, "the refused start left no task behind");
  assert.equal(engine.tools().length, 3);
});

test("the concurrency cap makes the 17th task wait for a slot, first come first served", async () => {
  const { engine, start } = setup(async (ch, eng) => {
    const starts = Array.from({ length: 17 }, () => ch.request("start", { cr: cr() }));
    await until(() => eng.tools().filter((c) => c.running).length === 16);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(eng.tools().length, 16, "the 17th container is not even created");
    eng.tools()[3].exit(0);
    await until(() => eng.tools().length === 17);
    const replies = await Promise.all(starts);
    assert.ok(replies.every((x) => x.ok));
    assert.equal((replies[16].result as { task: number }).task, 17);
    for (const c of eng.tools()) c.exit(0);
    return 0;
  });
  const r = await start().result;
  assert.equal(r.status, "succeeded", JSON.stringify(r.error));
  assert.ok(r.logs.some((l) => /task 17 waits/.test(l.line)));
  await noLeftovers(engine, r);
});

test("a start waiting for a slot is cancelled cleanly when the run ends", async () => {
  let waiting: Promise<Record<string, unknown>> | null = null;
  const { engine, start } = setup(
    async (ch, eng) => {
      await ch.request("start", { cr: cr() });
      waiting = ch.request("start", { cr: cr() });
      await until(() => eng.tools().length === 1);
      await new Promise((r) => setTimeout(r, 100));
      return 0;
    },
    { maxConcurrentTasks: 1 },
  );
  const r = await start().result;
  assert.equal(r.tasks.length, 2);
  assert.equal(r.tasks[1].status, "cancelled");
  assert.equal(engine.tools().length, 1, "the waiting task never created a container");
  assert.equal(r.tasks[1].error?.type, "TaskCancelled");
  void waiting;
  await noLeftovers(engine, r);
});

test("a task needing more containers than the cap is refused up front", async () => {
  let reply: Record<string, unknown> = {};
  const { start } = setup(
    async (ch) => {
      reply = await ch.request("start", { cr: cr({ services: { a: cr(), b: cr() } }) });
      return 0;
    },
    { maxConcurrentTasks: 2 },
  );
  const r = await start().result;
  assert.equal(errorOf(reply).type, "QuotaExceeded");
  assert.match(errorOf(reply).message, /needs 3 containers at once; this run may have at most 2/);
  assert.equal(r.tasks.length, 0);
});

test("policy refusals change nothing; images read 'not available' and fail as a task", async () => {
  const replies: Record<string, unknown>[] = [];
  const { engine, start } = setup(async (ch) => {
    replies.push(await ch.request("start", { cr: cr({ host: true }) }));
    replies.push(await ch.request("start", { cr: cr({ caps: ["NET_RAW"] }) }));
    replies.push(await ch.request("start", { cr: cr({ image: ".bob.secret:1" }) }));
    replies.push(await ch.request("start", { cr: cr({ image: "levpkg/bob.secret:1.0" }) }));
    return 0;
  });
  const r = await start().result;
  assert.deepEqual(replies.map((x) => errorOf(x).type), ["PolicyDenied", "PolicyDenied", "ImageNotFound", "ImageNotFound"]);
  assert.match(errorOf(replies[2]).message, /^image '\.bob\.secret:1' is not available to this run: it names the image built from the Dockerfile of package bob\.secret, and no version/);
  assert.equal(errorOf(replies[3]).message, "image 'levpkg/bob.secret:1.0' is not available to this run");
  assert.deepEqual(r.tasks.map((t) => [t.number, t.status, t.error?.type]), [
    [1, "failed", "PolicyDenied"],
    [2, "failed", "PolicyDenied"],
    [3, "failed", "ImageNotFound"],
    [4, "failed", "ImageNotFound"],
  ]);
  assert.equal(engine.tools().length, 0);
});

test("a workflow that dies of a refused task ends the run with that task's error, as the runner recorded it", async () => {
  const { start } = setup(async (ch) => {
    const reply = await ch.request("start", { cr: cr({ host: true }) });
    await ch.request("failed", { task: (reply.error as { task: number }).task });
    return 1;
  });
  const r = await start().result;
  assert.equal(r.status, "failed");
  assert.equal(r.error?.type, "PolicyDenied");
  assert.equal(r.error?.task, 1);
  assert.match(r.error?.message ?? "", /host network/);
});

test("a workflow cannot blame a task that did not fail: the run's error stays WorkflowError", async () => {
  const { engine, start } = setup(async (ch) => {
    await ch.request("start", { cr: cr() });
    await until(() => engine.tools().length === 1);
    engine.tools()[0].exit(0);
    await ch.request("wait", { task: 1 });
    await ch.request("failed", { task: 1 });
    await ch.request("failed", { task: 99 });
    return 1;
  });
  const r = await start().result;
  assert.equal(r.status, "failed");
  assert.equal(r.error?.type, "WorkflowError");
});

test("a malformed policy is refused before anything starts", async () => {
  const engine = new FakeEngine();
  const runner = new Runner({ engine, store: new MemoryStore(), workDir: work });
  const policy = { ...restrictedPolicy({ refs: {}, base: [], any: false }), caps: ["SYS_ADMIN"] } as unknown as RunPolicy;
  assert.throws(() => runner.start({ packageDir: PKG, function: "wf", args: {}, job: 1, owner: "t", policy }), /invalid run policy: caps\.0/);
  const limits = { ...defaultRunLimits(), maxConcurrentTasks: 0 };
  assert.throws(
    () => runner.start({ packageDir: PKG, function: "wf", args: {}, job: 1, owner: "t", policy: restrictedPolicy({ refs: {}, base: [], any: false }, limits) }),
    /limits\.maxConcurrentTasks/,
  );
  assert.equal(engine.containers.size, 0);
});

test("a pull-listed image is pulled once, pinned for every task of the run; an alias is shown as what ran", async () => {
  const engine = new FakeEngine();
  const REF = "127.0.0.1:5000/x/tool:1";
  const DIGEST = "sha256:" + "ab".repeat(32);
  engine.registry.set(REF, DIGEST);
  const policy = restrictedPolicy({ refs: {}, base: DEFAULT_BASE_IMAGES, any: false, pull: ["127.0.0.1:5000"], aliases: { "alpine:latest": PY } });
  const runner = new Runner({ engine, store: new MemoryStore(), policy, workDir: work });
  engine.onStart = (c: FakeContainer) => {
    const role = c.spec.labels["zone.lev.role"];
    if (role === "tool") return void setImmediate(() => c.exit(0));
    if (role !== "workflow") return;
    void (async () => {
      const ch = await channelClient(FakeEngine.socketOf(c));
      for (const image of [REF, REF, "alpine:latest"]) {
        const s = await ch.request("start", { cr: cr({ image }) });
        await ch.request("wait", { task: (s.result as { task: number }).task });
      }
      ch.close();
      c.exit(0);
    })();
  };
  const r = await runner.start({ packageDir: PKG, function: "wf", args: {}, job: 1, owner: "t" }).result;
  assert.equal(r.status, "succeeded", JSON.stringify(r.logs));
  assert.deepEqual(engine.calls.filter((x) => x.startsWith("pull")), [`pull ${REF}`]);
  assert.deepEqual(r.tasks.map((t) => [t.image, t.resolvedImage]), [
    [REF, `127.0.0.1:5000/x/tool@${DIGEST}`],
    [REF, `127.0.0.1:5000/x/tool@${DIGEST}`],
    ["alpine:latest", PY],
  ]);
  assert.deepEqual(engine.tools().map((c) => c.spec.image), [`127.0.0.1:5000/x/tool@${DIGEST}`, `127.0.0.1:5000/x/tool@${DIGEST}`, PY]);
  await noLeftovers(engine, r);
});

test("a workflow the kernel killed for memory fails the run with 'out of memory'", async () => {
  const { engine, start } = setup(async () => 137);
  const onStart = engine.onStart;
  engine.onStart = (c) => {
    engine.oomKilled.add(c.id);
    onStart(c);
  };
  const r = await start().result;
  assert.equal(r.status, "failed");
  assert.deepEqual(r.error, { type: "WorkflowError", message: "the workflow ran out of memory: killed at its limit of 256 MiB" });
  await noLeftovers(engine, r);
});
