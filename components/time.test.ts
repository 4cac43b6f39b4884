import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, formatTime } from "./time.ts";

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
