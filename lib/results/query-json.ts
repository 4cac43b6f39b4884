/**
 * The JSON form of a field query: MongoDB's filter syntax, read-only operators only.
 *
 *   { "ports.port": 8080, "state": { "$in": ["open", "filtered"] },
 *     "$or": [{ "service": { "$regex": "^http", "$options": "i" } }, { "banner": { "$exists": true } }] }
 *
 * Field operators: $eq $ne $gt $gte $lt $lte $in $nin $exists $regex (+ $options "i"; the pattern
 * must be anchored with ^ and is length-capped) $not $elemMatch; query operators: $and $or $not
 * (a query). `$elemMatch` takes a query on the items' fields (`{"port": 22, "state": "open"}`) or
 * operators on the items themselves (`{"$gte": 80, "$lt": 85}`), as MongoDB's query operator does.
 * Anything else ($where, $function, $expr, unknown operators) is a 422 naming where it is. Pure.
 */
import { QUERY_LIMITS } from "../schemas/results.ts";
import { checkSize, queryError, type PathSegment, type QueryNode, type Scalar } from "./query-ast.ts";
import { parsePath } from "./query-text.ts";

const FIELD_OPS = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex", "$options", "$not", "$elemMatch"];
const QUERY_OPS = ["$and", "$or", "$not"];
const RANGE = { $eq: "eq", $ne: "ne", $gt: "gt", $gte: "gte", $lt: "lt", $lte: "lte" } as const;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function scalar(v: unknown, where: string): Scalar {
  if (v === null || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw queryError(where, "a number is out of range");
    return v;
  }
  if (typeof v === "string") {
    if (v.length > QUERY_LIMITS.stringLength) throw queryError(where, `a value is longer than ${QUERY_LIMITS.stringLength} characters`);
    return v;
  }
  throw queryError(where, "compare with a string, number, boolean or null (objects and arrays are not compared whole)");
}

function query(value: unknown, where: string, depth: number): QueryNode {
  if (depth > QUERY_LIMITS.depth) throw queryError(where, `nested deeper than ${QUERY_LIMITS.depth} levels`);
  if (!isPlainObject(value)) throw queryError(where, "a query is a JSON object");
  const items: QueryNode[] = [];
  for (const [key, v] of Object.entries(value)) {
    const at = `${where}.${key}`;
    if (key === "$and" || key === "$or") {
      if (!Array.isArray(v) || v.length === 0) throw queryError(at, `${key} takes a non-empty array of queries`);
      const subs = v.map((q, i) => query(q, `${at}[${i}]`, depth + 1));
      items.push(key === "$and" ? { op: "and", items: subs } : { op: "or", items: subs });
    } else if (key === "$not") {
      items.push({ op: "not", item: query(v, at, depth + 1) });
    } else if (key.startsWith("$")) {
      throw queryError(at, `operator ${key} is not allowed here (read-only query operators: $and, $or, $not)`);
    } else {
      items.push(field(parsePath(key, at), v, at, depth + 1));
    }
  }
  if (items.length === 0) throw queryError(where, "the query is empty");
  return items.length === 1 ? items[0] : { op: "and", items };
}

/** `{"$gte": 80, "$not": {"$lt": 3}}`: operators only (a field's condition), not a query. */
function isOperatorObject(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => FIELD_OPS.includes(k) && (k !== "$not" || isOperatorObject(v[k]) || !isPlainObject(v[k])));
}

/** `$elemMatch`: one item of the list at `path` satisfies the query (or the operators) given. */
function elemMatch(path: PathSegment[], arg: unknown, where: string, depth: number): QueryNode {
  if (!isPlainObject(arg) || Object.keys(arg).length === 0) {
    throw queryError(where, '$elemMatch takes a query on the items\' fields ({"port": 22}) or operators on the items ({"$gte": 80})');
  }
  const list = path.map((s, i) => (i === path.length - 1 ? { ...s, each: true } : s));
  if (isOperatorObject(arg)) return { op: "elem", path: list, item: field([], arg, where, depth + 1) };
  const stray = Object.keys(arg).find((k) => k.startsWith("$") && !QUERY_OPS.includes(k));
  if (stray && Object.keys(arg).some((k) => !k.startsWith("$"))) {
    throw queryError(`${where}.${stray}`, "$elemMatch takes a query on the items' fields or operators on the items themselves, not both");
  }
  return { op: "elem", path: list, item: query(arg, where, depth + 1) };
}

function field(path: PathSegment[], v: unknown, where: string, depth: number): QueryNode {
  if (depth > QUERY_LIMITS.depth) throw queryError(where, `nested deeper than ${QUERY_LIMITS.depth} levels`);
  if (!isPlainObject(v)) return { op: "cmp", path, cmp: "eq", value: scalar(v, where) };
  const keys = Object.keys(v);
  if (keys.length === 0 || keys.some((k) => !k.startsWith("$"))) {
    throw queryError(where, "give a value or an object of operators ($eq, $gt, $in, …); objects are not compared whole");
  }
  const items: QueryNode[] = [];
  for (const [op, arg] of Object.entries(v)) {
    const at = `${where}.${op}`;
    if (!FIELD_OPS.includes(op)) throw queryError(at, `operator ${op} is not allowed (read-only operators: ${FIELD_OPS.join(" ")})`);
    if (op in RANGE) {
      items.push({ op: "cmp", path, cmp: RANGE[op as keyof typeof RANGE], value: scalar(arg, at) });
    } else if (op === "$in" || op === "$nin") {
      if (!Array.isArray(arg) || arg.length === 0) throw queryError(at, `${op} takes a non-empty array of values`);
      if (arg.length > QUERY_LIMITS.listLength) throw queryError(at, `${op} takes at most ${QUERY_LIMITS.listLength} values`);
      items.push({ op: "cmp", path, cmp: op === "$in" ? "in" : "nin", value: arg.map((x, i) => scalar(x, `${at}[${i}]`)) });
    } else if (op === "$exists") {
      if (typeof arg !== "boolean") throw queryError(at, "$exists takes true or false");
      items.push({ op: "cmp", path, cmp: "exists", value: arg });
    } else if (op === "$regex") {
      items.push(regex(path, arg, v.$options, at));
    } else if (op === "$options") {
      if (!("$regex" in v)) throw queryError(at, "$options goes with $regex");
    } else if (op === "$elemMatch") {
      if (!path.length) throw queryError(at, "$elemMatch applies to a field: name the list (`{\"tags\": {\"$elemMatch\": …}}`)");
      items.push(elemMatch(path, arg, at, depth));
    } else {
      items.push({ op: "not", item: field(path, arg, at, depth + 1) });
    }
  }
  return items.length === 1 ? items[0] : { op: "and", items };
}

function regex(path: PathSegment[], pattern: unknown, options: unknown, where: string): QueryNode {
  if (typeof pattern !== "string") throw queryError(where, "$regex takes a string pattern");
  if (pattern.length > QUERY_LIMITS.regexLength) throw queryError(where, `a $regex pattern is longer than ${QUERY_LIMITS.regexLength} characters`);
  if (!pattern.startsWith("^")) throw queryError(where, "a $regex pattern must be anchored with ^ (use ~ or a field query's substring match for text anywhere)");
  if (options !== undefined && options !== "" && options !== "i") throw queryError(`${where.replace(/\.\$regex$/, "")}.$options`, "$options may only be \"i\"");
  return { op: "cmp", path, cmp: "regex", value: pattern, caseInsensitive: options === "i" };
}

/** Parses the JSON form (its text) into the intermediate form; a clear 422 naming where otherwise. */
export function parseJsonQuery(text: string): QueryNode {
  if (text.length > QUERY_LIMITS.textLength) throw queryError("the query", `the query is longer than ${QUERY_LIMITS.textLength} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw queryError("the query", `not valid JSON (${err instanceof SyntaxError ? err.message : "parse error"})`);
  }
  const node = query(value, "$", 0);
  checkSize(node);
  return node;
}
