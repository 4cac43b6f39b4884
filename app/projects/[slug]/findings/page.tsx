import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState } from "../../../../components/empty-state.tsx";
import { SeverityBadge } from "../../../../components/findings/badges.tsx";
import { FindingsTable } from "../../../../components/findings/findings-table.tsx";
import { listFindings } from "../../../../lib/findings/findings.ts";
import { getProject } from "../../../../lib/projects/projects.ts";
import { findingsQuerySchema } from "../../../../lib/schemas/findings.ts";
import { FINDING_SEVERITIES, FINDING_STATES, STATE_LABELS } from "../../../../lib/schemas/finding-vocabulary.ts";
import { getViewer } from "../../../../lib/auth/session.ts";
import { triageFindingsAction } from "../../../actions/triage-findings.ts";
import { loadOr404, one, type SearchParams } from "../../../_lib/load.ts";
import { ProjectCrumbs, queryWith } from "../../../_lib/project-nav.tsx";

type Params = Promise<{ slug: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Findings · ${(await params).slug}` };
}

/** A project's findings, worst first: severity chips, a state and a tool filter, bulk triage for operators. */
export default async function ProjectFindingsPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { slug } = await params;
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/projects/${slug}/findings`)}`);
  const project = await loadOr404(getProject(viewer, slug));
  const sp = await searchParams;
  const raw = { severity: one(sp.severity), state: one(sp.state), tool: one(sp.tool), after: one(sp.after) };
  const parsed = findingsQuerySchema.safeParse(raw);
  const problem = parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  const page = await loadOr404(listFindings(viewer, slug, parsed.success ? parsed.data : {}));
  const base = `/projects/${slug}/findings`;
  const kept = { severity: raw.severity, state: raw.state, tool: raw.tool };
  const href = (changes: Record<string, string | undefined>) => `${base}${queryWith(kept, { ...changes, after: undefined })}`;
  const chosen = new Set(parsed.success ? (parsed.data.severity ?? []) : []);
  const toggled = (s: string) => {
    const next = chosen.has(s as never) ? [...chosen].filter((x) => x !== s) : [...chosen, s];
    return next.length ? next.join(",") : undefined;
  };
  const stateChoices: { value: string | undefined; label: string }[] = [{ value: undefined, label: "any state" }, { value: "open", label: "open (new, confirmed)" }, ...FINDING_STATES.map((s) => ({ value: s, label: STATE_LABELS[s] }))];
  const total = Object.values(page.counts.state).reduce((a, b) => a + b, 0);
  return (
    <div className="space-y-4">
      <header className="space-y-3">
        <ProjectCrumbs slug={slug} name={project.name} trail={[{ label: "Findings" }]} />
        <div className="flex flex-wrap items-end gap-3">
          <h1 className="h-page">Findings of {project.name}</h1>
          <Link href={`/projects/${slug}/assets`} className="btn ml-auto py-1 text-sm">Assets</Link>
        </div>
        <nav aria-label="Severity" className="flex flex-wrap gap-1.5">
          {[...FINDING_SEVERITIES].reverse().map((s) => (
            <Link key={s} href={href({ severity: toggled(s) })} aria-current={chosen.has(s) ? "true" : undefined} className={`inline-flex items-center gap-1.5 rounded-full border px-2 py-0.5 text-sm hover:no-underline ${chosen.has(s) ? "border-zinc-800 ring-1 ring-zinc-800" : "border-zinc-200"}`}>
              <SeverityBadge severity={s} />
              <span className="tabular-nums text-zinc-700">{page.counts.severity[s]}</span>
            </Link>
          ))}
        </nav>
        <form action={base} aria-label="Filter findings" className="flex flex-wrap items-end gap-2">
          {raw.severity && <input type="hidden" name="severity" value={raw.severity} />}
          <div>
            <label htmlFor="state" className="label text-xs">State</label>
            <select id="state" name="state" defaultValue={raw.state ?? ""} className="input mt-0.5 w-52">
              {stateChoices.map((c) => (
                <option key={c.label} value={c.value ?? ""}>{c.label}{c.value && c.value !== "open" ? ` (${page.counts.state[c.value as keyof typeof page.counts.state]})` : ""}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="tool" className="label text-xs">Tool</label>
            <select id="tool" name="tool" defaultValue={raw.tool ?? ""} className="input mt-0.5 w-56">
              <option value="">any tool</option>
              {page.counts.tools.map((t) => (
                <option key={t.tool} value={t.tool}>{t.tool} ({t.count})</option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn">Filter</button>
          {(raw.severity || raw.state || raw.tool) && <Link href={base} className="btn">Clear</Link>}
        </form>
        {problem && <p role="alert" className="field-error">{problem}</p>}
      </header>
      {page.items.length ? (
        <FindingsTable slug={slug} findings={page.items} caption={`Findings of ${project.name}`} triageAction={project.rights.includes("run") ? triageFindingsAction.bind(null, slug) : null} />
      ) : total ? (
        <EmptyState title="No finding matches these filters" action={<Link href={base} className="btn">Clear filters</Link>} />
      ) : (
        <EmptyState title="No findings in this project yet">Findings come from runs whose package maps its results to findings; each is kept once per asset and seen again by later runs.</EmptyState>
      )}
      {(raw.after || page.next) && (
        <nav aria-label="Finding pages" className="flex justify-end gap-2 text-sm">
          {raw.after && <Link className="btn" href={href({})}>First findings</Link>}
          {page.next && <Link className="btn" rel="next" href={`${base}${queryWith(kept, { after: page.next })}`}>Next findings</Link>}
        </nav>
      )}
    </div>
  );
}
