/**
 * A webhook's signature (pure): `sha256=` + hex HMAC-SHA256(secret, timestamp + "." + body), the
 * timestamp being the `X-Levhub-Timestamp` header (Unix seconds). Receivers recompute it over the
 * raw body and refuse old timestamps (replays); README "Notifications" shows how.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export function signPayload(secret: string, timestamp: number, body: string): string {
  return "sha256=" + createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** A receiver's check: the signature matches and the timestamp is within `toleranceSeconds` of now. */
export function verifySignature(secret: string, timestamp: string, body: string, signature: string, now = Date.now(), toleranceSeconds = 300): boolean {
  const ts = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signPayload(secret, ts, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
