/**
 * What the parts of `npm run bench:findings` share: the throwaway hub's account, the seeded
 * nmap package (its manifest declares the nmap example's mappings), a pooled connection for the
 * SQL seeding, and how they time things.
 */
import type pg from "pg";
import type { SeededPackage } from "../../lib/results/testing.ts";
import type { Viewer } from "../../lib/types.ts";
import { fmtMs, quantile } from "../bench-hub/common.ts";

export interface FindingsBench {
  /** the account every query is made as (the owner of the projects the parts create) */
  viewer: Viewer;
  /** the nmap package whose runs the documents belong to */
  pkg: SeededPackage;
  /** the bench's PostgreSQL, for seeding and checks straight in SQL */
  sql: pg.Pool;
  /** the bench's own database on the Mongo-wire store */
  mongoUri: string;
  say(msg: string): void;
}

/** Milliseconds `fn` took, and what it returned. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export interface Latency {
  p50: number;
  p95: number;
  n: number;
}

/**
 * Calls `fns` round-robin, `rounds` times each, `concurrency` at once, after one warm-up call of
 * each (first plans, first connections); the latency of every call.
 */
export async function latency(fns: (() => Promise<unknown>)[], rounds: number, concurrency: number): Promise<Latency> {
  for (const fn of fns) await fn();
  const queue = Array.from({ length: rounds }, () => fns).flat();
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < queue.length) {
        const fn = queue[next++];
        times.push((await timed(fn)).ms);
      }
    }),
  );
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95), n: times.length };
}

export const fmtLatency = (l: Latency) => `p50 ${fmtMs(l.p50)}, p95 ${fmtMs(l.p95)} (n=${l.n})`;
export const fmtSeconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
