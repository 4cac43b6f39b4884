import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { signPayload, verifySignature } from "./signature.ts";

test("the signature is HMAC-SHA256 over timestamp.body, as the README's receiver recomputes it", () => {
  const body = '{"id":"d1","type":"run.failed"}';
  const expected = createHmac("sha256", "s3cret").update(`1700000000.${body}`).digest("hex");
  assert.equal(signPayload("s3cret", 1700000000, body), `sha256=${expected}`);
});

test("verification refuses another secret, another body, another timestamp and old timestamps", () => {
  const now = 1_700_000_000_000;
  const ts = 1_700_000_000;
  const sig = signPayload("k", ts, "b");
  assert.ok(verifySignature("k", String(ts), "b", sig, now));
  assert.ok(!verifySignature("k2", String(ts), "b", sig, now));
  assert.ok(!verifySignature("k", String(ts), "b ", sig, now));
  assert.ok(!verifySignature("k", String(ts + 1), "b", sig, now));
  assert.ok(!verifySignature("k", String(ts), "b", sig, now + 301_000));
  assert.ok(!verifySignature("k", "1e9", "b", sig, now));
  assert.ok(!verifySignature("k", String(ts), "b", sig.slice(0, -1), now));
});
