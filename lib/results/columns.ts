/**
 * The results table's columns and cells: columns inferred from the fields of a page of documents,
 * nested values as short readable previews. Pure; the page calls it on the server, so the browser
 * receives previews, never whole documents.
 */

/** Columns shown before the viewer picks any. */
export const DEFAULT_COLUMNS = 8;
/** Fields offered in the picker. */
export const MAX_PICKABLE = 60;
const PREVIEW_CHARS = 80;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Fields of a page of documents, most common first (ties: first seen): top-level names, and one
 * level into objects (`service.name`). Arrays are columns as a whole (previewed).
 */
export function inferFields(docs: unknown[]): string[] {
  const seen = new Map<string, { count: number; order: number }>();
  const note = (f: string) => {
    const s = seen.get(f);
    if (s) s.count++;
    else seen.set(f, { count: 1, order: seen.size });
  };
  for (const doc of docs) {
    if (!isObject(doc)) continue;
    for (const [k, v] of Object.entries(doc)) {
      if (k === "_id") continue;
      note(k);
      if (isObject(v)) for (const sub of Object.keys(v).slice(0, 20)) note(`${k}.${sub}`);
    }
    if (seen.size > MAX_PICKABLE * 4) break;
  }
  return [...seen.entries()]
    .sort((a, b) => b[1].count - a[1].count || a[1].order - b[1].order)
    .map(([f]) => f)
    .slice(0, MAX_PICKABLE);
}

/** The default columns: the most common top-level fields. */
export function defaultColumns(fields: string[]): string[] {
  return fields.filter((f) => !f.includes(".")).slice(0, DEFAULT_COLUMNS);
}

function clip(s: string, n = PREVIEW_CHARS): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** A value as one short line: `"open"` → open, arrays as `[3] 22, 80, 443`, objects as `{port: 22, …}`. */
export function previewValue(v: unknown, budget = PREVIEW_CHARS): string {
  if (v === undefined) return "";
  if (v === null) return "null";
  if (typeof v === "string") return clip(v, budget);
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) {
    const parts: string[] = [];
    let used = 0;
    for (const item of v) {
      const p = previewValue(item, 30);
      used += p.length + 2;
      if (used > budget) break;
      parts.push(p);
    }
    const more = parts.length < v.length ? (parts.length ? ", …" : "…") : "";
    return clip(`[${v.length}] ${parts.join(", ")}${more}`, budget);
  }
  const entries = Object.entries(v);
  const parts: string[] = [];
  let used = 0;
  for (const [k, item] of entries) {
    const p = `${k}: ${previewValue(item, 24)}`;
    used += p.length + 2;
    if (used > budget) break;
    parts.push(p);
  }
  const more = parts.length < entries.length ? (parts.length ? ", …" : "…") : "";
  return clip(`{${parts.join(", ")}${more}}`, budget);
}
