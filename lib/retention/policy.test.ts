import assert from "node:assert/strict";
import { test } from "node:test";
import { deletedVersionGoes, retentionCutoffs, retentionSettingsSchema, runFate, RETENTION_KINDS } from "./policy.ts";

const now = new Date("2026-12-07T00:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 24 * 3600_000);

test("no setting keeps everything; a setting's cutoff is its days before now", () => {
  const none = retentionCutoffs(retentionSettingsSchema.parse(undefined), now);
  assert.deepEqual(Object.keys(none), [...RETENTION_KINDS]);
  assert.ok(Object.values(none).every((c) => c === null));
  const some = retentionCutoffs(retentionSettingsSchema.parse({ runs: 30, audit: 365 }), now);
  assert.deepEqual(some.runs, daysAgo(30));
  assert.deepEqual(some.audit, daysAgo(365));
  assert.equal(some.logs, null);
});

test("days are whole, from 1 to 3650, or null", () => {
  for (const bad of [0, -1, 1.5, 3651, "30"]) assert.equal(retentionSettingsSchema.safeParse({ runs: bad }).success, false, String(bad));
  for (const good of [1, 3650, null]) assert.equal(retentionSettingsSchema.safeParse({ runs: good }).success, true, String(good));
});

test("every combination of cutoffs, age and citation decides a run's fate", () => {
  const ages = [5, 15, 45];
  const cuts = [null, 10, 30];
  for (const age of ages)
    for (const runs of cuts)
      for (const logs of cuts)
        for (const documents of cuts)
          for (const cited of [false, true]) {
            const cut = (d: number | null) => (d === null ? null : daysAgo(d));
            const c = { runs: cut(runs), logs: cut(logs), documents: cut(documents) };
            const fate = runFate({ endedAt: daysAgo(age), cited }, c);
            const past = (d: number | null) => d !== null && age > d;
            const docsGo = past(runs) || past(documents);
            const label = JSON.stringify({ age, runs, logs, documents, cited });
            assert.equal(fate.deleteLogs, past(runs) || past(logs), label);
            assert.equal(fate.deleteDocuments, docsGo && !cited, label);
            assert.equal(fate.deleteRun, past(runs) && !cited, label);
            assert.equal(fate.keptBecause, cited && docsGo ? "cited" : null, label);
            if (fate.deleteRun) assert.ok(fate.deleteDocuments && fate.deleteLogs, `a run never goes without its documents and logs: ${label}`);
          }
});

test("a deleted version's row goes only past its cutoff and when nothing uses it", () => {
  const v = { deletedAt: daysAgo(40), runs: 0, dependents: 0, scans: 0 };
  assert.equal(deletedVersionGoes(v, daysAgo(30)), true);
  assert.equal(deletedVersionGoes(v, null), false);
  assert.equal(deletedVersionGoes(v, daysAgo(50)), false);
  assert.equal(deletedVersionGoes({ ...v, runs: 1 }, daysAgo(30)), false);
  assert.equal(deletedVersionGoes({ ...v, dependents: 1 }, daysAgo(30)), false);
  assert.equal(deletedVersionGoes({ ...v, scans: 1 }, daysAgo(30)), false);
});
