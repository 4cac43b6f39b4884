import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * TOTP (RFC 6238) over HOTP (RFC 4226): HMAC-SHA-1, 6 digits, 30-second steps, codes of the step
 * before and after accepted for clock drift. Pure apart from `newTotpSecret`'s randomness.
 */
export const TOTP = { digits: 6, periodSeconds: 30, window: 1, secretBytes: 20 } as const;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 without padding, as authenticator apps read secrets. */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Base32 (spaces, dashes, case and padding ignored); null for anything else. */
export function base32Decode(text: string): Buffer | null {
  const clean = text.replace(/[\s=-]/g, "").toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of clean) {
    const i = ALPHABET.indexOf(c);
    if (i < 0) return null;
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function newTotpSecret(): Buffer {
  return randomBytes(TOTP.secretBytes);
}

/** HOTP (RFC 4226 §5.3): dynamic truncation of HMAC(secret, counter) to `digits` decimal digits. */
export function hotp(secret: Uint8Array, counter: number, digits: number = TOTP.digits, algorithm: "sha1" | "sha256" | "sha512" = "sha1"): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(bin % 10 ** digits).padStart(digits, "0");
}

/** The 30-second step `nowMs` falls in (RFC 6238's T). */
export function totpStep(nowMs: number, periodSeconds: number = TOTP.periodSeconds): number {
  return Math.floor(nowMs / 1000 / periodSeconds);
}

export function totp(secret: Uint8Array, nowMs: number, opts: { digits?: number; algorithm?: "sha1" | "sha256" | "sha512" } = {}): string {
  return hotp(secret, totpStep(nowMs), opts.digits ?? TOTP.digits, opts.algorithm ?? "sha1");
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: "malformed" | "wrong" | "replayed" };

/**
 * Checks a 6-digit code against the steps around `nowMs`. A code whose step is not after
 * `lastStep` (the step of the last code accepted) is a replay and refused, so a code seen once
 * — over a shoulder, in a log — is worth nothing afterwards, even inside its own 30 seconds.
 */
export function checkTotp(secret: Uint8Array, code: string, nowMs: number, lastStep: number | null): TotpCheck {
  const clean = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(clean)) return { ok: false, reason: "malformed" };
  const now = totpStep(nowMs);
  let matched: number | null = null;
  for (let step = now - TOTP.window; step <= now + TOTP.window; step++) {
    // every candidate is computed and compared, so the time taken says nothing about which matched
    if (timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(clean)) && matched === null) matched = step;
  }
  if (matched === null) return { ok: false, reason: "wrong" };
  if (lastStep !== null && matched <= lastStep) return { ok: false, reason: "replayed" };
  return { ok: true, step: matched };
}

/** The `otpauth://` URI authenticator apps import (the QR code holds it). */
export function otpauthUri(opts: { issuer: string; account: string; secret: Uint8Array }): string {
  const label = `${encodeURIComponent(opts.issuer)}:${encodeURIComponent(opts.account)}`;
  const q = new URLSearchParams({ secret: base32Encode(opts.secret), issuer: opts.issuer, algorithm: "SHA1", digits: String(TOTP.digits), period: String(TOTP.periodSeconds) });
  return `otpauth://totp/${label}?${q.toString()}`;
}
