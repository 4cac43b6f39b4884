/**
 * The values a chart counts: a field's values in the documents a filter matches, read only in the
 * list items the filter's element groups accept. Pure.
 *
 * An element group of the filter's top-level conjunction (or of a group's own conjunction, nested)
 * whose list path is a prefix of the field — `hosts[].ports[] {state = open}` for
 * `hosts[].ports[].port` — bounds the field: its values are read only in the items of that list
 * that satisfy the group. Several groups on one list all apply to the item; groups on a shorter
 * prefix bound the outer items first (`hosts[] {…}` then `hosts[].ports[] {…}`). Groups under
 * `or` or `not` say nothing about which items the field is read in and bound nothing.
 */
import { conjuncts, type PathSegment, type QueryNode } from "./query-ast.ts";
import { conditionSql, jsonPath, listItemsSql, type SqlParams } from "./query-sql.ts";

export interface FieldBound {
  /** the field's first `at` parts name the list */
  at: number;
  /** what an item of that list must satisfy (paths relative to the item) */
  item: QueryNode;
}

/** The element groups of `node` that bound `field`, as described above. */
export function groupsAlong(node: QueryNode | null, field: PathSegment[]): FieldBound[] {
  const out: FieldBound[] = [];
  const visit = (n: QueryNode, base: string[]) => {
    for (const c of conjuncts(n)) {
      if (c.op !== "elem") continue;
      const keys = [...base, ...c.path.map((s) => s.key)];
      if (keys.length > field.length || keys.some((k, i) => k !== field[i].key)) continue;
      out.push({ at: keys.length, item: c.item });
      visit(c.item, keys);
    }
  };
  if (node) visit(node, []);
  return out;
}

/**
 * `CROSS JOIN LATERAL …` items, after `FROM "ResultDocument" d`, ending in `v(x)`: the field's
 * values in `col` (a list at the end read item by item), inside the items the bounds accept.
 */
export function fieldValuesSql(col: string, field: PathSegment[], bounds: readonly FieldBound[], p: SqlParams): string {
  const levels = [...new Set(bounds.map((b) => b.at))].sort((x, y) => x - y);
  const joins: string[] = [];
  let cur = col;
  let done = 0;
  levels.forEach((at, i) => {
    const conditions = bounds.filter((b) => b.at === at).map((b) => conditionSql(b.item, p, `i${i}.x`));
    joins.push(`CROSS JOIN LATERAL (SELECT i${i}.x FROM ${listItemsSql(cur, p, field.slice(done, at), `i${i}`)} WHERE ${conditions.join(" AND ")}) AS g${i}(x)`);
    cur = `g${i}.x`;
    done = at;
  });
  const rest = field.slice(done);
  joins.push(`CROSS JOIN LATERAL jsonb_path_query(${cur}, ${p.add(rest.length ? `${jsonPath(rest)}[*]` : "$")}::jsonpath) AS v(x)`);
  return joins.join(" ");
}
