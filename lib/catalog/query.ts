/**
 * The catalog's query language, pure: the browse query parameters and how a search text becomes
 * the PostgreSQL full-text query and the name patterns (search.ts runs them).
 */
import { z } from "zod";

const one = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().trim().max(200).optional());
/** Parses page search params (`?q=&tactic=&category=&tag=&kind=&official=&page=`); bad values become defaults. */
export const browseQuerySchema = z.object({
  q: one.transform((v) => v || undefined),
  tactic: one.transform((v) => v || undefined),
  category: one.transform((v) => v || undefined),
  tag: one.transform((v) => v?.toLowerCase() || undefined),
  kind: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.enum(["tool", "workflow"]).optional().catch(undefined)),
  // `?official=true` from a link; `true` again when browse() re-parses a parsed query
  official: z.preprocess((v) => {
    const x = Array.isArray(v) ? v[0] : v;
    return x === true || x === "true" ? true : undefined;
  }, z.literal(true).optional()),
  page: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.coerce.number().int().min(1).max(10_000).optional().catch(undefined)),
  pageSize: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.coerce.number().int().min(1).max(100).optional().catch(undefined)),
});

export type ParsedBrowseQuery = z.infer<typeof browseQuerySchema>;

/** Words beyond this many are ignored: each one is another index probe. */
export const MAX_SEARCH_WORDS = 8;
/** Below this trigram word similarity a name is not a fuzzy match ("nmp" ~ "nmap" is 0.5). */
export const FUZZY_NAME_THRESHOLD = 0.5;
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
