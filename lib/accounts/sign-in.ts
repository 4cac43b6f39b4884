import "server-only";
import { audit } from "../platform/audit.ts";
import { db } from "../platform/db.ts";
import { ensureAuthSecret } from "../platform/config.ts";
import { admit } from "../platform/rate-limit.ts";
import { DUMMY_HASH } from "./password.ts";
import { emailBackoffMs, RateLimitedError, signInKeys } from "./limits.ts";
import { knownDeviceKey, rememberDevice } from "./known-device.ts";
import { checkSecondFactor } from "./two-factor.ts";
import { accountDeps, emailKey, upgradePasswordHash, viewerSelect, type AccountDeps, type Authenticated } from "./users.ts";

/**
 * The web's sign-in: e-mail and password, then the second factor when the account has one, under
 * the attempt limits of lib/accounts/limits.ts. next-auth's credentials provider calls it
 * (lib/auth/options.ts) once per submission of the sign-in form.
 */
export interface SignInAttempt {
  email: string;
  password: string;
  /** a TOTP code or a recovery code: absent on the form's first step */
  otp?: string;
}

export interface SignInClient {
  /** lib/auth/client-address.ts */
  address: string;
  /** the known-device cookie the browser sent (lib/accounts/known-device.ts) */
  deviceCookie?: string | null;
}

export type SignInOutcome =
  /** signed in; `deviceCookie` is the known-device cookie to set */
  | { ok: true; user: Authenticated; deviceCookie: string }
  /** e-mail or password wrong (one answer for both) */
  | { ok: false; reason: "credentials" }
  /** the password was right; the account needs its second factor: the form asks for it */
  | { ok: false; reason: "second_factor_needed" }
  | { ok: false; reason: "second_factor_wrong" };

/**
 * Refused attempts (a wrong password, a wrong code) count against the client and the client with
 * this e-mail, which refuse past their limits before anything is hashed, and against the e-mail,
 * which only delays unknown clients by a few seconds. A known device is its own client and never
 * waits. A correct password without the code the account needs is no failure; a wrong code is one.
 */
export async function signInWithCredentials(attempt: SignInAttempt, client: SignInClient, deps: Partial<AccountDeps> = {}): Promise<SignInOutcome> {
  const d = accountDeps(deps);
  const email = emailKey(attempt.email);
  const user = await db().user.findUnique({
    where: { email },
    select: { ...viewerSelect, passwordHash: true, sessionVersion: true, totpEnabledAt: true },
  });
  const secret = ensureAuthSecret();
  const known = user ? knownDeviceKey(client.deviceCookie, user, secret, d.now().getTime()) : null;
  const keys = signInKeys(email, { address: client.address, knownDevice: known });
  const admission = admit([
    [d.limiters.signInPerClient, keys.client],
    [d.limiters.signInPerClientEmail, keys.clientEmail],
  ]);
  // the audit trail: who signed in from where, and every refusal with its client address (an
  // e-mail that names no account is not recorded: it may be anything someone typed)
  const refused = (reason: string) => audit(user?.id ?? null, "user.signin_refused", user?.username ?? null, { address: client.address, reason });
  if (!admission.ok) {
    await refused("too many attempts");
    throw new RateLimitedError("sign-in", admission.retryAfterMs);
  }
  const wait = emailBackoffMs(d.limiters.signInPerEmail.count(keys.email), known !== null);
  d.limiters.signInPerEmail.record(keys.email);
  const forget = () => {
    admission.undo();
    d.limiters.signInPerEmail.undo(keys.email);
  };
  if (wait > 0) await d.sleep(wait);

  // the same work either way, so timing does not tell whether the account exists
  const passwordOk = await d.verifyPassword(attempt.password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !passwordOk) {
    await refused(user ? "wrong password" : "no such account");
    return { ok: false, reason: "credentials" };
  }
  if (user.totpEnabledAt) {
    if (!attempt.otp?.trim()) {
      forget();
      return { ok: false, reason: "second_factor_needed" };
    }
    if (!(await checkSecondFactor(user.id, attempt.otp.slice(0, 64), d.now())).ok) {
      await refused("wrong second factor");
      return { ok: false, reason: "second_factor_wrong" };
    }
  }
  forget();
  await audit(user.id, "user.signin", user.username, { address: client.address, ...(known ? { knownDevice: true } : {}) });
  await upgradePasswordHash(user, attempt.password, d);
  const { passwordHash: _hash, totpEnabledAt: _totp, ...signedIn } = user;
  return { ok: true, user: signedIn, deviceCookie: rememberDevice(client.deviceCookie, user, secret, d.now().getTime()) };
}
