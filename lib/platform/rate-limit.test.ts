import { test } from "node:test";
import assert from "node:assert/strict";
import { admit, minutesToWait, RateLimiter, tryAgainIn } from "./rate-limit.ts";

const MIN = 60_000;

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test("a limiter admits `limit` attempts in a window, then refuses until the oldest leaves it", () => {
  const c = clock();
  const l = new RateLimiter({ limit: 3, windowMs: 15 * MIN }, c.now);
  for (let i = 0; i < 3; i++) {
    assert.equal(l.retryAfter("k"), 0);
    l.record("k");
    c.advance(MIN);
  }
  // attempts at t0, t0+1, t0+2 minutes; now t0+3
  assert.equal(l.retryAfter("k"), 12 * MIN);
  c.advance(12 * MIN - 1);
  assert.equal(l.retryAfter("k"), 1);
  c.advance(1);
  assert.equal(l.retryAfter("k"), 0);
  l.record("k");
  // the window slides: the second attempt (t0+1) is now the oldest of three
  assert.equal(l.retryAfter("k"), MIN);
});

test("keys are independent", () => {
  const c = clock();
  const l = new RateLimiter({ limit: 1, windowMs: MIN }, c.now);
  l.record("a");
  assert.ok(l.retryAfter("a") > 0);
  assert.equal(l.retryAfter("b"), 0);
});

test("undo takes back the newest attempt", () => {
  const c = clock();
  const l = new RateLimiter({ limit: 2, windowMs: MIN }, c.now);
  l.record("k");
  l.record("k");
  assert.ok(l.retryAfter("k") > 0);
  l.undo("k");
  assert.equal(l.retryAfter("k"), 0);
  l.undo("k");
  l.undo("k");
  assert.equal(l.size, 0);
});

test("admit records in every limiter or in none", () => {
  const c = clock();
  const perEmail = new RateLimiter({ limit: 2, windowMs: 15 * MIN }, c.now);
  const perClient = new RateLimiter({ limit: 3, windowMs: 15 * MIN }, c.now);
  const a1 = admit([[perEmail, "alice"], [perClient, "1.2.3.4"]]);
  const a2 = admit([[perEmail, "alice"], [perClient, "1.2.3.4"]]);
  assert.ok(a1.ok && a2.ok);
  const refused = admit([[perEmail, "alice"], [perClient, "1.2.3.4"]]);
  assert.deepEqual(refused, { ok: false, retryAfterMs: 15 * MIN });
  // the refusal did not count against the client
  assert.ok(admit([[perEmail, "bob"], [perClient, "1.2.3.4"]]).ok);
  assert.equal(admit([[perEmail, "carol"], [perClient, "1.2.3.4"]]).ok, false);
  // a success is taken back everywhere
  if (a1.ok) a1.undo();
  assert.ok(admit([[perEmail, "alice"], [perClient, "1.2.3.4"]]).ok);
});

test("the wait is the longest of the refusing limiters", () => {
  const c = clock();
  const short = new RateLimiter({ limit: 1, windowMs: MIN }, c.now);
  const long = new RateLimiter({ limit: 1, windowMs: 60 * MIN }, c.now);
  admit([[short, "x"], [long, "x"]]);
  const r = admit([[short, "x"], [long, "x"]]);
  assert.deepEqual(r, { ok: false, retryAfterMs: 60 * MIN });
});

test("expired keys are forgotten and the number of keys stays bounded", () => {
  const c = clock();
  const l = new RateLimiter({ limit: 5, windowMs: MIN }, c.now, 100);
  for (let i = 0; i < 1000; i++) l.record(`k${i}`);
  assert.ok(l.size <= 100, `${l.size} keys kept`);
  // the most recent keys are the ones kept
  assert.ok(l.retryAfter("k999") === 0);
  l.record("k999");
  l.record("k999");
  l.record("k999");
  l.record("k999");
  assert.ok(l.retryAfter("k999") > 0);
  c.advance(MIN);
  l.record("fresh");
  assert.equal(l.retryAfter("k999"), 0);
});

test("bad rules are refused", () => {
  assert.throws(() => new RateLimiter({ limit: 0, windowMs: MIN }));
  assert.throws(() => new RateLimiter({ limit: 1, windowMs: 0 }));
});

test("waits are told in whole minutes, at least one", () => {
  assert.equal(minutesToWait(1), 1);
  assert.equal(minutesToWait(60_000), 1);
  assert.equal(minutesToWait(60_001), 2);
  assert.equal(tryAgainIn(14 * MIN + 5), "try again in 15 minutes");
  assert.equal(tryAgainIn(30_000), "try again in 1 minute");
});
