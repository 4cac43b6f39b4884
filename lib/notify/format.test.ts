import { test } from "node:test";
import assert from "node:assert/strict";
import { emailContent, oneLine, slackBody, webhookBody, type NotificationEvent } from "./format.ts";

const hostile = "x\r\nBcc: victim@example.org\r\n\r\n<!channel> <https://evil.example|click> & more\u2028";
const ev = (type: string, data: unknown): NotificationEvent => ({ id: "d-1", type, project: { slug: "p", name: `Proj ${hostile}` }, occurredAt: "2026-12-07T06:00:00.000Z", data });
const findings = { run: { id: "r", number: 7 }, count: 2, findings: [{ id: "f", title: hostile, severity: "high", asset: hostile }] };

test("an e-mail subject is one line whatever the event's names hold", () => {
  for (const e of [ev("finding.new", findings), ev("run.failed", { run: { number: 1, function: hostile }, error: { type: hostile, message: hostile } }), ev(hostile, {})]) {
    const { subject, text } = emailContent(e);
    assert.doesNotMatch(subject, /[\r\n\u2028]/);
    assert.ok(subject.length <= 180);
    assert.ok(!text.split("\n").some((l) => /^Bcc:/i.test(l)), "no line of the text starts a header either");
  }
});

test("Slack text escapes markup: no mention, no link from a finding's title", () => {
  const msg = JSON.parse(slackBody(ev("finding.new", findings)));
  const all = JSON.stringify(msg);
  assert.doesNotMatch(all, /<!channel>|<https:/);
  assert.match(all, /&lt;!channel&gt;/);
  assert.equal(typeof msg.text, "string");
  assert.ok(Array.isArray(msg.blocks));
});

test("the webhook body is the documented envelope with the event's data as is", () => {
  const b = JSON.parse(webhookBody(ev("finding.new", findings)));
  assert.deepEqual(b, { id: "d-1", type: "finding.new", project: { slug: "p", name: `Proj ${hostile}` }, occurredAt: "2026-12-07T06:00:00.000Z", data: findings });
});

test("oneLine cuts and flattens", () => {
  assert.equal(oneLine("a\r\nb\tc"), "a b c");
  assert.equal(oneLine("x".repeat(300), 10).length, 10);
  assert.equal(oneLine(undefined), "");
});
