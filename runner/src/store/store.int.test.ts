import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { mongoUri } from "../config.ts";
import { MongoResultStore } from "./store.ts";

const meta = (task: number) => ({ owner: "o", run: "r", job: 7, task, package: "lev.a.b", at: new Date() });

test("put inserts, replaces on a second put, and findOne hides bookkeeping", async () => {
  const store = await MongoResultStore.connect(mongoUri(`levtest_store_${randomBytes(3).toString("hex")}`));
  try {
    await store.put("a|b/c@1.0", 7, 1, { x: 1, nested: { y: [1, 2] } }, meta(1));
    await store.put("a|b/c@1.0", 7, 1, { x: 2 }, meta(1));
    await store.put("a|b/c@1.0", 7, 2, { x: 3 }, meta(2));
    assert.deepEqual(await store.findOne("a|b/c@1.0", 7, 1, null, null), { x: 2 });
    assert.deepEqual(await store.findOne("a|b/c@1.0", 7, 2, { x: { $gt: 2 } }, { x: 1, _id: 1 }), { _id: { job: 7, task: 2 }, x: 3 });
    assert.equal(await store.findOne("a|b/c@1.0", 7, 2, { x: 99 }, null), null);
    const all = await store.findRun("a|b/c@1.0", 7);
    assert.deepEqual(all.map((d) => d._id), [{ job: 7, task: 1 }, { job: 7, task: 2 }]);
    assert.ok(all.every((d) => !("_lev" in d)));
    await store.merge("a|b/c@1.0", 7, 0, { a: 1 }, meta(0));
    await store.merge("a|b/c@1.0", 7, 0, { b: 2 }, meta(0));
    assert.deepEqual(await store.findOne("a|b/c@1.0", 7, 0, null, null), { a: 1, b: 2 });
    const j1 = await store.nextJob();
    assert.equal(await store.nextJob(), j1 + 1);
    await assert.rejects(store.put("a|b/c@1.0", 7, 3, { "bad.key": 1 }, meta(3)), /contains '\.'/);
  } finally {
    await store.database.dropDatabase();
    await store.close();
  }
});

test("job numbers taken at once are all distinct, and continue above an older counter", async () => {
  const store = await MongoResultStore.connect(mongoUri(`levtest_store_${randomBytes(3).toString("hex")}`));
  try {
    // what versions before numbered by: one counter document
    await store.database.collection<{ _id: string; seq: number }>("_levhub_jobs").insertOne({ _id: "job", seq: 40 });
    const numbers: number[] = [];
    for (let round = 0; round < 3; round++) numbers.push(...(await Promise.all(Array.from({ length: 20 }, () => store.nextJob()))));
    assert.deepEqual([...numbers].sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => 41 + i));
  } finally {
    await store.database.dropDatabase();
    await store.close();
  }
});
