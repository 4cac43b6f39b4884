/**
 * Canonical JSON for evidence: object keys sorted (so the same document always has the same bytes
 * and sha256), arrays kept in their order (their order is evidence), no whitespace. What JSON
 * cannot carry as it is is written as its own JSON form: a value with `toJSON` (a date, an
 * ObjectId) as that, a bigint as its decimal text, a non-finite number as null. Pure.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(normalise(value, 0));
}

const MAX_DEPTH = 200;

function normalise(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new Error(`a document nested deeper than ${MAX_DEPTH} levels`);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (value === null || typeof value !== "object") return value === undefined || typeof value === "function" || typeof value === "symbol" ? null : value;
  if (Array.isArray(value)) return value.map((v) => normalise(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const json = (value as { toJSON?: () => unknown }).toJSON;
    return typeof json === "function" ? normalise(json.call(value), depth + 1) : String(value);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = normalise(v, depth + 1);
  }
  return out;
}
