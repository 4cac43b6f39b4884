import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { ActionButton } from "../../../../components/action-problem.tsx";
import { DeliveryLog, ruleSummary } from "../../../../components/notify/delivery-log.tsx";
import { NotifyRuleForm, NotifyTestButton } from "../../../../components/notify/rule-form.tsx";
import { getViewer } from "../../../../lib/auth/session.ts";
import { listProjectDeliveries, listProjectRules } from "../../../../lib/notify/rules.ts";
import { getProject } from "../../../../lib/projects/projects.ts";
import { createNotifyRuleAction, deleteNotifyRuleAction, testNotifyRuleAction } from "../../../actions/notify.ts";
import { loadOr404 } from "../../../_lib/load.ts";

type Params = Promise<{ slug: string }>;

export const metadata: Metadata = { title: "Notifications" };

/** A project's notification rules and delivery log (owners and admins; anyone else finds no page). */
export default async function ProjectNotificationsPage({ params }: { params: Params }) {
  const { slug } = await params;
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/projects/${slug}/notifications`)}`);
  const project = await loadOr404(getProject(viewer, slug));
  if (!project.rights.includes("manage")) notFound();
  const [rules, deliveries] = await Promise.all([listProjectRules(viewer, slug), listProjectDeliveries(viewer, slug, 100)]);
  return (
    <div className="max-w-5xl space-y-6">
      <header>
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link href="/projects">Projects</Link> <span aria-hidden>/</span> <Link href={`/projects/${slug}`}>{project.name}</Link> <span aria-hidden>/</span> notifications
        </nav>
        <h1 className="h-page mt-1">Notifications of {project.name}</h1>
      </header>

      <section aria-labelledby="rules-h" className="card space-y-3 p-4">
        <h2 id="rules-h" className="h-section">Rules</h2>
        <p className="text-sm text-zinc-600">
          Webhooks and Slack URLs must be https and public; hosts on your own network need the admin&apos;s allow-list. Failed deliveries are retried for about 3.5 hours; runs never wait for them.
        </p>
        {rules.length ? (
          <ul className="divide-y text-sm">
            {rules.map((r) => (
              <li key={r.id} className="flex flex-wrap items-start justify-between gap-2 py-2">
                <div>
                  <span className="font-medium">{r.name}</span> <span className="badge">{r.channel}</span> → <span className="break-all font-mono text-xs">{r.target}</span>
                  <div className="text-xs text-zinc-500">{ruleSummary(r)}</div>
                </div>
                <div className="flex gap-2">
                  <NotifyTestButton action={testNotifyRuleAction.bind(null, slug)} id={r.id} name={r.name} />
                  <ActionButton action={deleteNotifyRuleAction.bind(null, slug)} fields={{ id: r.id }} ariaLabel={`Delete rule ${r.name}`} className="btn py-0.5 text-xs text-red-700">
                    Delete
                  </ActionButton>
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-zinc-500">No rules yet.</p>
        )}
        <NotifyRuleForm action={createNotifyRuleAction.bind(null, slug)} />
      </section>

      <section aria-labelledby="log-h" className="card space-y-3 p-4">
        <h2 id="log-h" className="h-section">Delivery log</h2>
        <DeliveryLog deliveries={deliveries} />
      </section>
    </div>
  );
}
