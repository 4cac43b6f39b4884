import { CodeBlock } from "./code-block.tsx";

export interface StoredDocumentView {
  coll: string;
  task: number;
  doc: unknown;
}

/** The documents a run stored, grouped by collection, as pretty-printed JSON (the run page refreshes it as tasks store more). */
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
                <CodeBlock code={JSON.stringify(d.doc, null, 2)} language="json" label={`Document of task ${d.task} in ${coll}`} />
              </div>
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
