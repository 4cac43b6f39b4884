import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffMs, sleep } from "./backoff.ts";

test("backoff doubles from the base, stays within [ceiling/2, ceiling], and is capped", () => {
  const b = { baseMs: 100, maxMs: 1000 };
  assert.equal(backoffMs(1, b, () => 0), 50);
  assert.equal(backoffMs(1, b, () => 1), 100);
  assert.equal(backoffMs(2, b, () => 1), 200);
  assert.equal(backoffMs(3, b, () => 0.5), 300);
  assert.equal(backoffMs(10, b, () => 1), 1000);
  assert.equal(backoffMs(10_000, b, () => 0), 500, "a huge attempt number neither overflows nor exceeds the cap");
  assert.equal(backoffMs(0, b, () => 1), 100);
});

test("sleep ends early when its signal aborts", async () => {
  const ac = new AbortController();
  const t0 = Date.now();
  const p = sleep(10_000, ac.signal);
  ac.abort();
  assert.equal(await p, false);
  assert.ok(Date.now() - t0 < 9_000, "before the sleep could have ended by itself");
  assert.equal(await sleep(1), true);
});
