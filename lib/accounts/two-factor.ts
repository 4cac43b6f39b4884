import "server-only";
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomInt } from "node:crypto";
import { renderSVG } from "uqr";
import { db } from "../platform/db.ts";
import { ensureAuthSecret } from "../platform/config.ts";
import { audit } from "../platform/audit.ts";
import { getSettings, updateSettings, type TwoFactorRequirement } from "../platform/settings.ts";
import { assertAdmin } from "../access/assert-admin.ts";
import { conflict, validation } from "../errors.ts";
import { base32Encode, checkTotp, newTotpSecret, otpauthUri } from "./totp.ts";
import type { Role, Viewer } from "../types.ts";

/**
 * Two-factor sign-in with TOTP (lib/accounts/totp.ts). The secret is stored encrypted (AES-256-GCM,
 * key derived from the hub's auth secret: a copy of the database alone does not give it away) and
 * is shown only while enrolling; ten recovery codes are shown once and stored as sha256, each
 * usable once. A code is accepted once (`totpLastStep`). Admins may require it (for admins or for
 * everyone): `mustEnrol` says who is sent to set it up and can do nothing else until they have.
 * Changing NEXTAUTH_SECRET makes stored secrets unreadable: their owners then sign in with a
 * recovery code and enrol again.
 */
export const RECOVERY_CODES = 10;
const ISSUER = "Levhub";

function key(): Buffer {
  return Buffer.from(hkdfSync("sha256", ensureAuthSecret(), "levhub", "totp-secret v1", 32));
}

function seal(secret: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const data = Buffer.concat([cipher.update(secret), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

function unseal(stored: string): Buffer | null {
  const [v, iv, tag, data] = stored.split(".");
  if (v !== "v1" || !iv || !tag || !data) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]);
  } catch {
    return null; // another key (NEXTAUTH_SECRET changed) or a damaged value
  }
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Recovery codes as shown: `xxxxx-xxxxx` in lower-case base32 (50 bits); typed with or without the dash. */
function newRecoveryCode(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const chars = Array.from({ length: 10 }, () => alphabet[randomInt(32)]);
  return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
}
const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, "");
const RECOVERY_CODE = /^[a-z2-7]{10}$/;

/** Whether someone with `role` must have two-factor sign-in under the admin's setting. Pure. */
export function twoFactorRequiredFor(role: Role, requirement: TwoFactorRequirement): boolean {
  return requirement === "everyone" || (requirement === "admins" && role === "admin");
}

/** Whether the user must still set up two-factor sign-in before doing anything else. */
export async function mustEnrol(user: { role: Role; totpEnabledAt: Date | null }): Promise<boolean> {
  if (user.totpEnabledAt) return false;
  return twoFactorRequiredFor(user.role, (await getSettings()).twoFactorRequired);
}

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: string | null;
  recoveryCodesLeft: number;
  /** the admin's setting makes it required for this account */
  required: boolean;
}

export async function twoFactorStatus(viewer: Viewer): Promise<TwoFactorStatus> {
  const [user, left, settings] = await Promise.all([
    db().user.findUniqueOrThrow({ where: { id: viewer.id }, select: { totpEnabledAt: true, role: true } }),
    db().recoveryCode.count({ where: { userId: viewer.id, usedAt: null } }),
    getSettings(),
  ]);
  return {
    enabled: !!user.totpEnabledAt,
    enabledAt: user.totpEnabledAt?.toISOString() ?? null,
    recoveryCodesLeft: user.totpEnabledAt ? left : 0,
    required: twoFactorRequiredFor(user.role, settings.twoFactorRequired),
  };
}

/** Enrolment's first half: what the authenticator app needs, shown on this page only. */
export interface TwoFactorEnrolment {
  /** base32, for typing in by hand */
  secret: string;
  uri: string;
  /** the URI as a QR code (SVG markup made here, never from user input) */
  qrSvg: string;
}

/** Starts (or restarts) enrolment with a new secret; nothing changes for sign-in until it is confirmed. */
export async function startTwoFactor(viewer: Viewer): Promise<TwoFactorEnrolment> {
  const user = await db().user.findUniqueOrThrow({ where: { id: viewer.id }, select: { totpEnabledAt: true, email: true } });
  if (user.totpEnabledAt) throw conflict("two-factor sign-in is on already; turn it off first to enrol another app");
  const secret = newTotpSecret();
  await db().user.update({ where: { id: viewer.id }, data: { totpSecret: seal(secret), totpLastStep: null } });
  const uri = otpauthUri({ issuer: ISSUER, account: user.email, secret });
  return { secret: base32Encode(secret), uri, qrSvg: renderSVG(uri, { border: 2 }) };
}

/**
 * Enrolment's second half: a code from the app proves it holds the secret. Turns two-factor
 * sign-in on and returns the recovery codes, this once.
 */
export async function confirmTwoFactor(viewer: Viewer, code: string, now = new Date()): Promise<{ recoveryCodes: string[] }> {
  const user = await db().user.findUniqueOrThrow({ where: { id: viewer.id }, select: { totpSecret: true, totpEnabledAt: true } });
  if (user.totpEnabledAt) throw conflict("two-factor sign-in is on already");
  const secret = user.totpSecret ? unseal(user.totpSecret) : null;
  if (!secret) throw validation("start the set-up again: no secret is waiting to be confirmed", { code: "start again" });
  const check = checkTotp(secret, code, now.getTime(), null);
  if (!check.ok) throw validation("check the code", { code: check.reason === "malformed" ? "the 6 digits your app shows" : "that code is not right; check the app's clock and try the current one" });
  const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  await db().$transaction(async (tx) => {
    // only if nobody confirmed meanwhile (two tabs)
    const { count } = await tx.user.updateMany({ where: { id: viewer.id, totpEnabledAt: null }, data: { totpEnabledAt: now, totpLastStep: check.step } });
    if (!count) throw conflict("two-factor sign-in is on already");
    await tx.recoveryCode.deleteMany({ where: { userId: viewer.id } });
    await tx.recoveryCode.createMany({ data: codes.map((c) => ({ userId: viewer.id, hash: sha256(normalizeRecoveryCode(c)) })) });
  });
  await audit(viewer.id, "user.two_factor_on", viewer.username);
  return { recoveryCodes: codes };
}

export type SecondFactorCheck = { ok: true; via: "totp" | "recovery" } | { ok: false };

/**
 * Checks a second factor of a user who has two-factor sign-in on: a current TOTP code (each
 * accepted once) or an unused recovery code (spent now). Atomic against parallel attempts.
 */
export async function checkSecondFactor(userId: string, code: string, now = new Date()): Promise<SecondFactorCheck> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { totpSecret: true, totpEnabledAt: true, totpLastStep: true } });
  if (!user?.totpEnabledAt) return { ok: false };
  const clean = code.trim();
  if (/^\d[\d\s]*$/.test(clean)) {
    const secret = user.totpSecret ? unseal(user.totpSecret) : null;
    if (!secret) return { ok: false };
    const check = checkTotp(secret, clean, now.getTime(), user.totpLastStep);
    if (!check.ok) return { ok: false };
    // a code replayed in parallel: only one request moves the step forward
    const { count } = await db().user.updateMany({
      where: { id: userId, OR: [{ totpLastStep: null }, { totpLastStep: { lt: check.step } }] },
      data: { totpLastStep: check.step },
    });
    return count === 1 ? { ok: true, via: "totp" } : { ok: false };
  }
  const recovery = normalizeRecoveryCode(clean);
  if (!RECOVERY_CODE.test(recovery)) return { ok: false };
  const { count } = await db().recoveryCode.updateMany({ where: { userId, hash: sha256(recovery), usedAt: null }, data: { usedAt: now } });
  if (count !== 1) return { ok: false };
  await audit(userId, "user.recovery_code_used", null);
  return { ok: true, via: "recovery" };
}

/**
 * Turns two-factor sign-in off; needs a current code or a recovery code. Where an admin requires
 * it, the account is then sent to enrol again at once (how a lost phone is replaced).
 */
export async function disableTwoFactor(viewer: Viewer, code: string, now = new Date()): Promise<void> {
  const user = await db().user.findUniqueOrThrow({ where: { id: viewer.id }, select: { totpEnabledAt: true } });
  if (!user.totpEnabledAt) throw conflict("two-factor sign-in is off already");
  if (!(await checkSecondFactor(viewer.id, code, now)).ok) throw validation("check the code", { code: "not a current code from your app nor an unused recovery code" });
  await db().$transaction([
    db().user.update({ where: { id: viewer.id }, data: { totpSecret: null, totpEnabledAt: null, totpLastStep: null } }),
    db().recoveryCode.deleteMany({ where: { userId: viewer.id } }),
  ]);
  await audit(viewer.id, "user.two_factor_off", viewer.username);
}

/** An admin decides whose accounts must have two-factor sign-in. */
export async function setTwoFactorRequirement(admin: Viewer, requirement: TwoFactorRequirement): Promise<TwoFactorRequirement> {
  assertAdmin(admin);
  await updateSettings({ twoFactorRequired: requirement });
  await audit(admin.id, "settings.two_factor_required", requirement);
  return requirement;
}
