/**
 * Fields a comparison leaves out: declared by a package per schema (`annot.Keys(…, ignore=[…])`,
 * the manifest's `keys[].ignore`) or chosen for one comparison (the compare page, `?ignore=`,
 * `lev diff --ignore`), which then replaces the declared ones. An ignored path reads through
 * lists, marked or not: `hosts[].os` (or `hosts.os`) drops `os` from every host. Key paths under an
 * ignored field are not used (their field is gone). Pure.
 */
import { isPlainObject } from "./canonical.ts";
import { keyPathProblems } from "./key-paths.ts";

/** A path's field names without the `[]` marks: `hosts[].os` and `hosts.os` name the same field. */
export function fieldNames(path: string): string[] {
  return path.split(".").map((s) => (s.endsWith("[]") ? s.slice(0, -2) : s));
}

/** Every problem with a list of fields to ignore (empty: good); the grammar of key paths. */
export function ignoreProblems(paths: unknown): string[] {
  return keyPathProblems(paths, "ignored field");
}

/** `hosts[].os, scanned_at` → the fields, trimmed, once each, in order (the query parameter's form). */
export function ignoreList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

const startsWith = (path: string[], prefix: string[]) => prefix.length <= path.length && prefix.every((k, i) => path[i] === k);

/** The key paths not under an ignored field. */
export function keysOutside(keys: readonly string[], ignored: readonly string[]): string[] {
  const gone = ignored.map(fieldNames);
  return keys.filter((k) => !gone.some((g) => startsWith(fieldNames(k), g)));
}

function drop(value: unknown, fields: readonly string[]): unknown {
  if (Array.isArray(value)) {
    const out = value.map((v) => drop(v, fields));
    return out.some((v, i) => v !== value[i]) ? out : value;
  }
  const [key, ...rest] = fields;
  if (!isPlainObject(value) || !Object.hasOwn(value, key)) return value;
  // entries, not assignment: a field may be named __proto__
  if (!rest.length) return Object.fromEntries(Object.entries(value).filter(([k]) => k !== key));
  const inner = drop(value[key], rest);
  return inner === value[key] ? value : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === key ? inner : v]));
}

/** The document without the ignored fields, in every item of the lists on their way; unchanged parts are shared, never copied. */
export function withoutFields<T>(doc: T, ignored: readonly string[]): T {
  let out: unknown = doc;
  for (const path of ignored) out = drop(out, fieldNames(path));
  return out as T;
}
