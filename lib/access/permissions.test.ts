import { test } from "node:test";
import assert from "node:assert/strict";
import { canPublishTo, canViewPackage } from "./permissions.ts";
import type { Viewer } from "../types.ts";

const alice: Viewer = { id: "a", email: "a@x", username: "alice", name: null, role: "user" };
const bob: Viewer = { id: "b", email: "b@x", username: "bob", name: null, role: "user" };
const root: Viewer = { id: "r", email: "r@x", username: "root", name: null, role: "admin" };

test("canViewPackage hides private packages from everyone but their owner and admins", () => {
  const priv = { private: true, namespace: { ownerId: "a" } };
  assert.equal(canViewPackage(alice, priv), true);
  assert.equal(canViewPackage(bob, priv), false);
  assert.equal(canViewPackage(null, priv), false);
  assert.equal(canViewPackage(root, priv), true);
  assert.equal(canViewPackage(null, { private: false, namespace: { ownerId: "a" } }), true);
});

test("canPublishTo allows the namespace owner and admins only", () => {
  assert.equal(canPublishTo(alice, { ownerId: "a" }), true);
  assert.equal(canPublishTo(bob, { ownerId: "a" }), false);
  assert.equal(canPublishTo(bob, { ownerId: null }), false);
  assert.equal(canPublishTo(bob, null), false);
  assert.equal(canPublishTo(root, { ownerId: null }), true);
  assert.equal(canPublishTo(null, { ownerId: "a" }), false);
});
