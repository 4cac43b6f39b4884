import type { ServiceRow } from "../lib/findings/mapping.ts";
import { CodeBlock } from "./code-block.tsx";
import { ServiceRowsTable } from "./findings/service-rows.tsx";

export interface StoredDocumentView {
  coll: string;
  task: number;
  doc: unknown;
  /** the document's collection maps to assets: its hosts and ports as rows, and what mapping left out */
  mapped?: { rows: ServiceRow[]; moreRows: number; problems: string[]; skipped: number; findings: number };
}

function plainJson(d: StoredDocumentView) {
  return <CodeBlock code={JSON.stringify(d.doc, null, 2)} language="json" label={`Document of task ${d.task} in ${d.coll}`} />;
}

/**
 * The documents a run stored, grouped by collection: a document with an asset mapping as a table of
 * its hosts and ports, its JSON folded below; any other as pretty-printed JSON (the run page
 * refreshes it as tasks store more).
 */
export function StoredDocuments({ documents, ended }: { documents: StoredDocumentView[]; ended: boolean }) {
  if (documents.length === 0) {
    return <p className="text-sm text-zinc-500">{ended ? "This run stored no documents." : "No document stored yet: each appears here as soon as its task has stored it."}</p>;
  }
  const byColl = new Map<string, StoredDocumentView[]>();
  for (const d of documents) byColl.set(d.coll, [...(byColl.get(d.coll) ?? []), d]);
  return (
    <div className="space-y-4">
      {[...byColl.entries()].map(([coll, docs]) => (
        <section key={coll} aria-label={`Collection ${coll}`}>
          <h3 className="mb-1 text-sm">
            <span className="text-zinc-500">Collection</span> <code className="font-semibold">{coll}</code>
            <span className="ml-2 text-xs text-zinc-500">{docs.length} {docs.length === 1 ? "document" : "documents"}</span>
          </h3>
          <div className="space-y-2">
            {docs.map((d) => (
              <div key={`${coll}-${d.task}`}>
                <div className="mb-0.5 text-xs text-zinc-500">task {d.task}</div>
                {d.mapped ? (
                  <div className="space-y-1.5">
                    {d.mapped.rows.length ? (
                      <ServiceRowsTable rows={d.mapped.rows} caption={`Hosts and ports of task ${d.task} in ${coll}`} />
                    ) : (
                      <p className="text-sm text-zinc-500">No host in this document.</p>
                    )}
                    <p className="text-xs text-zinc-500">
                      {d.mapped.moreRows > 0 && `${d.mapped.moreRows} more rows in the results browser. `}
                      {d.mapped.findings > 0 && `${d.mapped.findings} ${d.mapped.findings === 1 ? "finding" : "findings"} in this document. `}
                    </p>
                    {d.mapped.skipped > 0 && (
                      <details className="text-xs text-amber-800">
                        <summary>{d.mapped.skipped} {d.mapped.skipped === 1 ? "item was" : "items were"} not mapped to assets or findings</summary>
                        <ul className="mt-1 list-disc pl-5">
                          {d.mapped.problems.map((p, i) => (
                            <li key={i} className="break-words">{p}</li>
                          ))}
                          {d.mapped.skipped > d.mapped.problems.length && <li>and {d.mapped.skipped - d.mapped.problems.length} more</li>}
                        </ul>
                      </details>
                    )}
                    <details>
                      <summary className="cursor-pointer text-xs text-zinc-600">The document as JSON</summary>
                      <div className="mt-1">{plainJson(d)}</div>
                    </details>
                  </div>
                ) : (
                  plainJson(d)
                )}
              </div>
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
