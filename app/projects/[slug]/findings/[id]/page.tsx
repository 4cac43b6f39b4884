import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { CodeBlock } from "../../../../../components/code-block.tsx";
import { SeverityBadge, StateBadge } from "../../../../../components/findings/badges.tsx";
import { TriageForm } from "../../../../../components/findings/findings-table.tsx";
import { hostHref } from "../../../../../components/findings/hosts-table.tsx";
import { formatTime } from "../../../../../components/time.ts";
import { getFinding } from "../../../../../lib/findings/findings.ts";
import { getProject } from "../../../../../lib/projects/projects.ts";
import { STATE_LABELS } from "../../../../../lib/schemas/finding-vocabulary.ts";
import { getViewer } from "../../../../../lib/auth/session.ts";
import { triageFindingsAction } from "../../../../actions/triage-findings.ts";
import { loadOr404 } from "../../../../_lib/load.ts";
import { ProjectCrumbs } from "../../../../_lib/project-nav.tsx";

type Params = Promise<{ slug: string; id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Finding ${(await params).id}` };
}

/** One finding: what it is about, the evidence each run kept (with the document and field it came from), and its triage history. */
export default async function FindingPage({ params }: { params: Params }) {
  const { slug, id } = await params;
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/projects/${slug}/findings/${id}`)}`);
  const project = await loadOr404(getProject(viewer, slug));
  const f = await loadOr404(getFinding(viewer, slug, id));
  return (
    <div className="space-y-6">
      <header className="space-y-2">
        <ProjectCrumbs slug={slug} name={project.name} trail={[{ label: "Findings", href: `/projects/${slug}/findings` }, { label: `#${f.id}` }]} />
        <h1 className="h-page break-words">{f.title}</h1>
        <div className="flex flex-wrap items-center gap-2">
          <SeverityBadge severity={f.severity} />
          <StateBadge state={f.state} />
          {f.stateBy && <span className="text-xs text-zinc-500">by {f.stateBy}, {formatTime(f.stateAt)}</span>}
        </div>
        <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_minmax(0,1fr)]">
          <dt className="text-zinc-500">Asset</dt>
          <dd className="break-all font-mono text-[13px]">
            {f.asset ? f.asset.address ? <Link href={hostHref(slug, f.asset.address)}>{f.asset.label}</Link> : f.asset.label : <span className="font-sans">the project</span>}
          </dd>
          <dt className="text-zinc-500">Key</dt>
          <dd className="break-all font-mono text-xs">{f.key}</dd>
          <dt className="text-zinc-500">Found by</dt>
          <dd className="break-words">{f.tool} <span className="font-mono text-xs text-zinc-500">{f.function}</span> · <span className="font-mono text-xs">{f.schema}</span></dd>
          <dt className="text-zinc-500">First seen</dt>
          <dd className="tabular-nums">{formatTime(f.firstSeen)}{f.firstRun && <> by <Link href={`/runs/${f.firstRun.id}`}>run #{f.firstRun.number}</Link></>}</dd>
          <dt className="text-zinc-500">Last seen</dt>
          <dd className="tabular-nums">{formatTime(f.lastSeen)}{f.lastRun && <> by <Link href={`/runs/${f.lastRun.id}`}>run #{f.lastRun.number}</Link></>}</dd>
          {f.note && (
            <>
              <dt className="text-zinc-500">Note</dt>
              <dd className="whitespace-pre-line break-words">{f.note}</dd>
            </>
          )}
        </dl>
      </header>

      {f.canTriage && (
        <section aria-labelledby="triage-h" className="space-y-2">
          <h2 id="triage-h" className="h-section">Triage</h2>
          <TriageForm id={f.id} current={f.state} triageAction={triageFindingsAction.bind(null, slug)} />
        </section>
      )}

      <section aria-labelledby="evidence-h" className="space-y-2">
        <h2 id="evidence-h" className="h-section">Evidence ({f.evidence.length})</h2>
        <ul className="space-y-3">
          {f.evidence.map((e) => (
            <li key={`${e.run.id}-${e.coll}-${e.task}-${e.path}`} className="card space-y-1.5 p-3 text-sm" aria-label={`Evidence from run #${e.run.number}`}>
              <div className="flex flex-wrap gap-x-3 gap-y-1">
                <Link href={`/runs/${e.run.id}`} className="font-mono">run #{e.run.number}</Link>
                <span className="text-xs tabular-nums text-zinc-500">{formatTime(e.seenAt)}</span>
                <span className="min-w-0 break-all font-mono text-xs">{e.coll} · task {e.task} · <span aria-label="Field">{e.path || "(the whole document)"}</span></span>
                {e.documentId ? (
                  <Link href={`/results?run=${e.run.number}&coll=${encodeURIComponent(e.coll)}`} className="text-xs">the document</Link>
                ) : (
                  <span className="text-xs text-zinc-500">document no longer stored</span>
                )}
              </div>
              <CodeBlock code={e.excerpt} language="json" label={`Evidence value at ${e.path || "the document"}`} />
              <div className="break-all font-mono text-[11px] text-zinc-500">sha256 {e.sha256}</div>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="history-h" className="space-y-2">
        <h2 id="history-h" className="h-section">History</h2>
        <ol className="card divide-y divide-zinc-100 text-sm" aria-label="State history">
          {f.history.map((h, i) => (
            <li key={i} className="flex flex-wrap gap-x-3 gap-y-1 px-3 py-2">
              <span className="text-xs tabular-nums text-zinc-500">{formatTime(h.at)}</span>
              <span>{h.from ? `${STATE_LABELS[h.from]} → ${STATE_LABELS[h.to]}` : STATE_LABELS[h.to]}</span>
              <span className="text-zinc-600">{h.by ? `by ${h.by}` : h.run ? <>by <Link href={`/runs/${h.run.id}`}>run #{h.run.number}</Link></> : ""}</span>
              {h.note && <span className="min-w-0 basis-full break-words text-zinc-700">{h.note}</span>}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
