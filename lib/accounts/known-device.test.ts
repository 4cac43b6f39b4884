import { test } from "node:test";
import assert from "node:assert/strict";
import { KNOWN_DEVICE_MAX_AGE_S, knownDeviceKey, rememberDevice } from "./known-device.ts";

const SECRET = "s3cret";
const alice = { id: "cmalice01", sessionVersion: 0 };
const bob = { id: "cmbob02", sessionVersion: 3 };
const T = 1_800_000_000_000;

test("a device remembered for a user is known to that user only, until they sign out everywhere", () => {
  const cookie = rememberDevice(null, alice, SECRET, T);
  assert.ok(knownDeviceKey(cookie, alice, SECRET, T + 1000));
  assert.equal(knownDeviceKey(cookie, bob, SECRET, T), null);
  assert.equal(knownDeviceKey(cookie, { ...alice, sessionVersion: 1 }, SECRET, T), null, "sign out everywhere forgets it");
  assert.equal(knownDeviceKey(cookie, alice, "another secret", T), null);
  assert.equal(knownDeviceKey(cookie, alice, SECRET, T + KNOWN_DEVICE_MAX_AGE_S * 1000 + 1), null, "it expires");
});

test("a forged or mangled cookie is no known device", () => {
  const cookie = rememberDevice(null, alice, SECRET, T);
  const [id, issued, sig] = cookie.split(".");
  const flipped = sig[0] === "A" ? "B" + sig.slice(1) : "A" + sig.slice(1);
  for (const bad of [`${id}.${issued}.${flipped}`, `${id}.${(T + 5).toString(36)}.${sig}`, `${bob.id}.${issued}.${sig}`, "", "~~~", "x".repeat(10_000), `${cookie}\u0000`]) {
    assert.equal(knownDeviceKey(bad, alice, SECRET, T), null, JSON.stringify(bad.slice(0, 60)));
  }
});

test("one browser remembers several accounts, the latest sign-in first, at most five", () => {
  let cookie = rememberDevice(null, alice, SECRET, T);
  cookie = rememberDevice(cookie, bob, SECRET, T + 1);
  assert.ok(knownDeviceKey(cookie, alice, SECRET, T + 2));
  assert.ok(knownDeviceKey(cookie, bob, SECRET, T + 2));
  for (let i = 0; i < 6; i++) cookie = rememberDevice(cookie, { id: `user${i}`, sessionVersion: 0 }, SECRET, T + 10 + i);
  assert.equal(cookie.split("~").length, 5);
  assert.equal(knownDeviceKey(cookie, alice, SECRET, T + 20), null, "the oldest is dropped");
  // signing in again replaces the user's entry instead of adding one
  const again = rememberDevice(cookie, { id: "user5", sessionVersion: 0 }, SECRET, T + 30);
  assert.equal(again.split("~").length, 5);
  assert.ok(again.startsWith("user5."));
});
