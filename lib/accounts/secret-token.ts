import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A random token for a link (invite, admin bootstrap): 32 bytes, URL-safe. */
export function newSecretToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What is stored instead of a link token: its sha256, hex. */
export function sha256Hex(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Compares two stored hashes in constant time (both are sha256 hex, so equal length when valid). */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
