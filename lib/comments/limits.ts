import { AppError } from "../errors.ts";
import { RateLimiter, tryAgainIn, type Clock } from "../platform/rate-limit.ts";

/**
 * How often one user may write comments (new ones and edits alike), per hub process: a burst of a
 * few, then a steady pace. An admin's moderation is not counted.
 */
export const COMMENT_RATE = {
  perMinute: { limit: 5, windowMs: 60_000 },
  perHour: { limit: 60, windowMs: 60 * 60_000 },
} as const;

export type CommentLimiters = { [K in keyof typeof COMMENT_RATE]: RateLimiter };

export function createCommentLimiters(now?: Clock): CommentLimiters {
  return { perMinute: new RateLimiter(COMMENT_RATE.perMinute, now), perHour: new RateLimiter(COMMENT_RATE.perHour, now) };
}

const g = globalThis as typeof globalThis & { __levhubCommentLimiters?: CommentLimiters };

/** The process's limiters (on globalThis so Next's route bundles and server actions share them). */
export function commentLimiters(): CommentLimiters {
  g.__levhubCommentLimiters ??= createCommentLimiters();
  return g.__levhubCommentLimiters;
}

export function commentRateLimited(retryAfterMs: number): AppError {
  return new AppError("rate_limited", `too many comments in a short time; ${tryAgainIn(retryAfterMs)}`);
}
