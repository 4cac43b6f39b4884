/**
 * Field-level difference of two documents (pure). Arrays are compared as sets: the order of items
 * is not a change. Items of an array with declared keys are the same item when their keys are
 * equal, so "port 8080 opened on 127.0.0.1" is one change, an item added at
 * `hosts[ip=127.0.0.1].ports[port=8080]`; items of other arrays match by content.
 */
import { canonicalJson, canonicalMemo, isPlainObject } from "./canonical.ts";
import type { KeyPlan } from "./key-paths.ts";

export type ChangeOp = "added" | "removed" | "changed";

export interface FieldChange {
  op: ChangeOp;
  /** where, with keyed array items named by their key: `hosts[ip=127.0.0.1].ports[port=8080]` */
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface DiffLimits {
  /** nesting deeper than this is compared as a whole */
  depth: number;
  /** arrays with more items than this are compared as a whole */
  arrayItems: number;
  /** changes listed per document; the rest are counted */
  changes: number;
}

export const DIFF_LIMITS: DiffLimits = { depth: 32, arrayItems: 5_000, changes: 1_000 };

export interface DocumentChanges {
  changes: FieldChange[];
  /** changes found beyond `limits.changes` (counted, not listed) */
  omitted: number;
  /** what was compared as a whole because of a limit */
  notes: string[];
}

interface Walk {
  canon: (v: unknown) => string;
  plan: KeyPlan;
  limits: DiffLimits;
  out: DocumentChanges;
  counts: Record<ChangeOp, number>;
}

/** A field read by a path of names (`service.name`); undefined when absent. */
export function fieldAt(value: unknown, field: readonly string[]): unknown {
  let v = value;
  for (const name of field) {
    if (!isPlainObject(v) || !Object.hasOwn(v, name)) return undefined;
    v = v[name];
  }
  return v;
}

const keyText = (v: unknown, canon: (v: unknown) => string) => (typeof v === "string" ? v : canon(v));

/** The identity of an item by its key fields, and how it is shown; null when a key field is missing. */
export function itemKey(item: unknown, fields: readonly (readonly string[])[], canon: (v: unknown) => string = canonicalJson): { id: string; label: string } | null {
  if (!fields.length || !isPlainObject(item)) return null;
  const values = fields.map((f) => fieldAt(item, f));
  if (values.some((v) => v === undefined)) return null;
  // in field order: (port 80, tcp) and (tcp, 80) are different keys
  return { id: `[${values.map(canon).join(",")}]`, label: fields.map((f, i) => `${f.join(".")}=${keyText(values[i], canon)}`).join(",") };
}

function record(w: Walk, change: FieldChange) {
  w.counts[change.op] += 1;
  if (w.out.changes.length < w.limits.changes) w.out.changes.push(change);
  else w.out.omitted += 1;
}

const childPath = (path: string, name: string) => (path ? `${path}.${name}` : name);

function diffValue(w: Walk, a: unknown, b: unknown, schemaPath: string, path: string, depth: number) {
  if (w.canon(a) === w.canon(b)) return;
  if (depth >= w.limits.depth) {
    w.out.notes.push(`${path || "the document"}: nested deeper than ${w.limits.depth} levels, compared as a whole`);
    record(w, { op: "changed", path, before: a, after: b });
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const inA = Object.hasOwn(a, name);
      const inB = Object.hasOwn(b, name);
      const p = childPath(path, name);
      if (!inA) record(w, { op: "added", path: p, after: b[name] });
      else if (!inB) record(w, { op: "removed", path: p, before: a[name] });
      else diffValue(w, a[name], b[name], childPath(schemaPath, name), p, depth + 1);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length > w.limits.arrayItems || b.length > w.limits.arrayItems) {
      w.out.notes.push(`${path}: more than ${w.limits.arrayItems} items, compared as a whole`);
      record(w, { op: "changed", path, before: a, after: b });
      return;
    }
    diffArray(w, a, b, `${schemaPath}[]`, path, depth);
    return;
  }
  record(w, { op: "changed", path, before: a, after: b });
}

interface Item {
  id: string;
  label: string | null;
  value: unknown;
}

/**
 * Items named so that equal names are the same item: by key (`port=80`), else by content; a name
 * met twice gets its occurrence (`port=80 #2`), so duplicates pair up in order instead of vanishing.
 */
function items(values: unknown[], fields: string[][] | undefined, canon: (v: unknown) => string): Item[] {
  const seen = new Map<string, number>();
  return values.map((value) => {
    const key = fields ? itemKey(value, fields, canon) : null;
    const base = key ? `k${key.id}` : `c${canon(value)}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const label = key ? (n > 1 ? `${key.label} #${n}` : key.label) : null;
    return { id: n > 1 ? `${base}#${n}` : base, label, value };
  });
}

function diffArray(w: Walk, a: unknown[], b: unknown[], schemaPath: string, path: string, depth: number) {
  const fields = w.plan.arrays.get(schemaPath);
  const before = items(a, fields, w.canon);
  const after = new Map(items(b, fields, w.canon).map((i) => [i.id, i]));
  const where = (i: Item) => (i.label ? `${path}[${i.label}]` : `${path}[]`);
  for (const item of before) {
    const match = after.get(item.id);
    if (!match) record(w, { op: "removed", path: where(item), before: item.value });
    else {
      after.delete(item.id);
      // only keyed items can differ and still match; content-matched ones are equal
      if (item.label) diffValue(w, item.value, match.value, schemaPath, where(item), depth + 1);
    }
  }
  for (const item of after.values()) record(w, { op: "added", path: where(item), after: item.value });
}

/** The changes from document `a` to document `b`; `_id` (the run and task numbers) is never compared. */
export function diffDocuments(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  plan: KeyPlan,
  limits: DiffLimits = DIFF_LIMITS,
  canon: (v: unknown) => string = canonicalMemo(),
): DocumentChanges & { counts: Record<ChangeOp, number> } {
  const w: Walk = { canon, plan, limits, out: { changes: [], omitted: 0, notes: [] }, counts: { added: 0, removed: 0, changed: 0 } };
  diffValue(w, withoutId(a), withoutId(b), "", "", 0);
  return { ...w.out, notes: [...new Set(w.out.notes)], counts: w.counts };
}

export function withoutId(doc: Record<string, unknown>): Record<string, unknown> {
  const { _id: _ignored, ...rest } = doc;
  return rest;
}
