/**
 * A CSV export flattened along a list (`flatten=hosts[].ports[]`): one row per item of the
 * innermost list, the fields of the items it lies in (the host's address) and of the document
 * repeated on each (pure). A document or an item whose list is missing or empty still gives one
 * row, its deeper columns empty: flattening never drops a document.
 *
 * Columns are dotted paths as elsewhere (`target`, `hosts.ip`, `hosts.ports.port`): a column under
 * a flattened list reads that row's item; any other reads the document (through lists, as
 * `fieldValue` does).
 */
import { fieldValue } from "./csv.ts";
import { inferFields } from "./columns.ts";
import { FLATTEN_PATH } from "../schemas/results.ts";

/** Rows one document may give at most; past it the document's further items are left out, and its last row says so. */
export const MAX_ROWS_PER_DOCUMENT = 100_000;

/** `hosts[].ports[]` → the lists' dotted paths, outermost first: ["hosts", "hosts.ports"]; null unless a path ending in a list. */
export function parseFlatten(path: string): string[] | null {
  if (!FLATTEN_PATH.test(path)) return null;
  const lists: string[] = [];
  const parts = path.split(".");
  parts.forEach((p, i) => {
    if (p.endsWith("[]")) lists.push(parts.slice(0, i + 1).map((q) => q.replace(/\[\]$/, "")).join("."));
  });
  return lists;
}

/** One row: for each flattened list, the item this row is at (undefined: the list was missing or empty there). */
export type FlatRow = (unknown | undefined)[];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The value at a dotted path below an item (no lists read through: they are values). */
function below(item: unknown, rest: string): unknown {
  let v = item;
  for (const k of rest.split(".")) {
    if (!isObject(v) || !Object.hasOwn(v, k)) return undefined;
    v = v[k];
  }
  return v;
}

/** The rows of one document: the lists walked outermost first, each item a row of its own (left-joined). */
export function flattenRows(doc: unknown, lists: readonly string[], max = MAX_ROWS_PER_DOCUMENT): { rows: FlatRow[]; truncated: boolean } {
  const rows: FlatRow[] = [];
  let truncated = false;
  const walk = (level: number, holder: unknown, bound: FlatRow) => {
    if (rows.length >= max) {
      truncated = true;
      return;
    }
    if (level === lists.length) {
      rows.push(bound);
      return;
    }
    const rel = level === 0 ? lists[0] : lists[level].slice(lists[level - 1].length + 1);
    const list = holder === undefined ? undefined : below(holder, rel);
    if (!Array.isArray(list) || list.length === 0) {
      rows.push([...bound, ...Array(lists.length - level).fill(undefined)]);
      return;
    }
    for (const item of list) {
      walk(level + 1, item, [...bound, item]);
      if (truncated) return;
    }
  };
  walk(0, doc, []);
  return { rows, truncated };
}

/** A column's value in a row: from the innermost flattened item it lies under, else from the document. */
export function flatValue(doc: unknown, lists: readonly string[], row: FlatRow, column: string): unknown {
  for (let i = lists.length - 1; i >= 0; i--) {
    if (column.startsWith(`${lists[i]}.`)) return row[i] === undefined ? undefined : below(row[i], column.slice(lists[i].length + 1));
  }
  return fieldValue(doc, column);
}

/**
 * Columns when none are picked: the documents' top-level fields and each level's item fields
 * (prefixed with its list's path), without the flattened lists themselves.
 */
export function flatColumns(docs: readonly unknown[], lists: readonly string[]): string[] {
  const skip = new Set(lists);
  const out: string[] = [];
  const add = (fields: string[], prefix: string) => {
    for (const f of fields) {
      const full = prefix ? `${prefix}.${f}` : f;
      if (!skip.has(full)) out.push(full);
    }
  };
  add(inferFields(docs as unknown[]), "");
  lists.forEach((list, level) => {
    const items: unknown[] = [];
    for (const d of docs) {
      for (const row of flattenRows(d, lists.slice(0, level + 1), 50).rows) if (row[level] !== undefined) items.push(row[level]);
      if (items.length >= 200) break;
    }
    add(inferFields(items), list);
  });
  return out.filter((c, i) => out.indexOf(c) === i);
}
