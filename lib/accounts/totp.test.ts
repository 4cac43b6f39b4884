import { test } from "node:test";
import assert from "node:assert/strict";
import { base32Decode, base32Encode, checkTotp, hotp, otpauthUri, totp, totpStep } from "./totp.ts";

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890", codes of 8 digits
const SEED = Buffer.from("12345678901234567890");
const RFC6238_SHA1: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

test("TOTP matches RFC 6238 Appendix B (SHA-1), and the 6-digit codes are their last six digits", () => {
  for (const [seconds, code] of RFC6238_SHA1) {
    assert.equal(totp(SEED, seconds * 1000, { digits: 8 }), code, `T = ${seconds}`);
    assert.equal(totp(SEED, seconds * 1000), code.slice(2), `T = ${seconds}, 6 digits`);
  }
  // the SHA-256 and SHA-512 seeds of the same appendix, at T = 59
  assert.equal(totp(Buffer.from("12345678901234567890123456789012"), 59_000, { digits: 8, algorithm: "sha256" }), "46119246");
  assert.equal(totp(Buffer.from("1234567890123456789012345678901234567890123456789012345678901234"), 59_000, { digits: 8, algorithm: "sha512" }), "90693936");
});

test("HOTP matches RFC 4226 Appendix D", () => {
  const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
  expected.forEach((code, counter) => assert.equal(hotp(SEED, counter), code, `counter ${counter}`));
});

test("base32 round-trips and reads what people type", () => {
  assert.equal(base32Encode(Buffer.from("foobar")), "MZXW6YTBOI");
  assert.deepEqual(base32Decode("mzxw 6ytb-oi=="), Buffer.from("foobar"));
  assert.equal(base32Decode("not base32!"), null);
  for (let n = 0; n < 25; n++) {
    const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 255));
    assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
  }
});

test("a code is accepted one step either side, never twice, and never far off", () => {
  const t = 1_700_000_000_000;
  const step = totpStep(t);
  const now = totp(SEED, t);
  assert.deepEqual(checkTotp(SEED, now, t, null), { ok: true, step });
  assert.deepEqual(checkTotp(SEED, totp(SEED, t - 30_000), t, null), { ok: true, step: step - 1 });
  assert.deepEqual(checkTotp(SEED, totp(SEED, t + 30_000), t, null), { ok: true, step: step + 1 });
  assert.deepEqual(checkTotp(SEED, totp(SEED, t - 90_000), t, null), { ok: false, reason: "wrong" });
  // replayed within its window, or an older code after a newer one was used
  assert.deepEqual(checkTotp(SEED, now, t + 5_000, step), { ok: false, reason: "replayed" });
  assert.deepEqual(checkTotp(SEED, totp(SEED, t - 30_000), t, step), { ok: false, reason: "replayed" });
  assert.deepEqual(checkTotp(SEED, totp(SEED, t + 30_000), t + 30_000, step), { ok: true, step: step + 1 });
  assert.deepEqual(checkTotp(SEED, "12345", t, null), { ok: false, reason: "malformed" });
  assert.deepEqual(checkTotp(SEED, "abcdef", t, null), { ok: false, reason: "malformed" });
  assert.equal(checkTotp(SEED, ` ${now.slice(0, 3)} ${now.slice(3)} `, t, null).ok, true);
});

test("the otpauth URI names the issuer and account and carries the secret in base32", () => {
  const uri = otpauthUri({ issuer: "Levhub", account: "alice@example.org", secret: Buffer.from("foobar") });
  assert.equal(uri, "otpauth://totp/Levhub:alice%40example.org?secret=MZXW6YTBOI&issuer=Levhub&algorithm=SHA1&digits=6&period=30");
});
