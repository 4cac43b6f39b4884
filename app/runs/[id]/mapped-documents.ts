import type { StoredDocumentView } from "../../../components/json-view.tsx";
import { mappingsFor } from "../../../lib/findings/declarations.ts";
import { documentMappings, runMappings } from "../../../lib/findings/ingest.ts";
import { mapDocument } from "../../../lib/findings/mapping.ts";

/** Rows a document's table shows at most on the run page (the results browser and exports have all). */
const ROWS_SHOWN = 500;

/**
 * The run page's documents, each whose collection has an asset mapping with its hosts and ports as
 * table rows (every port, closed ones too: the table shows the document) and what mapping it left
 * out. The caller has checked the viewer may read the run.
 */
export async function mappedDocuments(runId: string, docs: { coll: string; task: number; doc: unknown }[]): Promise<StoredDocumentView[]> {
  const [declared, mapped] = await Promise.all([runMappings(runId), documentMappings(runId)]);
  if (!declared) return docs;
  return docs.map((d) => {
    const m = mappingsFor(d.coll, declared);
    if (!m.assets || m.assets.address === undefined) return d;
    const { rows } = mapDocument(d.doc, { assets: m.assets, findings: [] }, { rows: true });
    const record = mapped.find((x) => x.coll === d.coll && x.task === d.task);
    return { ...d, mapped: { rows: rows.slice(0, ROWS_SHOWN), moreRows: Math.max(0, rows.length - ROWS_SHOWN), problems: record?.problems ?? [], skipped: record?.skipped ?? 0, findings: record?.findings ?? 0 } };
  });
}
