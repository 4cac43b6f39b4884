import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AuditTable } from "../../components/audit-table.tsx";
import { EmptyState } from "../../components/empty-state.tsx";
import { auditScopeOf, listAudit } from "../../lib/audit/trail.ts";
import type { AuditPage } from "../../lib/audit/types.ts";
import { getViewer } from "../../lib/auth/session.ts";
import { AUDIT_ACTIONS, AUDIT_ACTION_GROUPS } from "../../lib/platform/audit-actions.ts";
import { listProjects } from "../../lib/projects/projects.ts";
import { AUDIT_EXPORT_FORMATS, auditQuerySchema } from "../../lib/schemas/audit.ts";
import { one, type SearchParams } from "../_lib/load.ts";

export const metadata: Metadata = { title: "Audit" };
export const dynamic = "force-dynamic";

const FILTER_KEYS = ["actor", "action", "project", "target", "from", "to"] as const;
const PAGE_SIZE = 50;

function queryString(values: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) p.set(k, v);
  return p.toString();
}

/**
 * The audit trail people read: who did what, to what, in which project and when — runs with their
 * arguments, grants, membership changes, secret use, exports and downloads, sign-ins. Admins see
 * every event; everyone else the events of the projects they own. Filters, pages newest first,
 * and the whole filtered trail as CSV or JSON.
 */
export default async function AuditPageView({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const raw = Object.fromEntries([...FILTER_KEYS, "before"].map((k) => [k, one(sp[k])?.slice(0, 200)]));
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/audit?${queryString(raw)}`)}`);
  const filterValues = Object.fromEntries(FILTER_KEYS.map((k) => [k, raw[k]])) as Record<(typeof FILTER_KEYS)[number], string | undefined>;
  const parsed = auditQuerySchema.safeParse({ ...filterValues, before: raw.before, limit: String(PAGE_SIZE) });
  let error: string | null = null;
  let page: AuditPage = { items: [], next: null };
  if (!parsed.success) error = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  else {
    const { before, limit, ...filter } = parsed.data;
    page = await listAudit(viewer, filter, { before, limit });
  }
  const scope = await auditScopeOf(viewer);
  const projects = (await listProjects(viewer, { all: scope.all })).filter((p) => scope.all || scope.projectIds.includes(p.id));
  const filterQuery = queryString(filterValues);
  return (
    <div className="space-y-5">
      <header>
        <h1 className="h-page">Audit</h1>
        <p className="mt-1 text-sm text-zinc-600">
          {scope.all
            ? "Every event of the hub: sign-ins, grants and settings, and every project's runs, members, secrets and exports."
            : "The events of the projects you own: runs with their arguments, members, secrets used, exports."}{" "}
          A secret is named here, never shown.
        </p>
      </header>

      <form method="get" action="/audit" className="card grid gap-3 p-4 sm:grid-cols-3" aria-label="Filter the audit trail">
        <div>
          <label htmlFor="audit-actor" className="label">Who (user name)</label>
          <input id="audit-actor" name="actor" defaultValue={filterValues.actor} className="input mt-1" autoComplete="off" />
        </div>
        <div>
          <label htmlFor="audit-action" className="label">What</label>
          <select id="audit-action" name="action" defaultValue={filterValues.action ?? ""} className="input mt-1">
            <option value="">any action</option>
            {AUDIT_ACTION_GROUPS.map((g) => (
              <optgroup key={g} label={g}>
                <option value={g}>every {g} action</option>
                {Object.entries(AUDIT_ACTIONS)
                  .filter(([a]) => a.split(".")[0] === g)
                  .map(([a, label]) => (
                    <option key={a} value={a}>{label}</option>
                  ))}
              </optgroup>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="audit-project" className="label">Project</label>
          <select id="audit-project" name="project" defaultValue={filterValues.project ?? ""} className="input mt-1">
            <option value="">{scope.all ? "any, or none" : "any of yours"}</option>
            {projects.map((p) => (
              <option key={p.slug} value={p.slug}>{p.name}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="audit-target" className="label">Target (exactly)</label>
          <input id="audit-target" name="target" defaultValue={filterValues.target} className="input mt-1 font-mono" placeholder="a run id, a secret id, ns.name" autoComplete="off" />
        </div>
        <div>
          <label htmlFor="audit-from" className="label">From (UTC day or time)</label>
          <input id="audit-from" name="from" defaultValue={filterValues.from} className="input mt-1 font-mono" placeholder="2026-12-01" autoComplete="off" />
        </div>
        <div>
          <label htmlFor="audit-to" className="label">To (that day included)</label>
          <input id="audit-to" name="to" defaultValue={filterValues.to} className="input mt-1 font-mono" placeholder="2026-12-31" autoComplete="off" />
        </div>
        <div className="flex flex-wrap items-center gap-2 sm:col-span-3">
          <button type="submit" className="btn btn-primary">Filter</button>
          <Link href="/audit" className="btn">Clear</Link>
          <span className="text-sm text-zinc-600">Export what matches:</span>
          {AUDIT_EXPORT_FORMATS.map((f) => (
            <a key={f} href={`/api/audit/export?${queryString({ ...filterValues, format: f })}`} className="btn" download>
              {f.toUpperCase()}
            </a>
          ))}
        </div>
      </form>

      {error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      {!error && page.items.length === 0 ? (
        <EmptyState title="No events">{filterQuery ? "Nothing matches these filters." : "Nothing recorded yet in what you may see."}</EmptyState>
      ) : (
        <AuditTable events={page.items} />
      )}
      {page.next && (
        <p>
          <Link href={`/audit?${queryString({ ...filterValues, before: page.next })}`} className="btn">Older events</Link>
        </p>
      )}
    </div>
  );
}
