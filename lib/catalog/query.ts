/**
 * The catalog's query language, pure: how a search text becomes the PostgreSQL full-text query
 * and the name patterns (search.ts runs them). The browse query's parameters: `browseQuerySchema`
 * (lib/schemas/packages.ts).
 */

/** Words beyond this many are ignored: each one is another index probe. */
export const MAX_SEARCH_WORDS = 8;
/** Below this trigram word similarity a name is not a fuzzy match ("nmp" ~ "nmap" is 0.5). */
export const FUZZY_NAME_THRESHOLD = 0.5;
/**
 * A text search ranks exactly only this many of its matches, those with the highest bound on their
 * rank (search.ts); the rest follow them, ranked among themselves. 5 pages of the largest size.
 */
export const RANKED_CANDIDATES = 500;
/** The tag facet lists this many tags (the most used under the query, and the selected one). */
export const TAG_FACET_LIMIT = 50;

export interface TextSearch {
  /** the search text as typed, lower-cased: compared with package names by trigram similarity */
  text: string;
  /** a `to_tsquery('simple', …)` argument: every word as a prefix, all required; null without words */
  tsquery: string | null;
  /** an ILIKE pattern: the text anywhere in the package name, wildcards escaped */
  namePattern: string;
}

/**
 * A search text as the catalog runs it. Words are runs of letters and digits (so `alice.gree`
 * is `alice` and `gree`, and no tsquery operator can come from the user); each matches as a
 * prefix (`gree` finds `greeter`).
 */
export function textSearch(q: string): TextSearch {
  const text = q.trim().toLowerCase();
  const words = (text.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_SEARCH_WORDS);
  return {
    text,
    tsquery: words.length ? words.map((w) => `${w}:*`).join(" & ") : null,
    namePattern: `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
  };
}
