import assert from "node:assert/strict";
import { after, test } from "node:test";
import { FAKE_TOKEN, FakeHub } from "../test/fake-hub.ts";
import { StoreError } from "../src/store/store.ts";
import { HubClient } from "./hub-client.ts";
import { HttpResultStore } from "./http-store.ts";
import { STORE_BATCH_LIMITS } from "./protocol.ts";

const INSTANCE = "44444444-4444-4444-8444-444444444444";
const meta = (task: number) => ({ owner: "alice", run: "r1", job: 7, task, package: "lev.x.y", at: new Date(0) });
const hubs: FakeHub[] = [];
after(async () => {
  for (const h of hubs) await h.close();
});

async function setup(docBytes: number) {
  const hub = await new FakeHub().start();
  hubs.push(hub);
  const store = new HttpResultStore(new HubClient({ url: hub.url, token: FAKE_TOKEN, timeoutMs: 2000 }), { putRetryMs: 200, otherRetryMs: 200 });
  store.bind(7, "r1", INSTANCE, docBytes);
  return { hub, store };
}

test("puts of one run that come together go in one putMany; each document arrives once", async () => {
  const { hub, store } = await setup(4 * 1024 * 1024);
  await Promise.all(Array.from({ length: 10 }, (_, i) => store.put("out", 7, i + 1, { i }, meta(i + 1))));
  assert.deepEqual(hub.storeCalls, ["putMany"]);
  assert.equal(hub.docs.size, 10);
  assert.deepEqual(hub.docs.get("out#r1#3"), { i: 2 });
});

test("a batch never passes its document count, nor the run's docBytes together", async () => {
  const { hub, store } = await setup(4 * 1024 * 1024);
  const n = STORE_BATCH_LIMITS.documents + 1;
  await Promise.all(Array.from({ length: n }, (_, i) => store.put("out", 7, i + 1, { i }, meta(i + 1))));
  assert.deepEqual(hub.storeCalls, ["putMany", "put"]);
  assert.equal(hub.docs.size, n);

  const small = await setup(1000);
  // 400 bytes each: two fit in 1000, a third does not; over half the cap a document goes alone
  await Promise.all([1, 2, 3].map((t) => small.store.put("out", 7, t, { x: "y".repeat(390) }, meta(t))));
  await small.store.put("out", 7, 4, { x: "y".repeat(600) }, meta(4));
  assert.deepEqual(small.hub.storeCalls, ["putMany", "put", "put"]);
  assert.equal(small.hub.docs.size, 4);
});

test("without the run's docBytes (0) every put goes alone", async () => {
  const { hub, store } = await setup(0);
  await Promise.all([1, 2].map((t) => store.put("out", 7, t, { t }, meta(t))));
  assert.deepEqual(hub.storeCalls, ["put", "put"]);
});

test("a store that is down fails every put of the batch as transient; a run unbound meanwhile fails its waiting puts", async () => {
  const { hub, store } = await setup(4 * 1024 * 1024);
  hub.store503 = 100;
  const results = await Promise.allSettled([1, 2].map((t) => store.put("out", 7, t, { t }, meta(t))));
  for (const r of results) {
    assert.equal(r.status, "rejected");
    assert.ok(r.reason instanceof StoreError && r.reason.transient, String(r.status === "rejected" ? r.reason : ""));
  }
  hub.store503 = 0;
  const waiting = store.put("out", 7, 3, { t: 3 }, meta(3));
  store.unbind(7);
  await assert.rejects(waiting, StoreError);
  assert.equal(hub.docs.size, 0);
});
