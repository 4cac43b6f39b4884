import { test } from "node:test";
import assert from "node:assert/strict";
import { emailBackoffMs, SIGN_IN_BACKOFF, signInKeys } from "./limits.ts";

test("the per-e-mail count only ever delays, by at most a few seconds, and never a known device", () => {
  assert.equal(emailBackoffMs(0, false), 0);
  assert.equal(emailBackoffMs(SIGN_IN_BACKOFF.freeFailures - 1, false), 0);
  assert.equal(emailBackoffMs(SIGN_IN_BACKOFF.freeFailures, false), 250);
  assert.equal(emailBackoffMs(SIGN_IN_BACKOFF.freeFailures + 1, false), 500);
  assert.equal(emailBackoffMs(SIGN_IN_BACKOFF.freeFailures + 3, false), 2000);
  for (const n of [9, 50, 1000, 10 ** 9]) {
    assert.equal(emailBackoffMs(n, false), SIGN_IN_BACKOFF.maxDelayMs, `${n} failures`);
    assert.equal(emailBackoffMs(n, true), 0, `${n} failures, known device`);
  }
  assert.ok(SIGN_IN_BACKOFF.maxDelayMs <= 5_000);
  let previous = 0;
  for (let n = 0; n < 40; n++) {
    const d = emailBackoffMs(n, false);
    assert.ok(d >= previous, "the delay never shrinks as failures grow");
    previous = d;
  }
});

test("a known device is counted apart from its address, so others' failures from that address never refuse it", () => {
  const anon = signInKeys("alice@x", { address: "10.0.0.1", knownDevice: null });
  const known = signInKeys("alice@x", { address: "10.0.0.1", knownDevice: "u1.k" });
  assert.notEqual(anon.client, known.client);
  assert.notEqual(anon.clientEmail, known.clientEmail);
  assert.equal(anon.email, known.email);
  // an address and a device id never collide, whatever they spell
  assert.notEqual(signInKeys("a", { address: "device:x", knownDevice: null }).client, signInKeys("a", { address: "z", knownDevice: "x" }).client);
});
