/**
 * The hub's cache of `docker save` tars for workers (`<data>/images/<hex>.tar`) stays under a size
 * cap (Admin setting `workerImageCacheBytes`): after each new save the least recently served tars
 * are deleted until the rest fit, never one a worker is downloading. A deleted tar is saved again
 * from the hub's engine the next time a worker asks for it.
 */
import { readdirSync, statSync, unlinkSync, utimesSync } from "node:fs";
import path from "node:path";

export interface CachedTar {
  file: string;
  size: number;
  /** when it was last served (its mtime, set at every serve) */
  usedAtMs: number;
}

/** The tars to delete, least recently used first, so the rest fit under `capBytes`; busy ones stay. Pure. */
export function tarsToEvict(tars: readonly CachedTar[], capBytes: number, busy: ReadonlySet<string>): string[] {
  let total = tars.reduce((n, t) => n + t.size, 0);
  const out: string[] = [];
  for (const t of [...tars].sort((a, b) => a.usedAtMs - b.usedAtMs || a.file.localeCompare(b.file))) {
    if (total <= capBytes) break;
    if (busy.has(t.file)) continue;
    out.push(t.file);
    total -= t.size;
  }
  return out;
}

/** Tars being streamed to workers now, by file: never deleted under them. */
const streaming = new Map<string, number>();

/** Marks `file` served now (its place in the LRU order) and busy until the returned function is called. */
export function useTar(file: string): () => void {
  const now = new Date();
  try {
    utimesSync(file, now, now);
  } catch {
    // a tar deleted meanwhile is saved again by the next request; this one streams what it opened
  }
  streaming.set(file, (streaming.get(file) ?? 0) + 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const left = (streaming.get(file) ?? 1) - 1;
    if (left > 0) streaming.set(file, left);
    else streaming.delete(file);
  };
}

/** Deletes what `tarsToEvict` picks in `dir` (finished `.tar` files only; saves in progress are `.tmp`). Returns the files deleted. */
export function pruneTarCache(dir: string, capBytes: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".tar"));
  } catch {
    return [];
  }
  const tars: CachedTar[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const st = statSync(file);
      if (st.isFile()) tars.push({ file, size: st.size, usedAtMs: st.mtimeMs });
    } catch {
      // gone meanwhile
    }
  }
  const evicted = tarsToEvict(tars, capBytes, new Set(streaming.keys()));
  for (const file of evicted) {
    try {
      unlinkSync(file);
    } catch {
      // gone meanwhile
    }
  }
  return evicted;
}
