import { AppError } from "../errors.ts";
import { RateLimiter, tryAgainIn, type Clock } from "../platform/rate-limit.ts";

const MIN = 60_000;

/**
 * Attempt limits on the web's sign-in and sign-up, checked before any password is hashed.
 *
 * Sign-in counts refused attempts (a wrong password, a wrong second-factor code); a good one takes
 * its attempt back. Two counters refuse: per client, and per (client, e-mail). A "client" is its
 * address, or — for a browser that signed in to that account before (lib/accounts/known-device.ts)
 * — that browser: others' failures, even from the same address, never refuse it. The count per
 * e-mail, whoever makes the attempts, never refuses anybody: it only slows unknown clients by a
 * few seconds (`emailBackoffMs`), so nobody can lock an account out by typing wrong passwords for it.
 * An attempt counts while it is being checked, so a burst of parallel guesses cannot slip past.
 * Every open sign-up counts. Client addresses: see lib/auth/client-address.ts.
 */
export const AUTH_LIMITS = {
  signInPerClient: { limit: 30, windowMs: 15 * MIN },
  signInPerClientEmail: { limit: 10, windowMs: 15 * MIN },
  /** counted, never refused: see SIGN_IN_BACKOFF */
  signInPerEmail: { limit: 1_000_000, windowMs: 15 * MIN },
  /** open sign-ups only: invite and admin links are an admin's decision and work once */
  signUpPerClient: { limit: 10, windowMs: 60 * MIN },
  /** a ceiling that holds even when clients forge their address (see lib/auth/client-address.ts) */
  signUpPerHub: { limit: 60, windowMs: 60 * MIN },
} as const;

/** The per-e-mail backoff: free for the first failures, then doubling, never more than a few seconds. */
export const SIGN_IN_BACKOFF = { freeFailures: 5, firstDelayMs: 250, maxDelayMs: 4_000 } as const;

/**
 * How long an attempt for an e-mail waits before its password is checked, given the refused
 * attempts for that e-mail in the window (from anywhere). A known device never waits. Pure.
 */
export function emailBackoffMs(failures: number, knownDevice: boolean): number {
  if (knownDevice || failures < SIGN_IN_BACKOFF.freeFailures) return 0;
  const doublings = Math.min(failures - SIGN_IN_BACKOFF.freeFailures, 16);
  return Math.min(SIGN_IN_BACKOFF.maxDelayMs, SIGN_IN_BACKOFF.firstDelayMs * 2 ** doublings);
}

/** The keys a sign-in attempt is counted under: its client (a known device, else its address) and that client with the e-mail. */
export function signInKeys(email: string, client: { address: string; knownDevice: string | null }): { client: string; clientEmail: string; email: string } {
  const c = client.knownDevice ? `device:${client.knownDevice}` : `address:${client.address}`;
  return { client: c, clientEmail: `${c}|${email}`, email };
}

export type AuthLimiters = { [K in keyof typeof AUTH_LIMITS]: RateLimiter };

export function createAuthLimiters(now?: Clock): AuthLimiters {
  return {
    signInPerClient: new RateLimiter(AUTH_LIMITS.signInPerClient, now),
    signInPerClientEmail: new RateLimiter(AUTH_LIMITS.signInPerClientEmail, now),
    signInPerEmail: new RateLimiter(AUTH_LIMITS.signInPerEmail, now),
    signUpPerClient: new RateLimiter(AUTH_LIMITS.signUpPerClient, now),
    signUpPerHub: new RateLimiter(AUTH_LIMITS.signUpPerHub, now),
  };
}

const g = globalThis as typeof globalThis & { __levhubAuthLimiters?: AuthLimiters };

/** The process's limiters (on globalThis so Next's route bundles and dev reloads share them). */
export function authLimiters(): AuthLimiters {
  g.__levhubAuthLimiters ??= createAuthLimiters();
  return g.__levhubAuthLimiters;
}

/** An attempt refused by a limit; `retryAfterMs` says when the next one may come. */
export class RateLimitedError extends AppError {
  readonly retryAfterMs: number;
  constructor(what: "sign-in" | "sign-up", retryAfterMs: number) {
    super("rate_limited", `too many ${what} attempts; ${tryAgainIn(retryAfterMs)}`);
    this.retryAfterMs = retryAfterMs;
  }
}
