import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { FindingsTable } from "../../../../../components/findings/findings-table.tsx";
import { ServicesTable } from "../../../../../components/findings/services-table.tsx";
import { formatTime } from "../../../../../components/time.ts";
import { getHost } from "../../../../../lib/findings/assets.ts";
import { getProject } from "../../../../../lib/projects/projects.ts";
import { getViewer } from "../../../../../lib/auth/session.ts";
import { triageFindingsAction } from "../../../../actions/triage-findings.ts";
import { loadOr404, pathSegment } from "../../../../_lib/load.ts";
import { ProjectCrumbs } from "../../../../_lib/project-nav.tsx";

type Params = Promise<{ slug: string; address: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Host ${pathSegment((await params).address)}` };
}

/** One host: its services, its findings, and what each run that saw it saw (newest first). */
export default async function HostPage({ params }: { params: Params }) {
  const { slug, address: rawAddress } = await params;
  const address = pathSegment(rawAddress);
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/projects/${slug}/hosts/${rawAddress}`)}`);
  const project = await loadOr404(getProject(viewer, slug));
  const host = await loadOr404(getHost(viewer, slug, address));
  const canTriage = project.rights.includes("run");
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <ProjectCrumbs slug={slug} name={project.name} trail={[{ label: "Assets", href: `/projects/${slug}/assets` }, { label: host.address }]} />
        <h1 className="h-page font-mono break-all">{host.address}</h1>
        <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm">
          <div className="flex gap-1.5"><dt className="text-zinc-500">Names</dt><dd className="break-all">{host.names.join(", ") || "—"}</dd></div>
          <div className="flex gap-1.5"><dt className="text-zinc-500">First seen</dt><dd className="tabular-nums">{formatTime(host.firstSeen)}</dd></div>
          <div className="flex gap-1.5"><dt className="text-zinc-500">Last seen</dt><dd className="tabular-nums">{formatTime(host.lastSeen)}{host.lastRun && <> by <Link href={`/runs/${host.lastRun.id}`}>run #{host.lastRun.number}</Link></>}</dd></div>
        </dl>
      </header>

      <section aria-labelledby="services-h" className="space-y-2">
        <h2 id="services-h" className="h-section">Services ({host.services.length})</h2>
        {host.services.length ? <ServicesTable services={host.services} caption={`Services of ${host.address}`} /> : <p className="text-sm text-zinc-500">No open service seen on this host.</p>}
      </section>

      <section aria-labelledby="findings-h" className="space-y-2">
        <h2 id="findings-h" className="h-section">Findings ({host.findings.length})</h2>
        {host.findings.length ? (
          <FindingsTable slug={slug} findings={host.findings} caption={`Findings of ${host.address}`} triageAction={canTriage ? triageFindingsAction.bind(null, slug) : null} />
        ) : (
          <p className="text-sm text-zinc-500">No finding on this host or its services.</p>
        )}
      </section>

      <section aria-labelledby="timeline-h" className="space-y-2">
        <h2 id="timeline-h" className="h-section">What each run saw</h2>
        <ol className="card divide-y divide-zinc-100 text-sm" aria-label={`Runs that saw ${host.address}`}>
          {host.timeline.map((t) => (
            <li key={t.run.id} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 px-3 py-2">
              <Link href={`/runs/${t.run.id}`} className="font-mono">#{t.run.number}</Link>
              <span className="font-mono text-xs text-zinc-500">{t.run.function}</span>
              <span className="text-xs tabular-nums text-zinc-500">{formatTime(t.seenAt)}</span>
              <span className="min-w-0 basis-full break-words sm:basis-auto">
                {t.services.length ? t.services.map((s) => `${s.port}/${s.protocol}${s.state && s.state !== "open" ? ` (${s.state})` : ""}`).join(", ") : <span className="text-zinc-500">no open service</span>}
              </span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
