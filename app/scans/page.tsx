import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState } from "../../components/empty-state.tsx";
import { ScanTable } from "../../components/scan-table.tsx";
import { listScans } from "../../lib/scans/scans.ts";
import { listProjects } from "../../lib/projects/projects.ts";
import { one, type SearchParams } from "../_lib/load.ts";
import { getViewer } from "../../lib/auth/session.ts";
import { deleteScanAction, runScanNowAction, setScanEnabledAction } from "../actions/scans.ts";

export const metadata: Metadata = { title: "Scans" };

export default async function ScansPage({ searchParams }: { searchParams: SearchParams }) {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Fscans");
  const admin = viewer.role === "admin";
  const projects = await listProjects(viewer);
  const asked = one((await searchParams).project);
  const project = projects.find((p) => p.slug === asked)?.slug;
  const scans = await listScans(viewer, { project });
  const shared = admin || projects.some((p) => !p.personal);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-4">
        <div>
          <h1 className="h-page">{admin ? "All scans" : shared ? "Scans of your projects" : "Your scans"}</h1>
          <p className="text-sm text-zinc-500">
            Saved run configurations, run on their schedule or by hand. Save one from a run&apos;s page or from a run form.
          </p>
        </div>
        {shared && (
          <form action="/scans" aria-label="Filter scans" className="ml-auto flex items-end gap-2">
            <div>
              <label htmlFor="scan-project" className="label text-xs">Project</label>
              <select id="scan-project" name="project" defaultValue={project ?? ""} className="input mt-0.5 w-44">
                <option value="">all</option>
                {projects.map((p) => (
                  <option key={p.slug} value={p.slug}>{p.personal ? `${p.name} (personal)` : p.name}</option>
                ))}
              </select>
            </div>
            <button type="submit" className="btn">Filter</button>
          </form>
        )}
      </div>
      {scans.length === 0 ? (
        <EmptyState title="No scans yet" action={<Link href="/runs" className="btn btn-primary">Pick a run to save</Link>}>
          Open a run and choose “Save as scan”, with a cron schedule such as <code>0 3 * * *</code> to run it every night.
        </EmptyState>
      ) : (
        <ScanTable scans={scans} showOwner={shared} showProject={shared && !project} actions={{ runNow: runScanNowAction, setEnabled: setScanEnabledAction, remove: deleteScanAction }} />
      )}
    </div>
  );
}
