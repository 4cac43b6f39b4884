/**
 * The intermediate form of a field query → a parameterised SQL condition on the results index's
 * `doc` column. Paths become a jsonpath built only from validated field names (FIELD_NAME), passed
 * as a parameter; every value travels as a `$v` jsonpath variable or a plain parameter, never in the
 * SQL or jsonpath text.
 *
 * MongoDB's array semantics: jsonpath's lax mode reads through a list met on the way (`ports.port`
 * reads `port` in every item) and a comparison at the end reads the items of a list (`tags = web`
 * matches `["web", "prod"]`), one level deep as MongoDB does: a list inside a list is not read
 * (`@.type() != "array"`). Each comparison is its own `jsonb_path_exists`, so two comparisons may be
 * satisfied by different items. An element group is one jsonpath over the list's items when its
 * conditions can be (`query-jsonpath.ts`), else an EXISTS over the items of the list at its path,
 * its conditions compiled by the same rules against the item (`e0.x`); either way a value that is
 * not a list has no items, as with `$elemMatch`.
 *
 * Equalities in the query's top-level conjunction, and element groups with equalities inside, also
 * get a containment hint (`doc @> '{"ports":[{"port":8080}]}'` or one of its array/object variants),
 * which the GIN index answers; the exact condition stays beside it, so the hint only narrows. Pure.
 */
import { conjuncts, type PathSegment, type QueryNode, type Scalar } from "./query-ast.ts";
import { groupJsonPath } from "./query-jsonpath.ts";

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

/**
 * `$."hosts"."address"` — names are FIELD_NAME-checked, so quoting them needs no escaping. The `[]`
 * marks are not needed: lax mode reads through lists on the way, marked or not.
 */
export function jsonPath(path: PathSegment[]): string {
  for (const s of path) if (!/^[A-Za-z0-9_-]{1,100}$/.test(s.key)) throw new Error(`unchecked field name in ${path.map((x) => x.key).join(".")}`);
  return `$${path.map((s) => `."${s.key}"`).join("")}`;
}

function exists(col: string, p: SqlParams, path: string, vars?: Record<string, unknown>): string {
  return vars ? `jsonb_path_exists(${col}, ${p.add(path)}::jsonpath, ${p.add(JSON.stringify(vars))}::jsonb)` : `jsonb_path_exists(${col}, ${p.add(path)}::jsonpath)`;
}

/**
 * The values a comparison reads at `path` filtered by `test`: a list's items (not a list's lists).
 * The empty path is an element group's item itself, read as it is (strict: an item that is a list
 * is not compared with a scalar).
 */
function compared(path: PathSegment[], test: string): string {
  return path.length ? `${jsonPath(path)} ? (@.type() != "array" && (${test}))` : `strict $ ? (${test})`;
}

/** The string values at `path` (a list's items; the item itself for the empty path) that satisfy `test` on `x`. */
function anyString(col: string, p: SqlParams, path: PathSegment[], test: (x: string) => string): string {
  const read = path.length ? `${jsonPath(path)}[*]` : "strict $";
  return `EXISTS (SELECT 1 FROM jsonb_path_query(${col}, ${p.add(read)}::jsonpath) AS v(x) WHERE jsonb_typeof(x) = 'string' AND ${test("(x #>> '{}')")})`;
}

function equal(col: string, p: SqlParams, path: PathSegment[], value: Scalar): string {
  return exists(col, p, compared(path, "@ == $v"), { v: value });
}

/**
 * `FROM` items naming, as `<alias>.x`, the items of the lists at `path` in `col`: a value there that
 * is not a list contributes none (MongoDB's `$elemMatch` does not match a non-array field).
 */
export function listItemsSql(col: string, p: SqlParams, path: PathSegment[], alias: string): string {
  return `jsonb_path_query(${col}, ${p.add(jsonPath(path))}::jsonpath) AS ${alias}_l(v) CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(${alias}_l.v) = 'array' THEN ${alias}_l.v ELSE '[]'::jsonb END) AS ${alias}(x)`;
}

/** The condition on `col`; `depth` names the item aliases of element groups (`e0`, `e1` inside it, …). */
export function conditionSql(node: QueryNode, p: SqlParams, col = "doc", depth = 0): string {
  switch (node.op) {
    case "and":
    case "or":
      return `(${node.items.map((n) => conditionSql(n, p, col, depth)).join(node.op === "and" ? " AND " : " OR ")})`;
    case "not":
      return `(NOT ${conditionSql(node.item, p, col, depth)})`;
    case "elem": {
      const whole = groupJsonPath(node);
      if (whole) return exists(col, p, whole.path, whole.vars);
      const e = `e${depth}`;
      return `EXISTS (SELECT 1 FROM ${listItemsSql(col, p, node.path, e)} WHERE ${conditionSql(node.item, p, `${e}.x`, depth + 1)})`;
    }
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
          return exists(col, p, compared(node.path, `@ ${JSONPATH_OP[node.cmp]} $v`), { v: node.value });
        case "in":
          return exists(col, p, compared(node.path, node.value.map((_, i) => `@ == $v${i}`).join(" || ")), Object.fromEntries(node.value.map((v, i) => [`v${i}`, v])));
        case "nin":
          return `(NOT ${conditionSql({ ...node, cmp: "in" }, p, col, depth)})`;
        case "exists":
          // the empty path is the item itself, which is there
          if (!node.path.length) return node.value ? "TRUE" : "FALSE";
          return node.value ? exists(col, p, jsonPath(node.path)) : `(NOT ${exists(col, p, jsonPath(node.path))})`;
        case "contains":
          return anyString(col, p, node.path, (x) => `strpos(lower(${x}), lower(${p.add(node.value)})) > 0`);
        case "regex":
          return anyString(col, p, node.path, (x) => `${x} ${node.caseInsensitive ? "~*" : "~"} ${p.add(node.value)}`);
      }
  }
}

/** A hint is an OR of containments; more variants than this are not worth it (each path part doubles them). */
const HINT_MAX_VARIANTS = 8;

/** `{key: shape}` and, unless the value must be a list, `{key: [shape]}`: the two ways a path part can hold it. */
function wrap(shapes: unknown[], seg: PathSegment, listOnly: boolean): unknown[] {
  return shapes.flatMap((s) => (listOnly ? [{ [seg.key]: [s] }] : [{ [seg.key]: s }, { [seg.key]: [s] }]));
}

function wrapPath(shapes: unknown[], path: PathSegment[], lastIsList = false): unknown[] {
  let out = shapes;
  for (let i = path.length - 1; i >= 0; i--) out = wrap(out, path[i], lastIsList && i === path.length - 1);
  return out;
}

/**
 * Every shape a document (or an item) can have in which the path holds the value: each part an
 * object or a list (lax mode reads through both), the value itself or in a list. Empty past
 * HINT_MAX_VARIANTS.
 */
export function containmentVariants(path: PathSegment[], value: Scalar): unknown[] {
  if (2 ** path.length > HINT_MAX_VARIANTS) return [];
  return wrapPath([value], path);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const CONFLICT = Symbol("no value has both shapes");

/**
 * Two shapes both contained in one value, as one shape: objects merge by key, lists concatenate
 * (containment finds each item in some item), equal scalars stay; anything else cannot be one
 * value's shape (CONFLICT).
 */
function merge(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isObject(a) && isObject(b)) {
    // a Map, not assignment: a field may be named __proto__
    const out = new Map(Object.entries(a));
    for (const [k, v] of Object.entries(b)) {
      const m = out.has(k) ? merge(out.get(k), v) : v;
      if (m === CONFLICT) return CONFLICT;
      out.set(k, m);
    }
    return Object.fromEntries(out);
  }
  return !isObject(a) && !Array.isArray(a) && a === b ? a : CONFLICT;
}

/**
 * The shapes an item satisfying `node` contains, from the equalities and element groups of its
 * conjunction, or null when none narrow it. Each conjunct's variants are necessary for the item,
 * so every consistent merge of one variant per conjunct covers it; conjuncts are taken while the
 * product stays within HINT_MAX_VARIANTS (fewer conjuncts: a weaker hint, never a wrong one).
 */
function itemShapes(node: QueryNode): unknown[] | null {
  let shapes: unknown[] | null = null;
  for (const n of conjuncts(node)) {
    const own = n.op === "cmp" && n.cmp === "eq" ? (n.path.length ? containmentVariants(n.path, n.value) : [n.value]) : n.op === "elem" ? groupShapes(n) : [];
    if (!own.length || (shapes?.length ?? 1) * own.length > HINT_MAX_VARIANTS) continue;
    shapes = shapes === null ? own : shapes.flatMap((s) => own.map((o) => merge(s, o))).filter((m) => m !== CONFLICT);
  }
  return shapes;
}

/** The shapes of a value holding a list at the group's path with an item of the group's shapes. */
function groupShapes(node: Extract<QueryNode, { op: "elem" }>): unknown[] {
  const items = itemShapes(node.item);
  if (!items?.length) return [];
  const shapes = wrapPath(items, node.path, true);
  return shapes.length > HINT_MAX_VARIANTS ? [] : shapes;
}

/** The GIN-answerable hints for the top-level conjunction: its equalities and element groups (empty when none apply). */
export function hintSql(node: QueryNode, p: SqlParams, col = "doc"): string[] {
  const out: string[] = [];
  for (const n of conjuncts(node)) {
    const variants = n.op === "cmp" && n.cmp === "eq" ? containmentVariants(n.path, n.value) : n.op === "elem" ? groupShapes(n) : [];
    if (!variants.length) continue;
    out.push(`(${variants.map((v) => `${col} @> ${p.add(JSON.stringify(v))}::jsonb`).join(" OR ")})`);
  }
  return out;
}

/** The condition and its hints, ANDed. */
export function querySql(node: QueryNode, p: SqlParams, col = "doc"): string {
  return [...hintSql(node, p, col), conditionSql(node, p, col)].join(" AND ");
}
