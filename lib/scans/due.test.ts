import { test } from "node:test";
import assert from "node:assert/strict";
import { dueScans, isDue, type ScheduledScan } from "./due.ts";

const now = new Date("2026-03-01T12:00:30Z");
const scan = (over: Partial<ScheduledScan> = {}): ScheduledScan => ({
  id: "s",
  enabled: true,
  cron: "* * * * *",
  timezone: "UTC",
  nextRunAt: new Date("2026-03-01T12:00:00Z"),
  ...over,
});

test("a due scan fires once, its next time the first after now", () => {
  assert.deepEqual(dueScans([scan()], now), [{ id: "s", nextRunAt: new Date("2026-03-01T12:01:00Z") }]);
});

test("missed ticks (the hub was down for hours) fire ONCE, not once per missed time", () => {
  const firings = dueScans([scan({ nextRunAt: new Date("2026-02-27T00:00:00Z") })], now);
  assert.equal(firings.length, 1);
  assert.deepEqual(firings[0], { id: "s", nextRunAt: new Date("2026-03-01T12:01:00Z") });
  // a daily scan missed for three days fires once and is next due tomorrow
  const daily = dueScans([scan({ cron: "0 3 * * *", nextRunAt: new Date("2026-02-26T03:00:00Z") })], now);
  assert.deepEqual(daily, [{ id: "s", nextRunAt: new Date("2026-03-02T03:00:00Z") }]);
});

test("not due: disabled, no schedule, no next time, or a next time still ahead", () => {
  for (const s of [scan({ enabled: false }), scan({ cron: null }), scan({ nextRunAt: null }), scan({ nextRunAt: new Date("2026-03-01T12:00:31Z") })]) {
    assert.equal(isDue(s, now), false);
    assert.deepEqual(dueScans([s], now), []);
  }
  assert.equal(isDue(scan({ nextRunAt: now }), now), true, "exactly now is due");
});

test("several scans: each due one once, in the order given; a broken schedule is reported, not thrown", () => {
  const out = dueScans(
    [scan({ id: "a" }), scan({ id: "b", enabled: false }), scan({ id: "c", cron: "not a cron" }), scan({ id: "d", timezone: "Europe/Paris", cron: "0 14 * * *" })],
    now,
  );
  assert.deepEqual(
    out.map((f) => f.id),
    ["a", "c", "d"],
  );
  const c = out[1];
  assert.equal(c.nextRunAt, null);
  assert.ok("error" in c && /^invalid cron; cron: expected 5 fields \(minute hour day month weekday\), got 3$/.test(c.error), JSON.stringify(c));
  assert.deepEqual(out[2], { id: "d", nextRunAt: new Date("2026-03-01T13:00:00Z") });
});
