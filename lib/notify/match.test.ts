import { test } from "node:test";
import assert from "node:assert/strict";
import { ruleMatches, worstSeverity, type MatchRule } from "./match.ts";

const finding = (severity: string) => ({ id: "f", title: "t", severity, asset: "10.0.0.1" });
const ev = (type: string, data: unknown = {}, projectId = "p1") => ({ projectId, type, data });
const rule = (over: Partial<MatchRule> = {}): MatchRule => ({ projectId: "p1", userId: "u1", enabled: true, eventTypes: ["run.failed", "finding.new", "finding.reopened", "assets.new_services"], minSeverity: null, ...over });

test("a project rule hears its project's events of its types only", () => {
  assert.ok(ruleMatches(ev("run.failed"), rule(), false));
  assert.ok(!ruleMatches(ev("run.failed", {}, "p2"), rule(), true));
  assert.ok(!ruleMatches(ev("run.failed"), rule({ eventTypes: ["finding.new"] }), true));
  assert.ok(!ruleMatches(ev("run.failed"), rule({ enabled: false }), true));
});

test("a user rule hears every project its user may read, and no other", () => {
  const r = rule({ projectId: null });
  assert.ok(ruleMatches(ev("run.failed", {}, "p9"), r, true));
  assert.ok(!ruleMatches(ev("run.failed", {}, "p9"), r, false));
  assert.ok(!ruleMatches(ev("run.failed"), rule({ projectId: null, userId: null }), true));
});

test("the minimum severity applies to findings events: the worst finding listed decides", () => {
  const high = rule({ minSeverity: "high" });
  assert.ok(ruleMatches(ev("finding.new", { findings: [finding("low"), finding("critical")] }), high, false));
  assert.ok(ruleMatches(ev("finding.reopened", { findings: [finding("high")] }), high, false));
  assert.ok(!ruleMatches(ev("finding.new", { findings: [finding("medium"), finding("info")] }), high, false));
  assert.ok(!ruleMatches(ev("finding.new", { findings: [] }), high, false));
  assert.ok(!ruleMatches(ev("finding.new", { findings: [finding("bogus")] }), high, false));
  // other events have no severity: the minimum does not hold them back
  assert.ok(ruleMatches(ev("run.failed"), high, false));
  assert.ok(ruleMatches(ev("assets.new_services", { services: [] }), high, false));
});

test("worstSeverity reads hostile data without throwing", () => {
  assert.equal(worstSeverity(null), null);
  assert.equal(worstSeverity({ findings: "x" }), null);
  assert.equal(worstSeverity({ findings: [null, 3, { severity: "medium" }] }), "medium");
});
