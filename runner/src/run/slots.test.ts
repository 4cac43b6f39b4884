import assert from "node:assert/strict";
import { test } from "node:test";
import { Slots, SlotsClosedError } from "./slots.ts";

const tick = () => new Promise((r) => setImmediate(r));

test("acquire waits first-come first-served; release wakes waiters that fit, in order", async () => {
  const s = new Slots(3);
  const order: string[] = [];
  await s.acquire(2);
  void s.acquire(3).then(() => order.push("big"));
  const small = s.acquire(1).then(() => order.push("small"));
  await tick();
  assert.deepEqual(order, [], "the small one waits behind the big one although it would fit");
  assert.equal(s.queued, 2);
  s.release(2);
  await tick();
  assert.deepEqual(order, ["big"]);
  s.release(3);
  await small;
  assert.deepEqual(order, ["big", "small"]);
  assert.equal(s.inUse, 1);
});

test("close rejects waiters and later acquires; too big is refused", async () => {
  const s = new Slots(1);
  await s.acquire(1);
  const waiting = s.acquire(1);
  s.close();
  await assert.rejects(waiting, SlotsClosedError);
  await assert.rejects(s.acquire(1), SlotsClosedError);
  await assert.rejects(new Slots(2).acquire(3), RangeError);
});
