import assert from "node:assert/strict";
import { test } from "node:test";
import { collectable, mayReference, oversizeFile, quotaRefusal, UPLOAD_GRACE_MS } from "./policy.ts";

test("who may reference a file: its uploader, or whoever may run in its project; no one else", () => {
  const me = "u1";
  assert.equal(mayReference({ viewerId: me, uploaderId: me, rightsInProject: [] }), true, "the uploader, whatever the project says");
  assert.equal(mayReference({ viewerId: me, uploaderId: "u2", rightsInProject: ["read", "run"] }), true, "an operator of its project");
  assert.equal(mayReference({ viewerId: me, uploaderId: "u2", rightsInProject: ["read", "run", "manage"] }), true, "an owner (or an admin)");
  assert.equal(mayReference({ viewerId: me, uploaderId: "u2", rightsInProject: ["read"] }), false, "a viewer of its project");
  assert.equal(mayReference({ viewerId: me, uploaderId: "u2", rightsInProject: [] }), false, "a non-member");
  assert.equal(mayReference({ viewerId: me, uploaderId: null, rightsInProject: [] }), false, "an upload whose uploader is gone, outside one's projects");
  assert.equal(mayReference({ viewerId: me, uploaderId: null, rightsInProject: ["read", "run"] }), true);
});

test("the collector removes an upload only when nothing references it and its grace period is over", () => {
  const now = new Date("2026-12-10T12:00:00Z");
  const old = new Date(now.getTime() - UPLOAD_GRACE_MS);
  const young = new Date(now.getTime() - UPLOAD_GRACE_MS + 1);
  assert.equal(collectable({ createdAt: old, runs: 0, scans: 0 }, now), true);
  assert.equal(collectable({ createdAt: young, runs: 0, scans: 0 }, now), false, "uploaded for a form still being filled in");
  assert.equal(collectable({ createdAt: old, runs: 1, scans: 0 }, now), false, "a run (or a re-run) references it");
  assert.equal(collectable({ createdAt: old, runs: 0, scans: 1 }, now), false, "a saved scan references it");
  assert.equal(collectable({ createdAt: young, runs: 0, scans: 0 }, now, 0), true, "a grace period of its own");
});

test("caps: one file's size, and a user's distinct files", () => {
  assert.equal(oversizeFile("a.bin", 10, 10), null);
  assert.equal(oversizeFile("a.bin", 11 * 1048576, 10 * 1048576), "a.bin is 11 MiB, over the limit of 10 MiB for one file (Admin → Policy)");
  assert.equal(quotaRefusal({ used: 90, size: 10, quota: 100, alreadyHeld: false }), null, "exactly full");
  assert.match(quotaRefusal({ used: 90, size: 11, quota: 100, alreadyHeld: false }) ?? "", /^your files already take 90 bytes of your 100 bytes; this one \(11 bytes\) does not fit/);
  assert.equal(quotaRefusal({ used: 100, size: 50, quota: 100, alreadyHeld: true }), null, "the same content again takes no more room");
});
