import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RetentionForm } from "../../../components/retention-form.tsx";
import { RETENTION_LABELS } from "../../../components/retention-labels.ts";
import { getViewer } from "../../../lib/auth/session.ts";
import { getSettings } from "../../../lib/platform/settings.ts";
import { RETENTION_DAYS, RETENTION_KINDS } from "../../../lib/platform/retention-settings.ts";
import { retentionPlan } from "../../../lib/retention/retention.ts";
import { RETENTION_CRON } from "../../../lib/retention/schedule.ts";
import { updateRetentionAction } from "../../actions/retention.ts";
import { adminPageMetadata } from "../../_lib/titles.ts";

export const generateMetadata = (): Promise<Metadata> => adminPageMetadata("Retention");
export const dynamic = "force-dynamic";

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");

export default async function RetentionPage() {
  const viewer = await getViewer();
  if (viewer?.role !== "admin") notFound();
  const [settings, plan] = await Promise.all([getSettings(), retentionPlan()]);
  return (
    <div className="mx-auto max-w-5xl space-y-8">
      <div>
        <h1 className="h-page">Retention</h1>
        <p className="mt-1 text-sm text-zinc-600">
          How long the hub keeps each kind of data. A daily job (<code>{RETENTION_CRON}</code> UTC) deletes what is older; <code>npm run retention -- --dry-run</code> prints the preview
          below. Runs still queued or running are never touched; documents that open findings cite are kept. Every deletion is audited with its counts.
        </p>
      </div>
      <section aria-labelledby="ret-settings-h" className="space-y-2">
        <h2 id="ret-settings-h" className="h-section">Settings</h2>
        <RetentionForm settings={settings.retention} bounds={RETENTION_DAYS} action={updateRetentionAction} />
      </section>
      <section aria-labelledby="ret-preview-h" className="space-y-2">
        <h2 id="ret-preview-h" className="h-section">Preview</h2>
        <p className="text-sm text-zinc-600">What the job would delete if it ran now ({plan.at.slice(0, 16).replace("T", " ")} UTC).</p>
        <div className="card overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="text-left text-zinc-500">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Kind</th>
                <th scope="col" className="px-3 py-2 font-medium">Older than</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Would delete</th>
                <th scope="col" className="px-3 py-2 font-medium">Oldest</th>
              </tr>
            </thead>
            <tbody>
              {RETENTION_KINDS.map((k) => (
                <tr key={k} className="border-t border-zinc-100">
                  <th scope="row" className="px-3 py-2 text-left font-medium">{RETENTION_LABELS[k].label}</th>
                  <td className="whitespace-nowrap px-3 py-2">{plan.cutoffs[k] ? day(plan.cutoffs[k]) : "kept for ever"}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{plan.cutoffs[k] ? plan.kinds[k].count : "—"}</td>
                  <td className="whitespace-nowrap px-3 py-2">{day(plan.kinds[k].oldest)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {plan.kept.length > 0 && (
          <ul className="text-sm text-zinc-600">
            {plan.kept.map((k) => (
              <li key={k.reason}>
                Kept: the documents of {k.runs} run{k.runs === 1 ? "" : "s"} ({k.reason}).
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
