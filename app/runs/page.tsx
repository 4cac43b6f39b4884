import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState } from "../../components/empty-state.tsx";
import { Pagination } from "../../components/pagination.tsx";
import { RunsTable } from "../../components/runs-table.tsx";
import { listRuns } from "../../lib/runs/index.ts";
import { listProjects } from "../../lib/projects/projects.ts";
import { getViewer } from "../../lib/auth/session.ts";
import { RUN_STATUSES } from "../../runner/src/status.ts";
import { one, type SearchParams } from "../_lib/load.ts";
import { toRunRow } from "../_lib/views.ts";

export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Fruns");
  const sp = await searchParams;
  const statusParam = one(sp.status);
  const status = RUN_STATUSES.find((s) => s === statusParam);
  const pkg = one(sp.package)?.trim().slice(0, 200);
  const page = Math.max(1, Number.parseInt(one(sp.page) ?? "1", 10) || 1);
  const admin = viewer.role === "admin";
  const projects = await listProjects(viewer);
  const project = projects.find((p) => p.slug === one(sp.project))?.slug;
  const result = await listRuns(viewer, { status, package: pkg, project, page, pageSize: 25 });
  const shared = projects.some((p) => !p.personal);
  const pageCount = Math.max(1, Math.ceil(result.total / result.pageSize));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-4">
        <div>
          <h1 className="h-page">{admin ? "All runs" : shared ? "Runs of your projects" : "Your runs"}</h1>
          <p className="text-sm text-zinc-500">{result.total} {result.total === 1 ? "run" : "runs"}{admin ? " of every project (you are an admin)" : ""}</p>
        </div>
        <form action="/runs" aria-label="Filter runs" className="ml-auto flex flex-wrap items-end gap-2">
          <div>
            <label htmlFor="status" className="label text-xs">Status</label>
            <select id="status" name="status" defaultValue={status ?? ""} className="input mt-0.5 w-36">
              <option value="">any</option>
              {RUN_STATUSES.map((s) => (
                <option key={s} value={s}>{s.replace("_", " ")}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="project" className="label text-xs">Project</label>
            <select id="project" name="project" defaultValue={project ?? ""} className="input mt-0.5 w-44">
              <option value="">all</option>
              {projects.map((p) => (
                <option key={p.slug} value={p.slug}>{p.personal ? `${p.name} (personal)` : p.name}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="package" className="label text-xs">Package</label>
            <input id="package" name="package" defaultValue={pkg} placeholder="ns.name" className="input mt-0.5 w-48" />
          </div>
          <button type="submit" className="btn">Filter</button>
          {(status || pkg || project) && <Link href="/runs" className="btn">Clear</Link>}
        </form>
      </div>
      {result.items.length === 0 ? (
        status || pkg || project ? (
          <EmptyState title="No run matches these filters" action={<Link href="/runs" className="btn">Clear filters</Link>} />
        ) : (
          <EmptyState title="No runs yet" action={<Link href="/browse" className="btn btn-primary">Find something to run</Link>}>
            Pick a mode or workflow of a package, fill its form and start it; its runs are listed here.
          </EmptyState>
        )
      ) : (
        <RunsTable runs={result.items.map(toRunRow)} showOwner={admin || shared} caption={admin ? "All runs" : "Runs"} />
      )}
      <Pagination page={result.page} pageCount={pageCount} basePath="/runs" query={{ status, package: pkg, project }} />
    </div>
  );
}
