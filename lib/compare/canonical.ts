/**
 * Canonical JSON: object keys and array items sorted, so two documents that hold the same data
 * have the same text whatever order a tool wrote their fields and items in (a comparison treats
 * arrays as sets: an item that moved is not a change). Documents come from containers: a value JSON
 * cannot carry (a BSON date, an ObjectId) is written as its own JSON form, never a crash.
 */
import { createHash } from "node:crypto";

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function canonicalJson(value: unknown): string {
  return canonicalWith(value, canonicalJson);
}

/**
 * A canonicalJson that remembers each object's text, for one comparison: a diff asks for the same
 * subtrees at every level, and documents do not change while they are compared.
 */
export function canonicalMemo(): (value: unknown) => string {
  const memo = new WeakMap<object, string>();
  const canon = (value: unknown): string => {
    if (value === null || typeof value !== "object") return canonicalWith(value, canon);
    const known = memo.get(value);
    if (known !== undefined) return known;
    const text = canonicalWith(value, canon);
    memo.set(value, text);
    return text;
  };
  return canon;
}

function canonicalWith(value: unknown, canon: (v: unknown) => string): string {
  if (Array.isArray(value)) return `[${value.map(canon).sort().join(",")}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canon(value[k])}`).join(",")}}`;
  }
  if (value === undefined) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (typeof value === "number" && !Number.isFinite(value)) return JSON.stringify(String(value));
  if (value !== null && typeof value === "object") {
    // a driver's object (Date, ObjectId, Decimal128): its toJSON, or its text
    const json = (value as { toJSON?: () => unknown }).toJSON;
    return typeof json === "function" ? JSON.stringify(json.call(value)) ?? "null" : JSON.stringify(String(value));
  }
  return JSON.stringify(value) ?? "null";
}

/** A short, stable name for a value: the first 12 hex digits of the sha256 of its canonical JSON. */
export function contentHash(value: unknown, canon: (v: unknown) => string = canonicalJson): string {
  return createHash("sha256").update(canon(value)).digest("hex").slice(0, 12);
}
