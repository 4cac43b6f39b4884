import { test } from "node:test";
import assert from "node:assert/strict";
import { DUMMY_HASH, hashPassword, legacyScryptHash, needsRehash, verifyPassword } from "./password.ts";

test("hashPassword writes salted argon2id hashes with OWASP's parameters", async () => {
  const a = await hashPassword("correct horse");
  const b = await hashPassword("correct horse");
  assert.notEqual(a, b);
  assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.equal(needsRehash(a), false);
});

test("verifyPassword accepts only the right password", async () => {
  const a = await hashPassword("correct horse");
  assert.equal(await verifyPassword("correct horse", a), true);
  assert.equal(await verifyPassword("correct horsE", a), false);
  assert.equal(await verifyPassword("", a), false);
});

test("hashes of older hubs (scrypt) still verify and are marked for an upgrade", async () => {
  const old = await legacyScryptHash("old secret", 1024);
  assert.match(old, /^scrypt\$1024\$8\$1\$/);
  assert.equal(await verifyPassword("old secret", old), true);
  assert.equal(await verifyPassword("old secreT", old), false);
  assert.equal(needsRehash(old), true);
});

test("argon2 hashes with other parameters verify but are marked for an upgrade", () => {
  assert.equal(needsRehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaA"), true);
  assert.equal(needsRehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA"), true);
});

test("malformed or hostile stored hashes match nothing and do not throw", async () => {
  for (const stored of [
    "plain",
    "",
    "scrypt$16384$8$1$AAAA",
    "scrypt$abc$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    // N far beyond any real parameter would make the hub allocate gigabytes
    "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "$argon2id$v=19$m=19456,t=2,p=1$broken",
  ]) {
    assert.equal(await verifyPassword("anything", stored), false, stored);
  }
});

test("the dummy hash used for unknown accounts costs the same as a real one and matches nothing typed", async () => {
  assert.equal(needsRehash(DUMMY_HASH), false);
  assert.equal(await verifyPassword("longenough", DUMMY_HASH), false);
});

test("hashing runs off the event loop: a timer fires while hashes are still being computed", async () => {
  // a blocking hash computes inside the call, so no timer can fire before every hash is done;
  // counted as a state (hashes still pending when a tick came), not as a rate a busy machine lowers
  const n = 8;
  let done = 0;
  let ticksWhilePending = 0;
  const timer = setInterval(() => {
    if (done < n) ticksWhilePending++;
  }, 1);
  await Promise.all(Array.from({ length: n }, (_, i) => hashPassword(`password ${i}`).then(() => done++)));
  clearInterval(timer);
  assert.ok(ticksWhilePending >= 1, "no timer fired while the hashes were computed");
});
