import { test } from "node:test";
import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { checkSchedule, describeCron, isTimeZone, nextFireTime, scheduleProblems } from "./cron.ts";

const at = (iso: string) => new Date(iso);
const fieldOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AppError, "an AppError");
    assert.equal(err.code, "validation");
    return Object.keys(err.fieldErrors ?? {});
  }
  assert.fail("expected a validation error");
};

test("nextFireTime: the first time strictly after `after`", () => {
  assert.equal(nextFireTime("*/5 * * * *", "UTC", at("2026-01-01T00:02:00Z")).toISOString(), "2026-01-01T00:05:00.000Z");
  assert.equal(nextFireTime("*/5 * * * *", "UTC", at("2026-01-01T00:05:00Z")).toISOString(), "2026-01-01T00:10:00.000Z");
  assert.equal(nextFireTime("* * * * *", "UTC", at("2026-01-01T00:05:30Z")).toISOString(), "2026-01-01T00:06:00.000Z");
  assert.equal(nextFireTime("0 3 * * *", "UTC", at("2026-01-01T03:00:00Z")).toISOString(), "2026-01-02T03:00:00.000Z");
  assert.equal(nextFireTime("@hourly", "UTC", at("2026-01-01T10:59:59Z")).toISOString(), "2026-01-01T11:00:00.000Z");
});

test("nextFireTime reads the schedule in its time zone, daylight saving included", () => {
  // 03:00 in Paris is 02:00 UTC in winter, 01:00 UTC in summer
  assert.equal(nextFireTime("0 3 * * *", "Europe/Paris", at("2026-01-10T00:00:00Z")).toISOString(), "2026-01-10T02:00:00.000Z");
  assert.equal(nextFireTime("0 3 * * *", "Europe/Paris", at("2026-07-10T00:00:00Z")).toISOString(), "2026-07-10T01:00:00.000Z");
  assert.equal(nextFireTime("30 9 * * 1", "America/New_York", at("2026-01-01T00:00:00Z")).toISOString(), "2026-01-05T14:30:00.000Z");
});

test("a bad schedule is a validation error naming its field", () => {
  for (const cron of ["", "   ", "61 * * * *", "a b c d e", "* * * * * * *", "0 0 30 2 *", "x".repeat(200)]) {
    assert.deepEqual(fieldOf(() => nextFireTime(cron, "UTC", new Date())), ["cron"], cron);
  }
  assert.deepEqual(fieldOf(() => checkSchedule("* * * * *", "Mars/Olympus")), ["timezone"]);
  assert.deepEqual(fieldOf(() => checkSchedule("* * * * *", "")), ["timezone"]);
});

test("at most once a minute: a seconds field other than 0 is refused", () => {
  assert.deepEqual(fieldOf(() => checkSchedule("*/10 * * * * *", "UTC")), ["cron"]);
  assert.deepEqual(fieldOf(() => checkSchedule("* * * * * *", "UTC")), ["cron"]);
  assert.deepEqual(fieldOf(() => checkSchedule("@secondly", "UTC")), ["cron"]);
  assert.doesNotThrow(() => checkSchedule("0 */2 * * * *", "UTC"));
  assert.doesNotThrow(() => checkSchedule("@daily", "UTC"));
});

test("isTimeZone", () => {
  assert.ok(isTimeZone("UTC"));
  assert.ok(isTimeZone("Europe/Warsaw"));
  assert.ok(!isTimeZone("Europe/Nowhere"));
  assert.ok(!isTimeZone(""));
  assert.ok(!isTimeZone("x".repeat(65)));
});

test("describeCron: common shapes in words, the rest 'custom schedule'", () => {
  const cases: [string, string][] = [
    ["* * * * *", "every minute"],
    ["*/15 * * * *", "every 15 minutes"],
    ["0 * * * *", "hourly"],
    ["@hourly", "hourly"],
    ["5 * * * *", "hourly at :05"],
    ["0 */6 * * *", "every 6 hours at :00"],
    ["0 3 * * *", "daily at 03:00"],
    ["@daily", "daily at 00:00"],
    ["30 9 * * 1-5", "weekdays at 09:30"],
    ["0 9 * * 1", "Mondays at 09:00"],
    ["0 9 * * 7", "Sundays at 09:00"],
    ["0 0 1 * *", "monthly on day 1 at 00:00"],
    ["0 0 1 1 *", "custom schedule"],
    ["0,30 * * * *", "custom schedule"],
  ];
  for (const [cron, words] of cases) assert.equal(describeCron(cron), words, cron);
});

test("every problem of a schedule at once: each bad field by name, and the time zone beside it", () => {
  assert.deepEqual(scheduleProblems("0 3 * * *", "UTC"), {});
  assert.deepEqual(scheduleProblems("99 25 * * *", "UTC"), { cron: "minute '99': got value 99 expected range 0-59; hour '25': got value 25 expected range 0-23" });
  const p = scheduleProblems("* * 32 13 8", "Mars/Olympus");
  assert.deepEqual(Object.keys(p).sort(), ["cron", "timezone"]);
  assert.match(p.cron, /^day of month '32': .*; month '13': .*; day of week '8': .*$/);
  assert.match(p.timezone, /unknown time zone 'Mars\/Olympus'/);
  assert.match(scheduleProblems("a * b * *", "UTC").cron, /^minute 'a': .*; day of month 'b': .*$/);
  assert.equal(scheduleProblems("* * * *", "UTC").cron, "expected 5 fields (minute hour day month weekday), got 4");
  assert.match(scheduleProblems("0 0 30 2 *", "UTC").cron, /^not a schedule: /, "each field fine, the whole never a day");
  assert.match(scheduleProblems("*/10 99 * * * *", "UTC").cron, /^seconds '\*\/10': at most once a minute.*; minute '99': /);
  assert.match(scheduleProblems("@fortnightly", "UTC").cron, /unknown shorthand '@fortnightly'/);
  // the error thrown names both fields in its message, and keeps each field's text
  try {
    checkSchedule("99 * * * *", "Nowhere/Else");
    assert.fail("expected a validation error");
  } catch (err) {
    assert.ok(err instanceof AppError);
    assert.equal(err.message, "invalid timezone, cron");
    assert.match(err.fieldErrors!.cron, /^minute '99'/);
  }
});
