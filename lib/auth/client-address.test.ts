import { test } from "node:test";
import assert from "node:assert/strict";
import { clientAddress, trustedProxyHops } from "./client-address.ts";

test("without a trusted proxy the rightmost X-Forwarded-For entry is the key (Next puts the socket address there)", () => {
  assert.equal(clientAddress(new Headers({ "x-forwarded-for": "127.0.0.1" }), 0), "127.0.0.1");
  assert.equal(clientAddress(new Headers({ "x-forwarded-for": "::ffff:10.0.0.7" }), 0), "10.0.0.7");
  assert.equal(clientAddress({ "x-forwarded-for": "1.1.1.1, 2.2.2.2" }, 0), "2.2.2.2");
  assert.equal(clientAddress({}, 0), "unknown");
  assert.equal(clientAddress(new Headers(), 0), "unknown");
});

test("behind N trusted proxies the N-th entry from the right is the client; what the client wrote further left is ignored", () => {
  const h = { "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.0.0.2" };
  assert.equal(clientAddress(h, 1), "10.0.0.2");
  assert.equal(clientAddress(h, 2), "203.0.113.9");
  // fewer entries than hops: the leftmost one there is
  assert.equal(clientAddress({ "x-forwarded-for": "203.0.113.9" }, 3), "203.0.113.9");
});

test("a huge header cannot make a huge key", () => {
  assert.ok(clientAddress({ "x-forwarded-for": "x".repeat(10_000) }, 0).length <= 64);
});

test("LEVHUB_TRUST_PROXY is a small hop count; anything else means no trusted proxy", () => {
  assert.equal(trustedProxyHops(undefined), 0);
  assert.equal(trustedProxyHops("1"), 1);
  assert.equal(trustedProxyHops("2"), 2);
  assert.equal(trustedProxyHops("yes"), 0);
  assert.equal(trustedProxyHops("-1"), 0);
  assert.equal(trustedProxyHops("1.5"), 0);
});
