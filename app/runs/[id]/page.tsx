import type { Metadata } from "next";
import { isTypedRef } from "../../../runner/src/index.ts";
import Link from "next/link";
import { redirect } from "next/navigation";
import { cache, Suspense } from "react";
import { argValueText } from "../../../components/args-text.ts";
import { StoredDocuments } from "../../../components/json-view.tsx";
import { RunLive } from "../../../components/run-live.tsx";
import { formatTime } from "../../../components/time.ts";
import { scopeLine } from "../../../components/projects/scope-summary.tsx";
import { RunScopeReportView } from "../../../components/run-scope-report.tsx";
import { runDocumentsPage } from "../../../lib/results/documents.ts";
import { getRun } from "../../../lib/runs/index.ts";
import { debugAvailability } from "../../../lib/debug/sessions.ts";
import type { RunDetail } from "../../../lib/types.ts";
import { getViewer } from "../../../lib/auth/session.ts";
import { cancelRunAction } from "../../actions/cancel-run.ts";
import { RunRerunControls } from "../../../components/scan-run-controls.tsx";
import { runOrigin } from "../../../lib/scans/rerun.ts";
import { rerunAction } from "../../actions/rerun.ts";
import { saveRunAsScanAction } from "../../actions/scans.ts";
import { loadOr404, one, pathSegment, type SearchParams } from "../../_lib/load.ts";
import { SincePrevious } from "./since-previous.tsx";
import { ReportForm } from "../../../components/report-form.tsx";
import { mappedDocuments } from "./mapped-documents.ts";

type Params = Promise<{ id: string }>;

/** The run as the viewer may see it (id or number), once per request for the title and the page; null without a session. */
const runFor = cache(async (ref: string): Promise<RunDetail | null> => {
  const viewer = await getViewer();
  return viewer ? loadOr404(getRun(viewer, ref)) : null;
});

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const run = await runFor(pathSegment((await params).id));
  return { title: run ? `Run #${run.number} · ${run.function}` : "Run" };
}

/** Documents per page of the run's stored documents (`?after=` continues; the results browser has all). */
const DOCUMENTS_PAGE = 50;

export default async function RunPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/runs/${id}`)}`);
  // `/runs/<id>` or `/runs/<number>`: the run as the viewer may see it, by its id from here on
  const run = (await runFor(pathSegment(id)))!;
  const after = one((await searchParams).after);
  const page = await loadOr404(runDocumentsPage(viewer, run.id, { after: after && /^\d{1,18}$/.test(after) ? after : undefined, limit: DOCUMENTS_PAGE }));
  // documents whose collection maps to assets show as tables (host, port, state, service) above their JSON
  const documents = await mappedDocuments(run.id, page.items);
  const origin = await loadOr404(runOrigin(viewer, run.id));
  const debug = run.endedAt === null ? await loadOr404(debugAvailability(viewer, run.id)) : null;
  const ended = run.endedAt !== null;
  const [ns, name] = run.package.split(".");
  const args = Object.entries(run.args);
  return (
    <div className="space-y-5">
      <header>
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link href="/runs">Runs</Link> <span aria-hidden>/</span> #{run.number}
        </nav>
        <h1 className="h-page mt-1">
          <span className="font-mono">{run.function}</span> <span className="font-normal text-zinc-500">of</span>{" "}
          <Link href={`/p/${ns}/${name}?v=${encodeURIComponent(run.packageVersion)}`}>{run.package}</Link>{" "}
          <span className="font-mono text-sm font-normal text-zinc-500">v{run.packageVersion}</span>
        </h1>
        <dl className="mt-2 flex flex-wrap gap-x-6 gap-y-1 text-sm">
          <div className="flex gap-1.5"><dt className="text-zinc-500">Run</dt><dd className="font-mono">#{run.number}</dd></div>
          <div className="flex gap-1.5"><dt className="text-zinc-500">Project</dt><dd><Link href={`/projects/${run.project.slug}`}>{run.project.name}</Link>{run.project.personal && <span className="text-zinc-500"> (personal)</span>}</dd></div>
          <div className="flex gap-1.5"><dt className="text-zinc-500">Owner</dt><dd>{run.owner}</dd></div>
          {run.device && <div className="flex gap-1.5"><dt className="text-zinc-500">Runs</dt><dd>on device <span className="font-medium">{run.device}</span></dd></div>}
          <div className="flex gap-1.5"><dt className="text-zinc-500">Created</dt><dd className="tabular-nums">{formatTime(run.createdAt)}</dd></div>
          <div className="flex gap-1.5"><dt className="text-zinc-500">Ended</dt><dd className="tabular-nums">{formatTime(run.endedAt)}</dd></div>
          {origin.trigger !== "manual" && <div className="flex gap-1.5"><dt className="text-zinc-500">Started by</dt><dd>{origin.trigger === "rerun" ? "a re-run" : "its schedule"}</dd></div>}
          {origin.scan && <div className="flex gap-1.5"><dt className="text-zinc-500">Scan</dt><dd><Link href={`/scans/${origin.scan.id}`}>{origin.scan.name}</Link></dd></div>}
          {run.scope && (
            <div className="flex gap-1.5" data-testid="run-scope">
              <dt className="text-zinc-500">Scope</dt>
              <dd className="break-words"><span className="font-mono text-xs">{scopeLine(run.scope)}</span></dd>
            </div>
          )}
          {run.exitCode !== null && <div className="flex gap-1.5"><dt className="text-zinc-500">Exit code</dt><dd className="font-mono">{run.exitCode}</dd></div>}
        </dl>
        {run.scope && (
          <div className="mt-2">
            <RunScopeReportView report={run.scopeReport} ended={ended} />
          </div>
        )}
        {ended && (
          <div className="mt-2">
            <Suspense fallback={<p className="text-sm text-zinc-500">Comparing with the previous run…</p>}>
              <SincePrevious viewer={viewer} runId={run.id} slug={run.project.slug} />
            </Suspense>
          </div>
        )}
        {args.length > 0 && (
          <div className="mt-2 flex flex-wrap gap-1.5 text-xs" aria-label="Arguments">
            {args.map(([k, v]) => (
              <code key={k} className="max-w-full break-all rounded border border-zinc-200 bg-white px-1.5 py-0.5">
                {k}={isTypedRef(v, "secret") ? <span title="the tool received its value; the run keeps only its name">secret {run.secretNames[v.id] ?? v.id}</span> : argValueText(v, run.files)}
              </code>
            ))}
          </div>
        )}
        {ended && (
          <div className="mt-3">
            <ReportForm action={`/api/runs/${encodeURIComponent(run.id)}/report`} what={`run #${run.number}`} evidenceHref={`/api/runs/${encodeURIComponent(run.id)}/evidence`} />
          </div>
        )}
        {run.canRun && (
          <div className="mt-3">
            <RunRerunControls
              rerunAction={rerunAction.bind(null, run.id, false)}
              rerunLatestAction={origin.newerVersion ? rerunAction.bind(null, run.id, true) : null}
              editHref={`/p/${ns}/${name}/run/${encodeURIComponent(run.function)}?v=${encodeURIComponent(run.packageVersion)}&rerun=${encodeURIComponent(run.id)}`}
              saveAction={saveRunAsScanAction.bind(null, run.id)}
            />
          </div>
        )}
      </header>

      <RunLive
        eventsUrl={`/api/runs/${encodeURIComponent(run.id)}/events`}
        initial={{ status: run.status, progress: run.progress, tasks: run.tasks, logs: run.logs, error: run.error, queuePosition: run.queuePosition, worker: run.worker, deviceWait: run.deviceWait, waitsFor: run.waitsFor }}
        cancelAction={run.canCancel ? cancelRunAction.bind(null, run.id) : null}
        debug={debug ? { runId: run.id, availability: debug } : null}
      />

      <section aria-label="Stored documents" className="space-y-2">
        <div className="flex items-baseline justify-between gap-2">
          <h2 className="h-section">Stored documents</h2>
          <Link href={`/results?run=${run.number}`} className="text-sm">Results of this run in the browser</Link>
        </div>
        <StoredDocuments documents={documents} ended={ended} />
        {(after || page.next) && (
          <nav aria-label="Document pages" className="flex justify-end gap-2 text-sm">
            {after && <Link className="btn" href={`/runs/${encodeURIComponent(run.id)}`}>First documents</Link>}
            {page.next && <Link className="btn" href={`/runs/${encodeURIComponent(run.id)}?after=${page.next}`}>Next {DOCUMENTS_PAGE} documents</Link>}
          </nav>
        )}
      </section>
    </div>
  );
}
