/**
 * Typed references through a run on the fake engine: the workflow gets each file's name and size,
 * a Cr's `files=` reference mounts the stored blob read-only, and nothing else can be mounted.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { channelClient, FakeEngine, MemoryStore, type FakeContainer } from "../../test/fake-engine.ts";
import { restrictedPolicy } from "../policy/policy.ts";
import type { RunFile, RunRefs } from "../refs.ts";
import { DEFAULT_BASE_IMAGES, Runner } from "./runner.ts";

const PKG = path.resolve(import.meta.dirname, "../../test/fixtures/levtest.cases");
const PY = "levhub/python:bookworm";
const ID = "wordlist-0123456789ab";
const OTHER = "someone-elses-file-000";
let work: string;
let blob: string;
let refs: RunRefs;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-refs-"));
  blob = path.join(work, "blob");
  await writeFile(blob, "alpha\nbeta\n");
  refs = { [ID]: { kind: "file", path: blob, name: "words.txt", size: 11, sha256: "c".repeat(64) } };
});
after(() => rm(work, { recursive: true, force: true }));

function runnerPlaying(workflow: (ch: Awaited<ReturnType<typeof channelClient>>) => Promise<number>) {
  const engine = new FakeEngine();
  const policy = restrictedPolicy({ refs: {}, base: DEFAULT_BASE_IMAGES, any: false });
  const runner = new Runner({ engine, store: new MemoryStore(), policy, workDir: work });
  engine.onStart = (c: FakeContainer) => {
    const role = c.spec.labels["zone.lev.role"];
    if (role === "tool") return void setImmediate(() => c.exit(0));
    if (role !== "workflow") return;
    void (async () => {
      const ch = await channelClient(FakeEngine.socketOf(c));
      try {
        c.exit(await workflow(ch));
      } finally {
        ch.close();
      }
    })();
  };
  return { engine, runner };
}

test("a file argument reaches the workflow as name and size, and its reference mounts the blob read-only", async () => {
  const replies: Record<string, unknown>[] = [];
  const { engine, runner } = runnerPlaying(async (ch) => {
    for (const files of [{ "/in/words": { $lev: "file", id: ID } }, { "/in/words": { $lev: "file", id: OTHER } }]) {
      const s = await ch.request("start", { cr: { image: PY, schema: "t/s.m", cmd: ["x"], files } });
      replies.push(s);
      if (s.ok) await ch.request("wait", { task: (s.result as { task: number }).task });
    }
    return 0;
  });
  const r = await runner.start({ packageDir: PKG, function: "wf", args: { words: { $lev: "file", id: ID }, n: 2 }, refs, job: 1, owner: "t" }).result;
  assert.equal(r.status, "succeeded", JSON.stringify(r.error));
  const wf = [...engine.containers.values()].find((c) => c.spec.labels["zone.lev.role"] === "workflow")!;
  const call = JSON.parse(wf.spec.env.find((e) => e.startsWith("LEV_CALL="))!.slice("LEV_CALL=".length));
  assert.deepEqual(call.args, { words: { $lev: "file", id: ID, name: "words.txt", size: 11 }, n: 2 });
  assert.doesNotMatch(wf.spec.env.join("\n"), new RegExp(blob), "the workflow never learns the blob's path");
  assert.ok(!wf.spec.binds.some((b) => b.startsWith(blob)), "nor gets it mounted");
  const [tool] = engine.tools();
  assert.ok(tool.spec.binds.includes(`${blob}:/in/words:ro`), tool.spec.binds.join("\n"));
  // another user's (or a made-up) reference: refused, nothing mounted
  assert.equal(replies[1].ok, false);
  assert.deepEqual((replies[1].error as { type: string }).type, "InvalidRequest");
  assert.match((replies[1].error as { message: string }).message, new RegExp(`files\\['/in/words'\\]: file '${OTHER}' is not one of this run's files`));
  assert.equal(engine.tools().length, 1);
  assert.equal(r.tasks[1].status, "failed");
});

test("arguments naming a reference the run does not carry, or a malformed one, refuse the run before anything starts", async () => {
  const { engine, runner } = runnerPlaying(async () => 0);
  const start = (args: Record<string, unknown>, r: RunRefs = refs) => () =>
    runner.start({ packageDir: PKG, function: "wf", args, refs: r, job: 1, owner: "t" });
  assert.throws(start({ f: { $lev: "file", id: OTHER } }), /argument f: file 'someone-elses-file-000' is not one of this run's files/);
  assert.throws(start({ f: { $lev: "file", id: ID } }, {}), /is not one of this run's files/, "a run without refs");
  assert.throws(start({ f: { x: { $lev: "file", id: ID, path: "/etc/shadow" } } }), /argument f\.x: a '\$lev' object that is not a valid reference/);
  assert.throws(start({}, { [ID]: { ...(refs[ID] as RunFile), path: "relative" } }), /invalid run references/);
  assert.equal(engine.containers.size, 0);
});
