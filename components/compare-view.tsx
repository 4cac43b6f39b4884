import type { ChangedDocument, CollectionDiff, DocumentEntry, RunsDiff } from "../lib/compare/collections.ts";
import type { FieldChange } from "../lib/compare/diff.ts";
import { plural } from "../runner/src/plural.ts";

const OP_STYLE: Record<FieldChange["op"], string> = {
  added: "border-emerald-200 bg-emerald-50 text-emerald-800",
  removed: "border-red-200 bg-red-50 text-red-800",
  changed: "border-amber-200 bg-amber-50 text-amber-800",
};
const OP_TEXT: Record<FieldChange["op"], string> = { added: "new", removed: "gone", changed: "changed" };

/** A value on one line, cut short: the full value is one click away in the document views. */
function short(v: unknown, max = 160): string {
  if (v === undefined) return "";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const SHOWN_CHARS = 20_000;

/** A document as pretty JSON, cut at SHOWN_CHARS so one huge document cannot bloat the page. */
function shown(doc: unknown): string {
  const text = JSON.stringify(doc, null, 2) ?? "";
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}\n… (${text.length - SHOWN_CHARS} more characters: see the run's documents)` : text;
}

function OpBadge({ op }: { op: FieldChange["op"] }) {
  return <span className={`inline-block rounded-full border px-2 py-0.5 text-xs font-medium ${OP_STYLE[op]}`}>{OP_TEXT[op]}</span>;
}

/** "1 new, 0 gone, 2 changed": the counts of a comparison, for headers and the run page. */
export function changeSummary(t: RunsDiff["totals"]): string {
  return `${t.new} new, ${t.gone} gone, ${t.changed} changed`;
}

function DocumentList({ title, op, docs }: { title: string; op: FieldChange["op"]; docs: DocumentEntry[] }) {
  if (!docs.length) return null;
  return (
    <div>
      <h4 className="text-sm font-medium">
        {title} <span className="text-zinc-500">({docs.length})</span>
      </h4>
      <ul className="mt-1 space-y-1">
        {docs.map((d) => (
          <li key={d.label}>
            <details>
              <summary className="cursor-pointer text-sm">
                <OpBadge op={op} /> <code>{d.label}</code>
              </summary>
              <pre className="mt-1 max-h-96 overflow-auto rounded-md border border-zinc-200 bg-zinc-50 p-2 text-xs">{shown(d.doc)}</pre>
            </details>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ChangedList({ docs }: { docs: ChangedDocument[] }) {
  if (!docs.length) return null;
  return (
    <div>
      <h4 className="text-sm font-medium">
        Changed documents <span className="text-zinc-500">({docs.length})</span>
      </h4>
      {docs.map((d) => (
        <div key={d.label} className="mt-2">
          <div className="text-sm">
            <code className="font-semibold">{d.label}</code>
          </div>
          <div className="card mt-1 overflow-x-auto">
            <table className="table-dense" aria-label={`Changes in ${d.label}`}>
              <thead>
                <tr>
                  <th scope="col">Change</th>
                  <th scope="col">Where</th>
                  <th scope="col">Before</th>
                  <th scope="col">After</th>
                </tr>
              </thead>
              <tbody>
                {d.changes.map((c, i) => (
                  <tr key={i} data-op={c.op}>
                    <td>
                      <OpBadge op={c.op} />
                    </td>
                    <td className="font-mono text-xs break-all">{c.path || "(the document)"}</td>
                    <td className="font-mono text-xs break-all text-red-800">{short(c.before)}</td>
                    <td className="font-mono text-xs break-all text-emerald-800">{short(c.after)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {d.omitted > 0 && <p className="hint mt-1">{d.omitted} more change(s) not listed.</p>}
        </div>
      ))}
    </div>
  );
}

function CollectionSection({ c }: { c: CollectionDiff }) {
  const same = !c.added.length && !c.removed.length && !c.changed.length && !c.tooLarge;
  return (
    <section aria-label={`Collection ${c.coll}`} className="space-y-2">
      <h3 className="text-sm">
        <span className="text-zinc-500">Collection</span> <code className="font-semibold">{c.coll}</code>
      </h3>
      <p className="hint">
        {c.keys.length ? (
          <>
            Matched by key: <code>{c.keys.join(", ")}</code>
          </>
        ) : (
          "No keys declared for this schema: documents and list items are matched by their content."
        )}
        {c.unchanged > 0 && ` ${plural(c.unchanged, "document")} unchanged.`}
        {c.ignored.length > 0 && (
          <>
            {" "}
            Left out: <code>{c.ignored.join(", ")}</code>
          </>
        )}
      </p>
      {c.tooLarge && (
        <p role="status" className="rounded-md border border-amber-200 bg-amber-50 p-2 text-sm text-amber-900">
          {c.tooLarge}
        </p>
      )}
      {c.notes.length > 0 && (
        <ul className="hint list-disc pl-5">
          {c.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      {same && <p className="text-sm text-zinc-600">No change.</p>}
      <DocumentList title="New documents" op="added" docs={c.added} />
      <DocumentList title="Gone documents" op="removed" docs={c.removed} />
      <ChangedList docs={c.changed} />
    </section>
  );
}

/** What changed from run A to run B, per collection, with field-level before and after. */
export function CompareView({ diff }: { diff: RunsDiff }) {
  if (!diff.collections.length) return <p className="text-sm text-zinc-500">Neither run stored documents.</p>;
  return (
    <div className="space-y-6">
      <p aria-label="Summary" className="text-sm">
        <strong>{changeSummary(diff.totals)}</strong>
        {diff.totals.unchangedDocuments > 0 && <span className="text-zinc-500">; {plural(diff.totals.unchangedDocuments, "document")} unchanged</span>}
        {diff.partial && <span className="text-amber-800"> — partly compared (see the notes below)</span>}
      </p>
      {diff.collections.map((c) => (
        <CollectionSection key={c.coll} c={c} />
      ))}
    </div>
  );
}
