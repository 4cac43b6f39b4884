import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

/** The asset changes of runs whose package maps nothing to assets (alice.cmp declares keys only). */
const none = { new: { count: 0, items: [] }, gone: { count: 0, items: [] } };
const UNMAPPED = { mapped: false, hosts: none, services: none, origins: none, findings: none };

/** The problems an error carries, each as `where: message` (or the message alone). */
const said = (e: { problems?: { where: string; message: string }[] }) => (e.problems ?? []).map((p) => (p.where ? `${p.where}: ${p.message}` : p.message));

let hub: TestHub;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;
let versionId: string;
let pkgDir: string;

/** A package whose mode stores one document per target with keyed items, so two runs differ as asked. */
function writePackage(dir: string) {
  const base = path.join(dir, "lev", "alice", "cmp");
  mkdirSync(base, { recursive: true });
  writeFileSync(path.join(dir, "pyproject.toml"), '[project]\nname = "lev.alice.cmp"\nversion = "0.1.0"\n');
  writeFileSync(
    path.join(base, "__init__.py"),
    [
      '"""cmp: stores keyed items, for comparisons."""',
      "import levrt",
      "from levrt import Cr, annot, ctx",
      "",
      "@annot.meta(desc='store items', params=[annot.Param('target', 'a name'), annot.Param('ids', 'item ids, comma separated')])",
      "def scan(target: str, ids: str = '') -> Cr:",
      "    @levrt.remote",
      "    def entry():",
      "        import random",
      "        # a guess that changes from run to run, like nmap's OS guesses",
      "        ctx.set(target=target, items=[{'id': int(i), 'state': 'open', 'guess': random.random()} for i in ids.split(',') if i])",
      "    return Cr('levhub/python:bookworm', schema='alice/cmp.scan@1.0', entry=entry())",
      "",
      "__lev__ = annot.meta([scan], desc='cmp', keys=[annot.Keys('scan@1.0', ['target', 'items[].id'], ignore=['items[].guess'])])",
      "",
    ].join("\n"),
  );
}

before(async () => {
  hub = await startTestHub();
  // runs go through the queue: a worker on this machine's engine takes them
  await hub.startWorker();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  pkgDir = mkdtempSync(path.join(tmpdir(), "levhub-cmp-"));
  // the introspection container reads it as an unprivileged user
  chmodSync(pkgDir, 0o755);
  writePackage(pkgDir);
  const { publishDirectory } = await import("../packages/upload.ts");
  const r = await publishDirectory(alice, pkgDir, { private: false }).catch((e: { problems?: { where: string; code: string; message: string }[] }) => assert.fail(`${String(e)}: ${(said(e)).join("; ")}`));
  assert.deepEqual(r.manifest.keys, [{ schema: "alice/cmp.scan@1.0", paths: ["target", "items[].id"], ignore: ["items[].guess"] }]);
  versionId = r.versionId;
});
after(async () => {
  await hub?.close();
  if (pkgDir) rmSync(pkgDir, { recursive: true, force: true });
});

async function run(who: Viewer, ids: string): Promise<string> {
  const { startRun, waitForRun } = await import("../runs/index.ts");
  const started = await startRun(who, { versionId, function: "scan", args: { target: "t1", ids } });
  const done = await waitForRun(who, started.id);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error));
  return started.id;
}

test("two real runs compare by key: an item added is one change; previous = same function and arguments", async () => {
  const { compareRunsFor, previousRunId, changesSincePrevious } = await import("./runs.ts");
  const first = await run(alice, "22");
  const other = await run(alice, "1,2");
  const second = await run(alice, "22,8080");
  const third = await run(alice, "22");

  const { a, b, diff } = await compareRunsFor(alice, first, second);
  assert.equal(a.id, first);
  assert.equal(b.id, second);
  assert.equal(diff.collections.length, 1);
  const [c] = diff.collections;
  assert.deepEqual(c.keys, ["target", "items[].id"]);
  assert.deepEqual(
    c.changed.map((d) => [d.label, d.changes.map((x) => `${x.op} ${x.path}`)]),
    [["target=t1", ["added items[id=8080]"]]],
  );
  assert.deepEqual(diff.totals, { new: 1, gone: 0, changed: 0, unchangedDocuments: 0 });

  // the previous run of the third skips the runs with other arguments
  assert.equal(await previousRunId(alice, third), first);
  assert.equal(await previousRunId(alice, second), null);
  assert.equal(await previousRunId(alice, first), null);
  assert.deepEqual(await changesSincePrevious(alice, third), { previous: first, totals: { new: 0, gone: 0, changed: 0, unchangedDocuments: 1 }, partial: false, assets: UNMAPPED });
  assert.equal(await changesSincePrevious(alice, other), null);
  // read from the results index; a collection over the cap is counted, its documents left unread
  const { runDocumentsForCompare } = await import("./runs.ts");
  assert.deepEqual((await runDocumentsForCompare(alice, second)).counts, { "alice/cmp.scan@1.0": 1 });
  assert.deepEqual(await runDocumentsForCompare(alice, second, 0), { docs: [], counts: { "alice/cmp.scan@1.0": 1 } });
  const back = await compareRunsFor(alice, second, third);
  assert.deepEqual(back.diff.totals, { new: 0, gone: 1, changed: 0, unchangedDocuments: 0 });
});

test("the fields the package ignores are left out; a list asked for replaces them", async () => {
  const { compareRunsFor, changesSincePrevious } = await import("./runs.ts");
  const first = await run(alice, "7");
  const second = await run(alice, "7");
  const quiet = await compareRunsFor(alice, first, second);
  assert.deepEqual(quiet.ignore, { fields: ["items[].guess"], chosen: false });
  assert.deepEqual(quiet.diff.collections[0].ignored, ["items[].guess"]);
  assert.deepEqual(quiet.diff.totals, { new: 0, gone: 0, changed: 0, unchangedDocuments: 1 });
  const all = await compareRunsFor(alice, first, second, undefined, []);
  assert.deepEqual(all.ignore, { fields: [], chosen: true });
  assert.deepEqual(
    all.diff.collections[0].changed.flatMap((d) => d.changes.map((c) => [c.op, c.path])),
    [["changed", "items[id=7].guess"]],
  );
  const other = await compareRunsFor(alice, first, second, undefined, ["target"]);
  assert.deepEqual(other.diff.collections[0].keys, ["items[].id"], "a key under an ignored field is not used");
  assert.deepEqual(other.diff.totals, { new: 1, gone: 1, changed: 0, unchangedDocuments: 0 }, "no document key: matched by content, which the guess changed");
  // the run page's count since the previous run (same arguments) leaves the package's fields out
  const third = await run(alice, "7");
  assert.deepEqual(await changesSincePrevious(alice, third), { previous: second, totals: { new: 0, gone: 0, changed: 0, unchangedDocuments: 1 }, partial: false, assets: UNMAPPED });
});

test("another user's runs are not found, even paired with their own; an admin compares anyone's", async () => {
  const { compareRunsFor, previousRunId } = await import("./runs.ts");
  const { listRuns } = await import("../runs/index.ts");
  const [mine] = (await listRuns(alice)).items;
  const bobs = await run(bob, "5");
  for (const [x, y] of [
    [mine.id, mine.id],
    [mine.id, bobs],
    [bobs, mine.id],
  ]) {
    await assert.rejects(compareRunsFor(bob, x, y), (e: { code?: string }) => e.code === "not_found");
  }
  await assert.rejects(previousRunId(bob, mine.id), (e: { code?: string }) => e.code === "not_found");
  const { runDocumentsForCompare } = await import("./runs.ts");
  await assert.rejects(runDocumentsForCompare(bob, mine.id), (e: { code?: string }) => e.code === "not_found");
  await assert.rejects(compareRunsFor(alice, "no-such-run", mine.id), (e: { code?: string }) => e.code === "not_found");
  const asAdmin = await compareRunsFor(root, mine.id, bobs);
  assert.equal(asAdmin.diff.collections[0].coll, "alice/cmp.scan@1.0");
});

test("runs of different functions do not compare", async () => {
  const { compareRunsFor } = await import("./runs.ts");
  const { db } = await import("../platform/db.ts");
  const { listRuns } = await import("../runs/index.ts");
  const [r] = (await listRuns(alice)).items;
  const { personalProjectId } = await import("../testing/projects.ts");
  const twin = await db().run.create({ data: { number: 999_999, ownerId: alice.id, projectId: await personalProjectId(alice.id), versionId, function: "other", args: {}, status: "succeeded", endedAt: new Date() } });
  await assert.rejects(compareRunsFor(alice, r.id, twin.id), (e: { code?: string; message?: string }) => e.code === "validation" && /same function/.test(e.message ?? ""));
});
