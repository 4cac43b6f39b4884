import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { AsyncQueue, subscribeIterator } from "./async-queue.ts";

test("items pushed before and during iteration arrive in order; end() ends after them", async () => {
  const q = new AsyncQueue<number>();
  q.push(1);
  q.push(2);
  setTimeout(() => {
    q.push(3);
    q.end();
    q.push(4);
  }, 5);
  const got: number[] = [];
  for await (const n of q) got.push(n);
  assert.deepEqual(got, [1, 2, 3]);
});

test("an abort ends the iteration even with nothing queued", async () => {
  const ac = new AbortController();
  const q = new AsyncQueue<number>(ac.signal);
  setTimeout(() => ac.abort(), 5);
  const got: number[] = [];
  for await (const n of q) got.push(n);
  assert.deepEqual(got, []);
});

test("many items: no quadratic shift", async () => {
  const q = new AsyncQueue<number>();
  for (let i = 0; i < 200_000; i++) q.push(i);
  q.end();
  let sum = 0;
  const t0 = Date.now();
  for await (const n of q) sum += n;
  assert.equal(sum, (199_999 * 200_000) / 2);
  assert.ok(Date.now() - t0 < 3000);
});

test("subscribeIterator ends with the last item and always unsubscribes", async () => {
  const em = new EventEmitter();
  const sub = (push: (v: string) => void) => {
    em.on("e", push);
    return () => em.off("e", push);
  };
  setTimeout(() => ["a", "b", "end", "c"].forEach((v) => em.emit("e", v)), 5);
  const got: string[] = [];
  for await (const v of subscribeIterator(sub, { last: (v) => v === "end" })) got.push(v);
  assert.deepEqual(got, ["a", "b", "end"]);
  assert.equal(em.listenerCount("e"), 0);
  setTimeout(() => em.emit("e", "x"), 5);
  for await (const v of subscribeIterator(sub)) {
    assert.equal(v, "x");
    break;
  }
  assert.equal(em.listenerCount("e"), 0);
});
