/**
 * The intermediate form of a field query → a parameterised SQL condition on the results index's
 * `doc` column. Paths become a jsonpath built only from validated field names (FIELD_NAME), passed
 * as a parameter; every value travels as a `$v` jsonpath variable or a plain parameter, never in the
 * SQL or jsonpath text. jsonpath's lax mode gives MongoDB's array semantics: `ports.port` reads
 * `port` in every item when `ports` is an array, and `= 8080` matches an array containing 8080.
 *
 * Equalities in the query's top-level conjunction also get a containment hint
 * (`doc @> '{"ports":[{"port":8080}]}'` or one of its array/object variants), which the GIN index
 * answers; the exact jsonpath condition stays beside it, so the hint only narrows. Pure.
 */
import { pathText, type PathSegment, type QueryNode, type Scalar } from "./query-ast.ts";

/** Collects parameters; `add` returns the placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(private readonly offset = 0) {}
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.offset + this.values.length}`;
  }
}

const JSONPATH_OP = { eq: "==", ne: "==", lt: "<", lte: "<=", gt: ">", gte: ">=" } as const;

/** `$."hosts"[*]."address"` — names are FIELD_NAME-checked, so quoting them needs no escaping. */
export function jsonPath(path: PathSegment[]): string {
  for (const s of path) if (!/^[A-Za-z0-9_-]{1,100}$/.test(s.key)) throw new Error(`unchecked field name in ${pathText(path)}`);
  return `$${path.map((s) => `."${s.key}"${s.each ? "[*]" : ""}`).join("")}`;
}

function exists(col: string, p: SqlParams, path: string, vars?: Record<string, unknown>): string {
  return vars ? `jsonb_path_exists(${col}, ${p.add(path)}::jsonpath, ${p.add(JSON.stringify(vars))}::jsonb)` : `jsonb_path_exists(${col}, ${p.add(path)}::jsonpath)`;
}

/** The string values at `path` (array items unwrapped) that satisfy `test` on `x`. */
function anyString(col: string, p: SqlParams, path: PathSegment[], test: (x: string) => string): string {
  return `EXISTS (SELECT 1 FROM jsonb_path_query(${col}, ${p.add(`${jsonPath(path)}[*]`)}::jsonpath) AS v(x) WHERE jsonb_typeof(x) = 'string' AND ${test("(x #>> '{}')")})`;
}

function equal(col: string, p: SqlParams, path: PathSegment[], value: Scalar): string {
  return exists(col, p, `${jsonPath(path)} ? (@ == $v)`, { v: value });
}

export function conditionSql(node: QueryNode, p: SqlParams, col = "doc"): string {
  switch (node.op) {
    case "and":
    case "or":
      return `(${node.items.map((n) => conditionSql(n, p, col)).join(node.op === "and" ? " AND " : " OR ")})`;
    case "not":
      return `(NOT ${conditionSql(node.item, p, col)})`;
    case "cmp":
      switch (node.cmp) {
        case "eq":
          return equal(col, p, node.path, node.value);
        case "ne":
          // MongoDB's $ne: documents where no value at the path equals it, including those without the field
          return `(NOT ${equal(col, p, node.path, node.value)})`;
        case "lt":
        case "lte":
        case "gt":
        case "gte":
          return exists(col, p, `${jsonPath(node.path)} ? (@ ${JSONPATH_OP[node.cmp]} $v)`, { v: node.value });
        case "in":
          return exists(col, p, `${jsonPath(node.path)} ? (${node.value.map((_, i) => `@ == $v${i}`).join(" || ")})`, Object.fromEntries(node.value.map((v, i) => [`v${i}`, v])));
        case "nin":
          return `(NOT ${conditionSql({ ...node, cmp: "in" }, p, col)})`;
        case "exists":
          return node.value ? exists(col, p, jsonPath(node.path)) : `(NOT ${exists(col, p, jsonPath(node.path))})`;
        case "contains":
          return anyString(col, p, node.path, (x) => `strpos(lower(${x}), lower(${p.add(node.value)})) > 0`);
        case "regex":
          return anyString(col, p, node.path, (x) => `${x} ${node.caseInsensitive ? "~*" : "~"} ${p.add(node.value)}`);
      }
  }
}

/** Array/object variants of `{a: {b: value}}` beyond this many path parts are not hinted (2^n variants). */
const HINT_MAX_PARTS = 3;

/** Every shape a document can have in which the path holds the value (each level an object or an array). */
export function containmentVariants(path: PathSegment[], value: Scalar): unknown[] {
  if (path.length > HINT_MAX_PARTS) return [];
  let shapes: unknown[] = [value];
  for (const seg of [...path].reverse()) {
    const inner = shapes;
    shapes = [];
    for (const s of inner) {
      if (!seg.each) shapes.push({ [seg.key]: s });
      shapes.push({ [seg.key]: [s] });
    }
  }
  return shapes;
}

/** The GIN-answerable hints for the equalities of the top-level conjunction (empty when none apply). */
export function hintSql(node: QueryNode, p: SqlParams, col = "doc"): string[] {
  const conj = node.op === "and" ? node.items : [node];
  const out: string[] = [];
  for (const n of conj) {
    if (n.op !== "cmp" || n.cmp !== "eq") continue;
    const variants = containmentVariants(n.path, n.value);
    if (!variants.length) continue;
    out.push(`(${variants.map((v) => `${col} @> ${p.add(JSON.stringify(v))}::jsonb`).join(" OR ")})`);
  }
  return out;
}

/** The condition and its hints, ANDed. */
export function querySql(node: QueryNode, p: SqlParams, col = "doc"): string {
  return [...hintSql(node, p, col), conditionSql(node, p, col)].join(" AND ");
}
