/**
 * A search's total and facet counts, kept per (who sees what, text, filters) with the catalog
 * generation they were counted under (the "CatalogGeneration" row, moved by triggers in the same
 * transaction as any change to what a search counts). search.ts hands the kept generation to its
 * statement, which counts the facets again only when the catalog's is another: an unchanged
 * catalog is not rescanned for every request (the home page's category counts, overview.ts, are
 * kept alike). Bounded: the least recently used entry goes first.
 */

export type Pair = [key: string, count: number];

export interface CountedFacets {
  total: number;
  tactic: Pair[];
  category: Pair[];
  tag: Pair[];
  kind: Pair[];
  official: number;
}

interface Entry<V> {
  generation: string;
  counted: V;
}

/** Searches whose counts are kept (each a few KiB at most: the tag facet is capped). */
export const FACET_CACHE_ENTRIES = 512;

export class FacetCache<V = CountedFacets> {
  private readonly entries = new Map<string, Entry<V>>();
  constructor(private readonly capacity = FACET_CACHE_ENTRIES) {}

  /** What was counted for `key`, and under which generation; undefined when nothing is kept. */
  get(key: string): Entry<V> | undefined {
    const e = this.entries.get(key);
    if (e) {
      // most recently used last
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    return e;
  }

  set(key: string, generation: string, counted: V): void {
    this.entries.delete(key);
    this.entries.set(key, { generation, counted });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * The part of a viewer that decides what they may see (visibility.ts), as a cache key: every
 * anonymous visitor shares one, every admin without a namespace-limited token another, a user
 * their own (their private packages count for them alone).
 */
export function visibilityKey(viewer: { id: string; admin: boolean; tokenNamespace?: string | null } | null): string {
  if (!viewer) return "anon";
  const limit = viewer.tokenNamespace ? `@${viewer.tokenNamespace}` : "";
  return viewer.admin && !limit ? "admin" : `${viewer.admin ? "admin" : "user"}:${viewer.id}${limit}`;
}
