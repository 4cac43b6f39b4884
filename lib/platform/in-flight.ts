/**
 * What is under way at once, per key, kept in process memory: a request takes a place while it is
 * served and gives it back when it is done. Several hub processes each keep their own counts, so
 * with N processes a key may have up to N × its limit under way (see lib/queue/worker-limits.ts).
 * Pure: no I/O, no clock.
 */
export class InFlight {
  private readonly counts = new Map<string, number>();

  /** Under way now for `key`. */
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Keys with anything under way (an idle key holds no memory). */
  get size(): number {
    return this.counts.size;
  }

  /**
   * Takes a place for `key` when fewer than `limit` are under way: returns its release (calling it
   * again does nothing), or null when `key` is at its limit.
   */
  take(key: string, limit: number): (() => void) | null {
    const n = this.count(key);
    if (n >= limit) return null;
    this.counts.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.count(key) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    };
  }
}
