/**
 * Attempt limits kept in process memory (one hub process serves the web app): a sliding-window
 * log per key, so "at most `limit` attempts in any `windowMs`" holds exactly. Pure apart from
 * the clock, which comes in as a parameter so tests can move time.
 *
 * Several hub processes behind one load balancer each keep their own counts; the limits are
 * then per process, which still bounds guessing to a small multiple of the figures below.
 */

export interface WindowRule {
  limit: number;
  windowMs: number;
}

export type Clock = () => number;

export type Admission = { ok: true; undo(): void } | { ok: false; retryAfterMs: number };

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly rule: WindowRule,
    private readonly now: Clock = Date.now,
    /** beyond this many keys the oldest are forgotten, so a flood of keys cannot exhaust memory */
    private readonly maxKeys = 20_000,
  ) {
    if (!(rule.limit >= 1 && rule.windowMs > 0)) throw new Error(`bad rate limit rule ${JSON.stringify(rule)}`);
  }

  /** 0 when `key` may make another attempt now, else how long until it may. */
  retryAfter(key: string): number {
    const log = this.live(key);
    if (log.length < this.rule.limit) return 0;
    return log[log.length - this.rule.limit] + this.rule.windowMs - this.now();
  }

  record(key: string): void {
    const log = this.live(key);
    log.push(this.now());
    // re-inserting keeps the Map ordered by last use, so eviction drops the stalest keys
    this.hits.delete(key);
    this.hits.set(key, log);
    if (this.hits.size > this.maxKeys) this.evict();
  }

  /** How many attempts `key` made in the window. */
  count(key: string): number {
    return this.live(key).length;
  }

  /** Takes back the newest attempt of `key` (one that turned out not to count, e.g. a good password). */
  undo(key: string): void {
    const log = this.hits.get(key);
    if (!log) return;
    log.pop();
    if (!log.length) this.hits.delete(key);
  }

  get size(): number {
    return this.hits.size;
  }

  private live(key: string): number[] {
    const log = this.hits.get(key);
    if (!log) return [];
    const from = this.now() - this.rule.windowMs;
    let drop = 0;
    while (drop < log.length && log[drop] <= from) drop++;
    if (drop) log.splice(0, drop);
    if (!log.length) this.hits.delete(key);
    return log;
  }

  private evict() {
    for (const key of [...this.hits.keys()]) this.live(key);
    for (const key of this.hits.keys()) {
      if (this.hits.size <= this.maxKeys) break;
      this.hits.delete(key);
    }
  }
}

/**
 * Admits an attempt only if every (limiter, key) pair has room, then records it in all of them;
 * a refusal records nothing. `undo()` takes the attempt back everywhere.
 */
export function admit(checks: readonly (readonly [RateLimiter, string])[]): Admission {
  const wait = Math.max(0, ...checks.map(([limiter, key]) => limiter.retryAfter(key)));
  if (wait > 0) return { ok: false, retryAfterMs: wait };
  for (const [limiter, key] of checks) limiter.record(key);
  return {
    ok: true,
    undo() {
      for (const [limiter, key] of checks) limiter.undo(key);
    },
  };
}

/** Whole minutes to wait, at least 1, for messages like "try again in 3 minutes". */
export function minutesToWait(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 60_000));
}

export function tryAgainIn(retryAfterMs: number): string {
  const m = minutesToWait(retryAfterMs);
  return `try again in ${m} minute${m === 1 ? "" : "s"}`;
}
