/**
 * The difference between the documents of two runs (pure): per collection, documents added,
 * removed and changed. Documents match by the schema's document key (`annot.Keys`), never by task
 * number; without one, by content. Ignored fields (`ignore.ts`) are dropped from both sides first.
 * A collection over the limits is not compared and says why.
 */
import { canonicalMemo, contentHash } from "./canonical.ts";
import { DIFF_LIMITS, diffDocuments, itemKey, withoutId, type ChangeOp, type DiffLimits, type FieldChange } from "./diff.ts";
import { keysOutside, withoutFields } from "./ignore.ts";
import { collectionSchema, declarationFor, keyPlan, type SchemaKeys } from "./key-paths.ts";
import { plural } from "../../runner/src/plural.ts";

export interface CompareLimits extends DiffLimits {
  /** documents per run and collection */
  documents: number;
  /** field changes listed over the whole comparison; the rest are counted */
  totalChanges: number;
}

export const COMPARE_LIMITS: CompareLimits = { ...DIFF_LIMITS, documents: 5_000, totalChanges: 5_000 };

export interface SideDocument {
  coll: string;
  doc: Record<string, unknown>;
}

export interface DocumentEntry {
  /** how the document is named: its key (`target=127.0.0.1`) or its content hash */
  label: string;
  doc: Record<string, unknown>;
}

export interface ChangedDocument {
  label: string;
  changes: FieldChange[];
  /** changes found but not listed (over a limit) */
  omitted: number;
  counts: Record<ChangeOp, number>;
}

export interface CollectionDiff {
  coll: string;
  schema: string;
  /** the key paths used (empty: documents and array items matched by content) */
  keys: string[];
  /** the fields left out of the comparison (the package's for this schema, or the ones asked for) */
  ignored: string[];
  added: DocumentEntry[];
  removed: DocumentEntry[];
  changed: ChangedDocument[];
  unchanged: number;
  /** why this collection was not compared, with what was there */
  tooLarge: string | null;
  /** parts compared as a whole because of a limit */
  notes: string[];
}

export interface RunsDiff {
  collections: CollectionDiff[];
  /** "new" = documents and items added, "gone" = removed, "changed" = values that changed */
  totals: { new: number; gone: number; changed: number; unchangedDocuments: number };
  /** true when anything was left out (a collection not compared, changes not listed) */
  partial: boolean;
}

type Canon = (v: unknown) => string;

function name(doc: Record<string, unknown>, fields: string[][], canon: Canon): { id: string; label: string } {
  const key = itemKey(doc, fields, canon);
  if (key) return { id: `k${key.id}`, label: key.label };
  const body = withoutId(doc);
  return { id: `c${canon(body)}`, label: `document ${contentHash(body, canon)}` };
}

/**
 * Names for the documents of one side, compared without the ignored fields (`doc`) and shown
 * whole (`shown`); a name met twice gets its occurrence (`#2`).
 */
function named(docs: Record<string, unknown>[], fields: string[][], ignored: readonly string[], canon: Canon) {
  const seen = new Map<string, number>();
  return docs.map((shown) => {
    const doc = withoutFields(shown, ignored);
    const n0 = name(doc, fields, canon);
    const n = (seen.get(n0.id) ?? 0) + 1;
    seen.set(n0.id, n);
    return n > 1 ? { id: `${n0.id}#${n}`, label: `${n0.label} #${n}`, doc, shown } : { ...n0, doc, shown };
  });
}

interface Side {
  docs: Record<string, unknown>[];
  /** how many documents the run holds in the collection (more than `docs` when they were not all read) */
  count: number;
}

function compareCollection(
  coll: string,
  sa: Side,
  sb: Side,
  use: { keys: readonly string[]; ignored: readonly string[] },
  limits: CompareLimits,
  budget: { changes: number },
  canon: Canon,
): CollectionDiff {
  const ignored = [...use.ignored];
  const keys = keysOutside(use.keys, ignored);
  const out: CollectionDiff = { coll, schema: collectionSchema(coll), keys, ignored, added: [], removed: [], changed: [], unchanged: 0, tooLarge: null, notes: [] };
  if (sa.count > limits.documents || sb.count > limits.documents) {
    out.tooLarge = `too large to compare: ${plural(sa.count, "document")} in run A and ${sb.count} in run B; at most ${limits.documents} per run are compared`;
    return out;
  }
  const [a, b] = [sa.docs, sb.docs];
  const plan = keyPlan(keys);
  const after = new Map(named(b, plan.document, ignored, canon).map((d) => [d.id, d]));
  for (const d of named(a, plan.document, ignored, canon)) {
    const match = after.get(d.id);
    if (!match) {
      out.removed.push({ label: d.label, doc: d.shown });
      continue;
    }
    after.delete(d.id);
    if (canon(withoutId(d.doc)) === canon(withoutId(match.doc))) {
      out.unchanged += 1;
      continue;
    }
    const diff = diffDocuments(d.doc, match.doc, plan, { ...limits, changes: Math.max(0, Math.min(limits.changes, budget.changes)) }, canon);
    budget.changes -= diff.changes.length;
    out.notes.push(...diff.notes.map((n) => `${d.label}: ${n}`));
    out.changed.push({ label: d.label, changes: diff.changes, omitted: diff.omitted, counts: diff.counts });
  }
  for (const d of after.values()) out.added.push({ label: d.label, doc: d.shown });
  return out;
}

/** Document counts per collection of the two runs, when a loader read only collections under the cap. */
export interface SideCounts {
  a: Record<string, number>;
  b: Record<string, number>;
}

/**
 * Compares the documents of run A with those of run B. `keys` are the key paths (and ignored
 * fields) the package declared (run B's version: the newer declaration wins). `counts` names
 * collections whose documents were left unread because there are too many (they are reported, not
 * compared). `ignore`, when given, replaces every schema's declared ignored fields.
 */
export function compareRuns(
  a: readonly SideDocument[],
  b: readonly SideDocument[],
  keys: readonly SchemaKeys[] = [],
  limits: CompareLimits = COMPARE_LIMITS,
  counts: SideCounts = { a: {}, b: {} },
  ignore?: readonly string[],
): RunsDiff {
  const byColl = new Map<string, { a: Record<string, unknown>[]; b: Record<string, unknown>[] }>();
  const side = (coll: string) => byColl.get(coll) ?? byColl.set(coll, { a: [], b: [] }).get(coll)!;
  for (const d of a) side(d.coll).a.push(d.doc);
  for (const d of b) side(d.coll).b.push(d.doc);
  for (const coll of [...Object.keys(counts.a), ...Object.keys(counts.b)]) side(coll);
  const budget = { changes: limits.totalChanges };
  const canon = canonicalMemo();
  const collections = [...byColl.keys()].sort().map((coll) => {
    const { a: docsA, b: docsB } = byColl.get(coll)!;
    const sa = { docs: docsA, count: Math.max(docsA.length, counts.a[coll] ?? 0) };
    const sb = { docs: docsB, count: Math.max(docsB.length, counts.b[coll] ?? 0) };
    const declared = declarationFor(coll, keys);
    return compareCollection(coll, sa, sb, { keys: declared?.paths ?? [], ignored: ignore ?? declared?.ignore ?? [] }, limits, budget, canon);
  });
  const totals = { new: 0, gone: 0, changed: 0, unchangedDocuments: 0 };
  let partial = false;
  for (const c of collections) {
    totals.new += c.added.length;
    totals.gone += c.removed.length;
    totals.unchangedDocuments += c.unchanged;
    for (const d of c.changed) {
      totals.new += d.counts.added;
      totals.gone += d.counts.removed;
      totals.changed += d.counts.changed;
      if (d.omitted) partial = true;
    }
    if (c.tooLarge || c.notes.length) partial = true;
  }
  return { collections, totals, partial };
}
