import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, formatTime, formatTimeIn } from "./time.ts";

test("formatTime shows UTC to the second and a dash for nothing", () => {
  assert.equal(formatTime("2026-11-23T20:01:02.345Z"), "2026-11-23 20:01:02");
  assert.equal(formatTime(null), "—");
  assert.equal(formatTime("not a date"), "—");
});

test("formatDuration scales its unit", () => {
  assert.equal(formatDuration("2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.250Z"), "250 ms");
  assert.equal(formatDuration("2026-01-01T00:00:00Z", "2026-01-01T00:00:12.5Z"), "12.5 s");
  assert.equal(formatDuration("2026-01-01T00:00:00Z", "2026-01-01T00:02:05Z"), "2 min 5 s");
  assert.equal(formatDuration("2026-01-01T00:00:00Z", null), "—");
});

test("formatTimeIn shows a time in its zone, to the minute, with the zone named", () => {
  assert.equal(formatTimeIn("2026-12-08T02:00:00.000Z", "Europe/Warsaw"), "2026-12-08 03:00 Europe/Warsaw");
  assert.equal(formatTimeIn("2026-07-08T01:00:00.000Z", "Europe/Warsaw"), "2026-07-08 03:00 Europe/Warsaw");
  assert.equal(formatTimeIn("2026-12-08T23:30:00.000Z", "UTC"), "2026-12-08 23:30 UTC");
  assert.equal(formatTimeIn("2026-12-08T23:30:00.000Z", "America/New_York"), "2026-12-08 18:30 America/New_York");
  assert.equal(formatTimeIn(null, "UTC"), "—");
  assert.equal(formatTimeIn("2026-12-08T02:00:00.000Z", "Europe/Warsaw", { named: false }), "2026-12-08 03:00");
  assert.equal(formatTimeIn("2026-12-08T23:30:00.000Z", "Not/AZone"), "2026-12-08 23:30:00 UTC");
});
