import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState } from "../../../../components/empty-state.tsx";
import { HostsTable } from "../../../../components/findings/hosts-table.tsx";
import { listHosts } from "../../../../lib/findings/assets.ts";
import { getProject } from "../../../../lib/projects/projects.ts";
import { hostsQuerySchema } from "../../../../lib/schemas/findings.ts";
import { getViewer } from "../../../../lib/auth/session.ts";
import { loadOr404, one, type SearchParams } from "../../../_lib/load.ts";
import { ProjectCrumbs, queryWith } from "../../../_lib/project-nav.tsx";

type Params = Promise<{ slug: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Assets · ${(await params).slug}` };
}

/** A project's hosts in address order, searchable by address, network, name or product, and by open port. */
export default async function ProjectAssetsPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { slug } = await params;
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/projects/${slug}/assets`)}`);
  const project = await loadOr404(getProject(viewer, slug));
  const sp = await searchParams;
  const raw = { q: one(sp.q), port: one(sp.port), after: one(sp.after) };
  const parsed = hostsQuerySchema.safeParse(raw);
  const query = parsed.success ? parsed.data : {};
  const problem = parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  const page = await loadOr404(listHosts(viewer, slug, query));
  const filtered = Boolean(raw.q || raw.port);
  const base = `/projects/${slug}/assets`;
  return (
    <div className="space-y-4">
      <header className="space-y-2">
        <ProjectCrumbs slug={slug} name={project.name} trail={[{ label: "Assets" }]} />
        <div className="flex flex-wrap items-end gap-3">
          <h1 className="h-page">Assets of {project.name}</h1>
          <Link href={`/projects/${slug}/findings?state=open`} className="btn ml-auto py-1 text-sm">Findings</Link>
        </div>
        <form action={base} aria-label="Search hosts" className="flex flex-wrap items-end gap-2">
          <div className="min-w-0 grow sm:grow-0">
            <label htmlFor="q" className="label text-xs">Search</label>
            <input id="q" name="q" defaultValue={raw.q} placeholder="10.0.0.0/24, a name, a product" className="input mt-0.5 sm:w-72" />
          </div>
          <div>
            <label htmlFor="port" className="label text-xs">Open port</label>
            <input id="port" name="port" inputMode="numeric" defaultValue={raw.port} placeholder="22" className="input mt-0.5 w-24" aria-invalid={problem?.includes("port") || undefined} />
          </div>
          <button type="submit" className="btn">Search</button>
          {filtered && <Link href={base} className="btn">Clear</Link>}
        </form>
        {problem && <p role="alert" className="field-error">{problem}</p>}
      </header>
      {page.items.length ? (
        <HostsTable slug={slug} hosts={page.items} caption={`Hosts of ${project.name}`} />
      ) : filtered ? (
        <EmptyState title="No host matches" action={<Link href={base} className="btn">Clear the search</Link>} />
      ) : (
        <EmptyState title="No assets in this project yet">Run a scan here whose package maps its results to assets (the nmap example&apos;s port scan does): the hosts and services it sees are listed here.</EmptyState>
      )}
      {(raw.after || page.next) && (
        <nav aria-label="Host pages" className="flex justify-end gap-2 text-sm">
          {raw.after && <Link className="btn" href={`${base}${queryWith({ q: raw.q, port: raw.port }, {})}`}>First hosts</Link>}
          {page.next && <Link className="btn" href={`${base}${queryWith({ q: raw.q, port: raw.port }, { after: page.next })}`} rel="next">Next hosts</Link>}
        </nav>
      )}
    </div>
  );
}
