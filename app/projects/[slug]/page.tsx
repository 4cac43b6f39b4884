import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ActionButton } from "../../../components/action-problem.tsx";
import { EmptyState } from "../../../components/empty-state.tsx";
import { ImportForm } from "../../../components/projects/import-form.tsx";
import { MemberTable, RoleBadge } from "../../../components/projects/member-manager.tsx";
import { ScopeSummary } from "../../../components/projects/scope-summary.tsx";
import { WindowBadge, WindowRange } from "../../../components/projects/window-badge.tsx";
import { ReportForm } from "../../../components/report-form.tsx";
import { RunsTable } from "../../../components/runs-table.tsx";
import { StatusBadge } from "../../../components/status-badge.tsx";
import { getProject } from "../../../lib/projects/projects.ts";
import { getProjectScope } from "../../../lib/projects/scope.ts";
import { getSettings } from "../../../lib/platform/settings.ts";
import { listRuns } from "../../../lib/runs/index.ts";
import { listScans } from "../../../lib/scans/scans.ts";
import { getViewer } from "../../../lib/auth/session.ts";
import { removeMemberAction } from "../../actions/projects.ts";
import { loadOr404 } from "../../_lib/load.ts";
import { windowBadge } from "../../_lib/project-views.ts";
import { toRunRow } from "../../_lib/views.ts";

type Params = Promise<{ slug: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Project ${(await params).slug}` };
}

export default async function ProjectPage({ params }: { params: Params }) {
  const { slug } = await params;
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/projects/${slug}`)}`);
  const project = await loadOr404(getProject(viewer, slug));
  const [runs, scans, scope, settings] = await Promise.all([listRuns(viewer, { project: slug, pageSize: 10 }), listScans(viewer, { project: slug }), getProjectScope(viewer, slug), getSettings()]);
  const now = new Date();
  const manage = project.rights.includes("manage");
  const q = `project=${encodeURIComponent(slug)}`;
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link href="/projects">Projects</Link> <span aria-hidden>/</span> <span className="font-mono">{project.slug}</span>
        </nav>
        <div className="flex flex-wrap items-center gap-2">
          <h1 className="h-page break-words">{project.name}</h1>
          {project.personal && <span className="badge">personal</span>}
          {project.role ? <RoleBadge role={project.role} /> : <span className="text-xs text-zinc-500">you are not a member (admin)</span>}
          {manage && (
            <Link href={`/projects/${slug}/settings`} className="btn ml-auto py-1 text-sm">Settings</Link>
          )}
        </div>
        {project.description && <p className="max-w-3xl whitespace-pre-line break-words text-sm text-zinc-700">{project.description}</p>}
        <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_minmax(0,1fr)]">
          <dt className="text-zinc-500">Client</dt>
          <dd className="break-words">{project.client || <span className="text-zinc-500">—</span>}</dd>
          <dt className="text-zinc-500">Authorised window</dt>
          <dd className="flex flex-wrap items-center gap-2">
            <WindowBadge window={windowBadge(project, now)} now={now.toISOString()} />
            <WindowRange start={project.windowStart} end={project.windowEnd} />
          </dd>
          <dt className="text-zinc-500">Scope</dt>
          <dd>
            <ScopeSummary {...scope} />
          </dd>
        </dl>
        <nav aria-label="This project's records" className="flex flex-wrap gap-2 text-sm">
          <Link className="btn py-1" href={`/runs?${q}`}>Runs ({project.runCount})</Link>
          <Link className="btn py-1" href={`/results?${q}`}>Results</Link>
          <Link className="btn py-1" href={`/scans?${q}`}>Scans ({project.scanCount})</Link>
          {project.rights.includes("run") && <Link className="btn btn-primary py-1" href="/browse">Run something here</Link>}
        </nav>
        <ReportForm action={`/api/projects/${encodeURIComponent(slug)}/report`} what={project.name} />
      </header>

      <section aria-labelledby="members-h" className="space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <h2 id="members-h" className="h-section">Members</h2>
          {!project.personal && project.role && project.role !== "owner" && (
            <span className="ml-auto">
              <ActionButton action={removeMemberAction.bind(null, slug)} fields={{ username: viewer.username }} ariaLabel="Leave this project" className="btn py-0.5 text-xs">
                Leave project
              </ActionButton>
            </span>
          )}
        </div>
        <div className="card p-3">
          <MemberTable members={project.members} setRoleAction={null} removeAction={null} />
        </div>
      </section>

      {project.rights.includes("run") && (
        <section aria-labelledby="import-h" className="space-y-2">
          <h2 id="import-h" className="h-section">Import results</h2>
          <ImportForm slug={slug} maxBytes={settings.files.maxBytes} />
        </section>
      )}

      <section aria-labelledby="runs-h" className="space-y-2">
        <h2 id="runs-h" className="h-section">Recent runs</h2>
        {runs.items.length ? (
          <RunsTable runs={runs.items.map(toRunRow)} showOwner caption={`Recent runs of ${project.name}`} />
        ) : (
          <EmptyState title="No runs in this project yet">Choose this project in a run form&apos;s Project field; its runs and results show here for every member.</EmptyState>
        )}
      </section>

      <section aria-labelledby="scans-h" className="space-y-2">
        <h2 id="scans-h" className="h-section">Saved scans</h2>
        {scans.length ? (
          <ul className="card divide-y divide-zinc-100 text-sm">
            {scans.map((s) => (
              <li key={s.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
                <Link href={`/scans/${s.id}`} className="font-medium">{s.name}</Link>
                <span className="font-mono text-xs text-zinc-500">{s.package}.{s.function}</span>
                <span className="text-xs text-zinc-500">{s.enabled ? (s.schedule ?? "by hand") : "disabled"} · by {s.owner}</span>
                {s.lastRun && <span className="ml-auto"><StatusBadge status={s.lastRun.status} /></span>}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-zinc-500">No saved scans in this project.</p>
        )}
      </section>
    </div>
  );
}
