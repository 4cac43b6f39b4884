import assert from "node:assert/strict";
import { test } from "node:test";
import { claimPlan, queuesFor, type ClaimInput } from "./limits.ts";

const base: ClaimInput = { free: 4, capacity: 4, heldByInstance: 0, totalRuns: 16, perUserRuns: 4, activeTotal: 0, activeByOwner: new Map() };

test("slots are the least of the worker's free slots, its capacity left and the hub's total left", () => {
  assert.equal(claimPlan(base).slots, 4);
  assert.equal(claimPlan({ ...base, free: 2 }).slots, 2);
  assert.equal(claimPlan({ ...base, heldByInstance: 3 }).slots, 1);
  assert.equal(claimPlan({ ...base, activeTotal: 15 }).slots, 1);
  assert.equal(claimPlan({ ...base, activeTotal: 16 }).slots, 0);
  // over the limit (an admin lowered it): nothing, never negative
  assert.equal(claimPlan({ ...base, activeTotal: 20 }).slots, 0);
  assert.equal(claimPlan({ ...base, heldByInstance: 6 }).slots, 0);
  assert.equal(claimPlan({ ...base, free: 0 }).slots, 0);
});

test("owners at or over the per-user limit are left out, sorted", () => {
  const activeByOwner = new Map([["u3", 2], ["u1", 3], ["u2", 1]]);
  assert.deepEqual(claimPlan({ ...base, perUserRuns: 2, activeByOwner }).ignoreGroups, ["u1", "u3"]);
  assert.deepEqual(claimPlan({ ...base, perUserRuns: 4, activeByOwner }).ignoreGroups, []);
});

test("host-network runs go only to workers that may grant it, and come first there", () => {
  assert.deepEqual(queuesFor({}), ["levhub-run"]);
  assert.deepEqual(queuesFor({ hostNetwork: false }), ["levhub-run"]);
  assert.deepEqual(queuesFor({ hostNetwork: true }), ["levhub-run-hostnet", "levhub-run"]);
});
