import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * "Known device": a browser that signed in to an account before carries a cookie that says so,
 * signed with the hub's secret, per user (and per sign-out-everywhere: the user's session version
 * is in the signature, so signing out everywhere forgets every device too). Its only power is in
 * the sign-in limits (lib/accounts/limits.ts): its attempts are counted apart from its address
 * and never wait for the per-e-mail backoff, so others' wrong passwords cannot keep its owner out.
 * One cookie holds up to MAX_USERS accounts (a shared machine). Pure: the secret comes in.
 */
export const KNOWN_DEVICE_COOKIE = "levhub-known-device";
export const KNOWN_DEVICE_MAX_AGE_S = 365 * 24 * 3600;
const MAX_USERS = 5;
const ENTRY = /^([A-Za-z0-9_-]{1,40})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/;

function mac(secret: string, userId: string, sessionVersion: number, issued: string): string {
  return createHmac("sha256", secret).update(`levhub-known-device|${userId}|${sessionVersion}|${issued}`).digest("base64url").slice(0, 22);
}

function entries(cookie: string | null | undefined): string[] {
  return (cookie ?? "").slice(0, 4096).split("~").filter((e) => ENTRY.test(e));
}

/**
 * The device key of `user` in the cookie (its user id and when it was issued), or null when the
 * cookie has no valid entry for them: a forged, expired or pre-sign-out-everywhere one counts as none.
 */
export function knownDeviceKey(cookie: string | null | undefined, user: { id: string; sessionVersion: number }, secret: string, now = Date.now()): string | null {
  for (const e of entries(cookie)) {
    const [, id, issued, sig] = ENTRY.exec(e)!;
    if (id !== user.id) continue;
    const at = parseInt(issued, 36);
    if (!(at <= now + 60_000 && now - at < KNOWN_DEVICE_MAX_AGE_S * 1000)) continue;
    const want = Buffer.from(mac(secret, user.id, user.sessionVersion, issued));
    if (timingSafeEqual(want, Buffer.from(sig))) return `${id}.${issued}`;
  }
  return null;
}

/** The cookie after a successful sign-in of `user`: their fresh entry first, up to MAX_USERS others kept. */
export function rememberDevice(cookie: string | null | undefined, user: { id: string; sessionVersion: number }, secret: string, now = Date.now()): string {
  const issued = now.toString(36);
  const mine = `${user.id}.${issued}.${mac(secret, user.id, user.sessionVersion, issued)}`;
  const others = entries(cookie).filter((e) => !e.startsWith(`${user.id}.`));
  return [mine, ...others].slice(0, MAX_USERS).join("~");
}
