import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState } from "../../components/empty-state.tsx";
import { ResultsCharts } from "../../components/results-chart.tsx";
import { ResultsFilters } from "../../components/results-filters.tsx";
import { ResultsTable, type ResultRowView } from "../../components/results-table.tsx";
import { ResultsTree } from "../../components/results-tree.tsx";
import { AppError } from "../../lib/errors.ts";
import { defaultColumns, inferFields, previewValue } from "../../lib/results/columns.ts";
import { fieldValue } from "../../lib/results/csv.ts";
import { listCollections, listDocuments } from "../../lib/results/documents.ts";
import { collectionTree } from "../../lib/results/tree.ts";
import type { ResultPage } from "../../lib/results/types.ts";
import { documentsQuerySchema, EXPORT_FORMATS, exportQuerySchema } from "../../lib/schemas/results.ts";
import { getViewer } from "../../lib/auth/session.ts";
import { listProjects } from "../../lib/projects/projects.ts";
import { one, type SearchParams } from "../_lib/load.ts";

export const metadata: Metadata = { title: "Results" };

const FILTER_KEYS = ["project", "coll", "run", "package", "function", "from", "to", "q"] as const;
const PAGE_SIZE = 50;

function queryString(values: Record<string, string | undefined>, extra: Record<string, string | undefined> = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...values, ...extra })) if (v) p.set(k, v);
  return p.toString();
}

export default async function ResultsPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const raw = Object.fromEntries([...FILTER_KEYS, "after", "fields", "chart"].map((k) => [k, one(sp[k])?.slice(0, 4000)]));
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/results?${queryString(raw)}`)}`);
  const filterValues = Object.fromEntries(FILTER_KEYS.map((k) => [k, raw[k]])) as Record<(typeof FILTER_KEYS)[number], string | undefined>;

  let error: string | null = null;
  let page: ResultPage = { items: [], next: null };
  const parsed = documentsQuerySchema.safeParse({ ...filterValues, after: raw.after, limit: String(PAGE_SIZE) });
  const picked = exportQuerySchema.shape.fields.safeParse(raw.fields);
  if (!parsed.success) {
    error = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  } else {
    const { after, limit, ...filter } = parsed.data;
    try {
      page = await listDocuments(viewer, filter, { after, limit });
    } catch (err) {
      if (!(err instanceof AppError && err.code === "validation")) throw err;
      error = err.message;
    }
  }
  const projects = await listProjects(viewer);
  const project = projects.find((p) => p.slug === filterValues.project);
  const collections = await listCollections(viewer, { project: project?.slug });
  const docs = page.items.map((d) => d.doc);
  const fields = inferFields(docs);
  const columns = picked.success && picked.data?.length ? picked.data : defaultColumns(fields);
  const rows: ResultRowView[] = page.items.map((d) => ({
    id: d.id,
    coll: d.coll,
    runId: d.runId,
    job: d.job,
    task: d.task,
    storedAt: d.storedAt,
    bytes: d.bytes,
    cells: Object.fromEntries(columns.map((c) => [c, previewValue(fieldValue(d.doc, c))])),
  }));
  const filterQuery = queryString(filterValues);
  const filtered = FILTER_KEYS.some((k) => k !== "coll" && k !== "project" && filterValues[k]);
  const hrefFor = (coll: string) => `/results?${queryString({ ...filterValues, coll })}`;

  return (
    <div className="grid gap-5 lg:grid-cols-[16rem_minmax(0,1fr)]">
      <aside className="space-y-2">
        <h2 className="h-section">Collections</h2>
        <Link href={`/results?${queryString({ ...filterValues, coll: undefined })}`} className="text-xs">All collections</Link>
        <ResultsTree nodes={collectionTree(collections)} hrefFor={hrefFor} current={filterValues.coll} />
      </aside>
      <div className="min-w-0 space-y-4">
        <header className="flex flex-wrap items-end gap-3">
          <div>
            <h1 className="h-page">Results</h1>
            <p className="text-sm text-zinc-500">
              {filterValues.coll ? (
                <>
                  Collection <code className="font-semibold">{filterValues.coll}</code>
                </>
              ) : (
                "Every collection"
              )}
              {project ? ` · project ${project.name}` : viewer.role === "admin" ? " · every project (you are an admin)" : " · your projects"}
            </p>
          </div>
          <div className="ml-auto flex flex-wrap items-center gap-2" aria-label="Export">
            <span className="text-xs text-zinc-500">Export this filter:</span>
            {EXPORT_FORMATS.map((f) => (
              <a key={f} className="btn py-1 text-xs" download href={`/api/results/export?${queryString(filterValues, { format: f, fields: f === "csv" ? columns.join(",") : undefined })}`}>
                {f.toUpperCase()}
              </a>
            ))}
          </div>
        </header>
        <ResultsFilters values={{ ...filterValues, fields: raw.fields }} error={error} projects={projects.map((p) => ({ slug: p.slug, label: p.personal ? `${p.name} (personal)` : p.name }))} />
        <ResultsCharts filterQuery={filterQuery} field={raw.chart ?? ""} />
        {rows.length === 0 ? (
          error ? null : (
            <EmptyState title={filtered || raw.after ? "No document matches this filter" : "No stored results here yet"}>
              Runs store documents with <code>ctx.set</code>; they appear here by collection.
            </EmptyState>
          )
        ) : (
          <>
            <ResultsTable rows={rows} columns={columns} fields={fields} showColl={!filterValues.coll} />
            <nav aria-label="Pages" className="flex items-center justify-between text-sm">
              <span className="text-zinc-500">
                {rows.length} {rows.length === 1 ? "document" : "documents"} on this page{raw.after ? " (not the first)" : ""}
              </span>
              <span className="flex gap-2">
                {raw.after && <Link className="btn" href={`/results?${queryString({ ...filterValues, fields: raw.fields })}`}>First page</Link>}
                {page.next && <Link className="btn" href={`/results?${queryString({ ...filterValues, fields: raw.fields, after: page.next })}`}>Next page</Link>}
              </span>
            </nav>
          </>
        )}
      </div>
    </div>
  );
}
