import assert from "node:assert/strict";
import { test } from "node:test";
import { standInHub } from "../test/stand-in-hub.ts";
import { notifyCommand, NotifyUsageError } from "./notify.ts";

const hub = standInHub();
const { seen, cfg } = hub;

const RULE = { id: "r1", name: "ops", channel: "webhook", target: "https://hooks.example.com/x", events: ["run.failed"], minSeverity: null };
const DELIVERY = { id: "d1", rule: "ops", eventType: "notify.test", status: "dead", attempts: 1, lastStatusCode: 503, lastError: "answered 503", nextAttemptAt: null, createdAt: "2026-12-07T07:00:00.000Z" };

test("add sends the rule to the project's or the caller's own route and prints the secret once", async () => {
  seen.length = 0;
  hub.reply = () => [201, { secret: "s3cret", rule: RULE }];
  const lines: unknown[] = [];
  assert.equal(await notifyCommand(["add", "--project", "pentest", "--name", "ops", "--events", "run.failed, finding.new", "--min-severity", "high", "--webhook", "https://hooks.example.com/x"], (v) => lines.push(v), cfg), 0);
  assert.equal(await notifyCommand(["add", "--name", "me", "--events", "finding.new", "--email", "a@example.org,b@example.org"], (v) => lines.push(v), cfg), 0);
  assert.deepEqual(seen.map((s) => [s.method, s.url]), [["POST", "/api/projects/pentest/notifications"], ["POST", "/api/me/notifications"]]);
  assert.deepEqual(seen[0].body, { name: "ops", events: ["run.failed", "finding.new"], minSeverity: "high", channel: "webhook", url: "https://hooks.example.com/x" });
  assert.deepEqual(seen[1].body, { name: "me", events: ["finding.new"], minSeverity: null, channel: "email", emails: ["a@example.org", "b@example.org"] });
  assert.match(String(lines[0]), /^r1 {2}ops {2}webhook → https:\/\/hooks\.example\.com\/x {2}on run\.failed\nsigning secret \(shown this once\): s3cret$/);
});

test("test prints the outcome and fails when the delivery did not arrive; list and log read the routes", async () => {
  seen.length = 0;
  hub.reply = (_m, url) => [200, url.endsWith("/test") ? DELIVERY : url.endsWith("/deliveries") ? { deliveries: [DELIVERY] } : { rules: [RULE] }];
  const lines: unknown[] = [];
  assert.equal(await notifyCommand(["test", "r1", "--project", "pentest"], (v) => lines.push(v), cfg), 1);
  assert.equal(await notifyCommand(["list"], (v) => lines.push(v), cfg), 0);
  assert.equal(await notifyCommand(["log", "--project", "pentest"], (v) => lines.push(v), cfg), 0);
  assert.deepEqual(seen.map((s) => [s.method, s.url]), [["POST", "/api/projects/pentest/notifications/r1/test"], ["GET", "/api/me/notifications"], ["GET", "/api/projects/pentest/notifications/deliveries"]]);
  assert.equal(lines[0], "2026-12-07 07:00:00  ops  notify.test  dead 503  1 attempt  (answered 503)");
});

test("usage errors: no channel, two channels, no sub-command", async () => {
  const out = () => undefined;
  await assert.rejects(notifyCommand(["add", "--name", "x", "--events", "run.failed"], out, cfg), NotifyUsageError);
  await assert.rejects(notifyCommand(["add", "--name", "x", "--events", "run.failed", "--slack", "https://a", "--email", "a@b.c"], out, cfg), NotifyUsageError);
  await assert.rejects(notifyCommand([], out, cfg), NotifyUsageError);
  await assert.rejects(notifyCommand(["test"], out, cfg), NotifyUsageError);
});
