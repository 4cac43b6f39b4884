import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { argValueText } from "../../../components/args-text.ts";
import { ScanButtons } from "../../../components/scan-table.tsx";
import { StatusBadge } from "../../../components/status-badge.tsx";
import { formatTime, formatTimeIn } from "../../../components/time.ts";
import { getScan } from "../../../lib/scans/scans.ts";
import type { ScanDetail } from "../../../lib/scans/types.ts";
import { cache } from "react";
import { getViewer } from "../../../lib/auth/session.ts";
import { deleteScanAction, runScanNowAction, setScanEnabledAction } from "../../actions/scans.ts";
import { loadOr404 } from "../../_lib/load.ts";

type Params = Promise<{ id: string }>;

/** The scan as the viewer may see it, once per request for the title and the page; null without a session. */
const scanFor = cache(async (id: string): Promise<ScanDetail | null> => {
  const viewer = await getViewer();
  return viewer ? loadOr404(getScan(viewer, id)) : null;
});

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const scan = await scanFor((await params).id);
  return { title: scan ? `Scan ${scan.name}` : "Scan" };
}

const TRIGGER_LABEL = { manual: "by hand", schedule: "schedule", rerun: "re-run" } as const;

export default async function ScanPage({ params }: { params: Params }) {
  const { id } = await params;
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/scans/${id}`)}`);
  const scan = (await scanFor(id))!;
  const [ns, name] = scan.package.split(".");
  const args = Object.entries(scan.args);
  return (
    <div className="space-y-5">
      <header>
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link href="/scans">Scans</Link> <span aria-hidden>/</span> {scan.name}
        </nav>
        <h1 className="h-page mt-1">
          {scan.name}
          {!scan.enabled && <span className="ml-2 rounded border border-zinc-300 px-1.5 text-xs font-normal text-zinc-500">disabled</span>}
        </h1>
        <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          <dt className="text-zinc-500">Runs</dt>
          <dd>
            <span className="font-mono">{scan.function}</span> of <Link href={`/p/${ns}/${name}`}>{scan.package}</Link>{" "}
            <span className="font-mono text-xs text-zinc-500">{scan.version ?? "latest version"}</span>
          </dd>
          <dt className="text-zinc-500">Schedule</dt>
          <dd>
            {scan.cron ? (
              <>
                {scan.schedule} <code className="text-xs">{scan.cron}</code> <span className="text-xs text-zinc-500">({scan.timezone})</span>
              </>
            ) : (
              "none: runs by hand"
            )}
          </dd>
          <dt className="text-zinc-500">Next run</dt>
          <dd className="tabular-nums" title={scan.nextRunAt ? `${formatTime(scan.nextRunAt)} UTC` : undefined}>
            {scan.nextRunAt ? formatTimeIn(scan.nextRunAt, scan.timezone) : scan.cron ? "— (disabled)" : "—"}
          </dd>
          <dt className="text-zinc-500">Project</dt>
          <dd>
            <Link href={`/projects/${scan.project.slug}`}>{scan.project.name}</Link>
          </dd>
          <dt className="text-zinc-500">Created by</dt>
          <dd>{scan.owner} <span className="text-xs text-zinc-500">(it runs as them)</span></dd>
        </dl>
        {args.length > 0 && (
          <div className="mt-2 flex flex-wrap gap-1.5 text-xs" aria-label="Arguments">
            {args.map(([k, v]) => (
              <code key={k} className="max-w-full break-all rounded border border-zinc-200 bg-white px-1.5 py-0.5">
                {k}={argValueText(v, scan.files)}
              </code>
            ))}
          </div>
        )}
        {scan.lastError && (
          <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            The last firing ({formatTime(scan.lastError.at)}) started nothing: {scan.lastError.message}
            {!scan.enabled && " The scan was disabled; enable it again once what it needs is back."}
          </p>
        )}
        <div className="mt-3">
          <ScanButtons scan={scan} actions={{ runNow: runScanNowAction, setEnabled: setScanEnabledAction, remove: deleteScanAction }} />
        </div>
      </header>

      <section aria-labelledby="history-h" className="space-y-2">
        <h2 id="history-h" className="h-section">History</h2>
        {scan.runs.length === 0 ? (
          <p className="text-sm text-zinc-500">No runs yet.</p>
        ) : (
          <div className="card overflow-x-auto">
            <table className="table-dense">
              <caption className="sr-only">Runs of this scan</caption>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started by</th>
                  <th scope="col">Version</th>
                  <th scope="col">Created ({scan.timezone})</th>
                  <th scope="col">Ended</th>
                </tr>
              </thead>
              <tbody>
                {scan.runs.map((r) => (
                  <tr key={r.id}>
                    <td className="font-mono text-xs"><Link href={`/runs/${r.id}`}>#{r.number}</Link></td>
                    <td><StatusBadge status={r.status} /></td>
                    <td>{TRIGGER_LABEL[r.trigger]}</td>
                    <td className="font-mono text-xs">{r.packageVersion}</td>
                    <td className="whitespace-nowrap tabular-nums" title={`${formatTime(r.createdAt)} UTC`}>{formatTimeIn(r.createdAt, scan.timezone, { named: false })}</td>
                    <td className="whitespace-nowrap tabular-nums" title={r.endedAt ? `${formatTime(r.endedAt)} UTC` : undefined}>{r.endedAt ? formatTimeIn(r.endedAt, scan.timezone, { named: false }) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
