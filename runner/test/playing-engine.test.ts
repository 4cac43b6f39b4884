import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { MemoryStore } from "./fake-engine.ts";
import { PlayingEngine } from "./playing-engine.ts";
import { defaultRunLimits, restrictedPolicy } from "../src/policy/policy.ts";
import { DEFAULT_BASE_IMAGES, Runner } from "../src/run/runner.ts";

const PKG = path.resolve(import.meta.dirname, "fixtures/levtest.cases");

test("a played run starts every tool, stores one document each and leaves no container", async (t) => {
  const work = await mkdtemp(path.join(tmpdir(), "playing-"));
  t.after(() => rm(work, { recursive: true, force: true }));
  const engine = new PlayingEngine({ tasks: 12, parallel: 4, schema: "t/s.m" });
  const store = new MemoryStore();
  const policy = restrictedPolicy({ refs: {}, base: DEFAULT_BASE_IMAGES, any: false }, defaultRunLimits());
  const runner = new Runner({ engine, store, policy, workDir: work });
  const r = await runner.start({ packageDir: PKG, function: "wf", args: {}, job: 7, owner: "t" }).result;
  assert.equal(r.status, "succeeded", JSON.stringify(r.logs));
  assert.equal(r.tasks.length, 12);
  assert.ok(r.tasks.every((x) => x.status === "succeeded" && x.stored));
  assert.equal(engine.toolsDone, 12);
  assert.deepEqual([...store.docs.keys()].sort(), Array.from({ length: 12 }, (_, i) => `t/s.m#7#${i + 1}`).sort());
  assert.deepEqual(engine.alive(), []);
  await runner.shutdown();
});

test("every container of the double has its own id: container 1 and container 10 are two (a bench run once lost a task to that)", async () => {
  const engine = new PlayingEngine({ tasks: 1, schema: "t/s.m" });
  engine.onStart = () => undefined;
  const ids = [];
  for (let i = 0; i < 120; i++) ids.push(await engine.create({ name: `x${i}`, image: "levhub/python:bookworm", labels: {} } as unknown as Parameters<PlayingEngine["create"]>[0]));
  assert.equal(new Set(ids).size, 120);
  assert.ok(ids.every((id) => id.length === 16));
});
