import assert from "node:assert/strict";
import { test } from "node:test";
import { credentialMatchesKind, workerTokenKind } from "./token-kind.ts";

const body = "A".repeat(42) + "_";

test("a token's kind is its prefix, and only the exact shape counts", () => {
  assert.equal(workerTokenKind("lwk_" + body), "worker");
  assert.equal(workerTokenKind("ldv_" + body), "device");
  for (const bad of ["", "lwk_", "ldv_" + body + "A", "ldv_" + body.slice(1), "lev_" + body, "LDV_" + body, "ldv_" + body.slice(1) + "=", " ldv_" + body, "ldv-" + body]) {
    assert.equal(workerTokenKind(bad), null, bad);
  }
});

test("a device token acts only for a user's live device credential; a worker token only for a hub credential", () => {
  assert.equal(credentialMatchesKind("device", { ownerId: "u1", hasDevice: true }), true);
  assert.equal(credentialMatchesKind("device", { ownerId: null, hasDevice: false }), false);
  assert.equal(credentialMatchesKind("device", { ownerId: "u1", hasDevice: false }), false);
  assert.equal(credentialMatchesKind("worker", { ownerId: null, hasDevice: false }), true);
  assert.equal(credentialMatchesKind("worker", { ownerId: "u1", hasDevice: true }), false);
  assert.equal(credentialMatchesKind("worker", { ownerId: "u1", hasDevice: false }), false);
});
