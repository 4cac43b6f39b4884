/**
 * The one intermediate form of a field query. Both the text language (`query-text.ts`) and the
 * JSON form with read-only operators (`query-json.ts`) compile to it; `query-sql.ts` turns it into
 * parameterised SQL. Pure.
 *
 * A path is a list of field names, each optionally marked as a list (`hosts[].address`); field
 * names are validated (FIELD_NAME) because the SQL side builds a jsonpath from them. A comparison
 * reads through the lists on its path whether they are marked or not (MongoDB's dotted paths), so
 * two comparisons may be satisfied by different items. An element group (`elem`, the text form's
 * `ports[] {…}`, MongoDB's `$elemMatch`) holds its conditions to ONE item of the list at its path;
 * inside it, paths are relative to the item, and the empty path is the item itself.
 */
import { validation, type AppError } from "../errors.ts";
import { QUERY_LIMITS } from "../schemas/results.ts";

export type Scalar = string | number | boolean | null;

export interface PathSegment {
  key: string;
  /**
   * `key[]`: the value under key is a list. Comparisons read through lists marked or not; an
   * element group's path ends in one (`ports[] {…}`), and key and ignore paths use the mark too.
   */
  each: boolean;
}

export const COMPARISONS = ["eq", "ne", "lt", "lte", "gt", "gte", "contains", "regex", "in", "nin", "exists"] as const;
export type Comparison = (typeof COMPARISONS)[number];

export type QueryNode =
  | { op: "and"; items: QueryNode[] }
  | { op: "or"; items: QueryNode[] }
  | { op: "not"; item: QueryNode }
  /** some item of the list at `path` (which must be a list) satisfies `item` */
  | { op: "elem"; path: PathSegment[]; item: QueryNode }
  | { op: "cmp"; path: PathSegment[]; cmp: "eq" | "ne" | "lt" | "lte" | "gt" | "gte"; value: Scalar }
  | { op: "cmp"; path: PathSegment[]; cmp: "contains"; value: string }
  | { op: "cmp"; path: PathSegment[]; cmp: "regex"; value: string; caseInsensitive: boolean }
  | { op: "cmp"; path: PathSegment[]; cmp: "in" | "nin"; value: Scalar[] }
  | { op: "cmp"; path: PathSegment[]; cmp: "exists"; value: boolean };

/** Field names the query may name: the jsonpath is built from them, so nothing that could quote or escape. */
export const FIELD_NAME = /^[A-Za-z0-9_-]{1,100}$/;

/** A refused query: a 422 whose message names the position, also under fieldErrors.q. */
export function queryError(where: string, message: string): AppError {
  const text = `field query, ${where}: ${message}`;
  return validation(text, { q: text });
}

/** `hosts[].ports[]`; the empty path (an element group's item itself) is `@` */
export function pathText(path: PathSegment[]): string {
  return path.length ? path.map((s) => (s.each ? `${s.key}[]` : s.key)).join(".") : "@";
}

/** The conditions that must all hold: the items of nested `and`s, flattened. */
export function conjuncts(node: QueryNode): QueryNode[] {
  return node.op === "and" ? node.items.flatMap(conjuncts) : [node];
}

/**
 * Counts comparisons and nesting, refusing past the limits (both forms call it on their result).
 * An element group counts as a comparison (it is a query of its own) and a level of nesting.
 */
export function checkSize(node: QueryNode, where = "the query"): void {
  let comparisons = 0;
  const walk = (n: QueryNode, depth: number) => {
    if (depth > QUERY_LIMITS.depth) throw queryError(where, `nested deeper than ${QUERY_LIMITS.depth} levels`);
    if (n.op === "cmp" || n.op === "elem") {
      comparisons += n.op === "cmp" && (n.cmp === "in" || n.cmp === "nin") ? Math.max(1, n.value.length) : 1;
      if (comparisons > QUERY_LIMITS.comparisons) throw queryError(where, `more than ${QUERY_LIMITS.comparisons} comparisons`);
      if (n.op === "cmp") return;
    }
    if (n.op === "not" || n.op === "elem") return walk(n.item, depth + 1);
    for (const item of n.items) walk(item, depth + 1);
  };
  walk(node, 0);
}
