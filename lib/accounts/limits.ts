import { AppError } from "../errors.ts";
import { RateLimiter, tryAgainIn, type Clock } from "../platform/rate-limit.ts";

const MIN = 60_000;

/**
 * Attempt limits on the web's sign-in and sign-up, checked before any password is hashed.
 * Sign-in counts refused passwords only (a good one takes its attempt back), so people who sign
 * in often are never locked out; an attempt counts while it is being checked, so a burst of
 * parallel guesses cannot slip past. Every open sign-up counts. Client addresses: see lib/auth/client-address.ts.
 */
export const AUTH_LIMITS = {
  signInPerEmail: { limit: 10, windowMs: 15 * MIN },
  signInPerClient: { limit: 30, windowMs: 15 * MIN },
  /** open sign-ups only: invite and admin links are an admin's decision and work once */
  signUpPerClient: { limit: 10, windowMs: 60 * MIN },
  /** a ceiling that holds even when clients forge their address (see lib/auth/client-address.ts) */
  signUpPerHub: { limit: 60, windowMs: 60 * MIN },
} as const;

export type AuthLimiters = { [K in keyof typeof AUTH_LIMITS]: RateLimiter };

export function createAuthLimiters(now?: Clock): AuthLimiters {
  return {
    signInPerEmail: new RateLimiter(AUTH_LIMITS.signInPerEmail, now),
    signInPerClient: new RateLimiter(AUTH_LIMITS.signInPerClient, now),
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
