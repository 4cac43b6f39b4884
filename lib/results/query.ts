/** A field query in either form → the one intermediate form. Pure. */
import type { QueryNode } from "./query-ast.ts";
import { parseJsonQuery } from "./query-json.ts";
import { parseTextQuery } from "./query-text.ts";

export type { QueryNode } from "./query-ast.ts";

/** `{…}` is the JSON form (read-only MongoDB operators), anything else the text language. */
export function parseFieldQuery(q: string): QueryNode {
  return q.trimStart().startsWith("{") ? parseJsonQuery(q) : parseTextQuery(q);
}
