import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RetentionForm } from "../../../components/retention-form.tsx";
import { getViewer } from "../../../lib/auth/session.ts";
import { getSettings } from "../../../lib/platform/settings.ts";
import { RETENTION_DAYS } from "../../../lib/platform/settings-bounds.ts";
import { setRetentionAction } from "../../actions/retention.ts";
import { adminPageMetadata } from "../../_lib/titles.ts";

export const generateMetadata = (): Promise<Metadata> => adminPageMetadata("Retention");
export const dynamic = "force-dynamic";

/** Admin → Retention: how long the hub keeps its records (the audit trail). */
export default async function RetentionPage() {
  const viewer = await getViewer();
  if (viewer?.role !== "admin") notFound();
  const settings = await getSettings();
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <h1 className="h-page">Retention</h1>
        <p className="mt-1 text-sm text-zinc-600">How long the hub keeps its records. The janitor deletes what is older once an hour.</p>
      </div>
      <section aria-labelledby="audit-retention-h" className="space-y-2">
        <h2 id="audit-retention-h" className="h-section">Audit trail</h2>
        <RetentionForm auditDays={settings.retention.auditDays} bounds={RETENTION_DAYS} action={setRetentionAction} />
      </section>
    </div>
  );
}
