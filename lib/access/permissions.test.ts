import { test } from "node:test";
import assert from "node:assert/strict";
import { canPublishTo, canViewPackage } from "./permissions.ts";
import type { TokenGrant, Viewer } from "../types.ts";

const alice: Viewer = { id: "a", email: "a@x", username: "alice", name: null, role: "user" };
const bob: Viewer = { id: "b", email: "b@x", username: "bob", name: null, role: "user" };
const root: Viewer = { id: "r", email: "r@x", username: "root", name: null, role: "admin" };
const limitedTo = (v: Viewer, namespace: string | null): Viewer => {
  const token: TokenGrant = { id: "t", scopes: ["read", "run", "publish"], namespace, expiresAt: "2100-01-01T00:00:00.000Z" };
  return { ...v, token };
};

test("canViewPackage hides private packages from everyone but their owner and admins", () => {
  const priv = { private: true, namespace: { ownerId: "a", name: "alice" } };
  assert.equal(canViewPackage(alice, priv), true);
  assert.equal(canViewPackage(bob, priv), false);
  assert.equal(canViewPackage(null, priv), false);
  assert.equal(canViewPackage(root, priv), true);
  assert.equal(canViewPackage(null, { private: false, namespace: { ownerId: "a", name: "alice" } }), true);
});

test("a namespace-limited token sees private packages only in its namespace; public ones everywhere", () => {
  const privA = { private: true, namespace: { ownerId: "a", name: "alice" } };
  const pubA = { private: false, namespace: { ownerId: "a", name: "alice" } };
  const privHub = { private: true, namespace: { ownerId: null, name: "levhub" } };
  assert.equal(canViewPackage(limitedTo(alice, "alice"), privA), true);
  assert.equal(canViewPackage(limitedTo(alice, "other"), privA), false);
  assert.equal(canViewPackage(limitedTo(alice, "other"), pubA), true);
  assert.equal(canViewPackage(limitedTo(alice, null), privA), true);
  // an admin's token limited to one namespace no longer sees everyone's private packages
  assert.equal(canViewPackage(root, privHub), true);
  assert.equal(canViewPackage(limitedTo(root, "alice"), privHub), false);
  assert.equal(canViewPackage(limitedTo(root, "levhub"), privHub), true);
});

test("canPublishTo allows the namespace owner and admins only; a limited token only its namespace", () => {
  assert.equal(canPublishTo(alice, "alice", { ownerId: "a" }), true);
  assert.equal(canPublishTo(bob, "alice", { ownerId: "a" }), false);
  assert.equal(canPublishTo(bob, "levhub", { ownerId: null }), false);
  assert.equal(canPublishTo(bob, "fresh", null), false);
  assert.equal(canPublishTo(root, "levhub", { ownerId: null }), true);
  assert.equal(canPublishTo(root, "fresh", null), true);
  assert.equal(canPublishTo(null, "alice", { ownerId: "a" }), false);
  assert.equal(canPublishTo(limitedTo(alice, "alice"), "alice", { ownerId: "a" }), true);
  assert.equal(canPublishTo(limitedTo(root, "alice"), "levhub", { ownerId: null }), false);
  assert.equal(canPublishTo(limitedTo(root, "alice"), "alice", { ownerId: "a" }), true);
});
