import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ProjectForm } from "../../components/projects/project-form.tsx";
import { RoleBadge } from "../../components/projects/member-manager.tsx";
import { WindowBadge } from "../../components/projects/window-badge.tsx";
import { listProjects } from "../../lib/projects/projects.ts";
import { getViewer } from "../../lib/auth/session.ts";
import { createProjectAction } from "../actions/projects.ts";
import { windowBadge } from "../_lib/project-views.ts";

export const metadata: Metadata = { title: "Projects" };

export default async function ProjectsPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Fprojects");
  const admin = viewer.role === "admin";
  const projects = await listProjects(viewer);
  const now = new Date();
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_24rem]">
      <section className="min-w-0 space-y-3" aria-labelledby="projects-h">
        <div>
          <h1 id="projects-h" className="h-page">{admin ? "All projects" : "Your projects"}</h1>
          <p className="text-sm text-zinc-500">
            A project holds an engagement&apos;s runs, scans and results; its members see them by role.{admin ? " As an admin you see every project." : ""}
          </p>
        </div>
        <ul className="card divide-y divide-zinc-100" aria-label="Projects">
          {projects.map((p) => (
            <li key={p.id} data-project={p.slug} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-3">
              <div className="min-w-0 flex-1">
                <Link href={`/projects/${p.slug}`} className="font-medium">{p.name}</Link>
                {p.personal && <span className="badge ml-2">personal</span>}
                <p className="truncate text-xs text-zinc-500">
                  <span className="font-mono">{p.slug}</span>
                  {p.client && <> · client {p.client}</>} · {p.memberCount} {p.memberCount === 1 ? "member" : "members"}
                </p>
              </div>
              <WindowBadge window={windowBadge(p, now)} now={now.toISOString()} />
              {p.role ? <RoleBadge role={p.role} /> : <span className="text-xs text-zinc-500">not a member</span>}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="new-project-h" className="card h-fit space-y-3 p-4">
        <h2 id="new-project-h" className="h-section">New project</h2>
        <p className="text-sm text-zinc-600">You become its owner; add colleagues as operators (they run) or viewers (they read).</p>
        <ProjectForm action={createProjectAction} mode="create" initial={{ slug: "", name: "", description: "", client: "", windowStart: null, windowEnd: null }} />
      </section>
    </div>
  );
}
