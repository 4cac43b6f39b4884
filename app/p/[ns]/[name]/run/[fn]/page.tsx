import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { CodeBlock } from "../../../../../../components/code-block.tsx";
import { InlineText } from "../../../../../../components/inline-text.tsx";
import { Privileges } from "../../../../../../components/privileges.tsx";
import { RunForm } from "../../../../../../components/run-form.tsx";
import { DeviceSelect } from "../../../../../../components/device-select.tsx";
import { ProjectSelect } from "../../../../../../components/projects/project-select.tsx";
import { projectsToRunIn } from "../../../../../../lib/projects/projects.ts";
import { getProjectScope, scopesBySlug } from "../../../../../../lib/projects/scope.ts";
import { listRuns } from "../../../../../../lib/runs/index.ts";
import { projectChoice } from "../../../../../_lib/project-views.ts";
import { DebugPauseField } from "../../../../../../components/debug-pause-field.tsx";
import { listDevices } from "../../../../../../lib/devices/devices.ts";
import { getSettings } from "../../../../../../lib/platform/settings.ts";
import { waitText } from "../../../../../../lib/queue/janitor-decision.ts";
import { getPackage } from "../../../../../../lib/catalog/catalog.ts";
import { missingPrivileges } from "../../../../../../lib/policy/run-policy.ts";
import { NO_GRANT } from "../../../../../../lib/types.ts";
import { getViewer } from "../../../../../../lib/auth/session.ts";
import { findFunction, refKindOf } from "../../../../../../runner/src/index.ts";
import { secretChoices } from "../../../../../../lib/secrets/bind.ts";
import { startRunAction } from "../../../../../actions/start-run.ts";
import { SaveAsScanFields } from "../../../../../../components/scan-save-fields.tsx";
import { getRun } from "../../../../../../lib/runs/index.ts";
import { rerunEditedAction } from "../../../../../actions/rerun.ts";
import { saveFormAsScanAction } from "../../../../../actions/scans.ts";
import { loadOr404, one, type SearchParams } from "../../../../../_lib/load.ts";

type Params = Promise<{ ns: string; name: string; fn: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { ns, name, fn } = await params;
  const viewer = await getViewer();
  // without a session the page sends to sign-in; a package the viewer may not see is a 404, its title too
  if (viewer) await loadOr404(getPackage(viewer, ns, name));
  return { title: `Run ${decodeURIComponent(fn)} · ${ns}.${name}` };
}

export default async function RunFormPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { ns, name, fn: rawFn } = await params;
  const fnName = decodeURIComponent(rawFn);
  const sp = await searchParams;
  const v = one(sp.v);
  // "Edit and re-run": the form starts from that run's arguments and re-runs it
  const rerunId = one(sp.rerun);
  const here = `/p/${ns}/${name}/run/${encodeURIComponent(fnName)}${v ? `?v=${encodeURIComponent(v)}` : ""}`;
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(here)}`);
  const pkg = await loadOr404(getPackage(viewer, ns, name, v));
  const fn = findFunction(pkg.current.manifest, fnName);
  if (!fn) notFound();
  const rerunOf = rerunId ? await loadOr404(getRun(viewer, rerunId)) : null;
  const devices = rerunOf ? [] : await listDevices(viewer);
  // a re-run stays in its run's project; a new run goes where the viewer may run: `?project=`, else
  // the project of their last run, else their personal project
  const projects = rerunOf ? [] : await projectsToRunIn(viewer);
  const asked = one(sp.project);
  const last = rerunOf || (asked && projects.some((p) => p.slug === asked)) ? null : (await listRuns(viewer, { all: false, pageSize: 1 })).items[0]?.project.slug;
  const selected = [asked, last].find((s) => s && projects.some((p) => p.slug === s)) ?? projects.find((p) => p.personal)?.slug ?? projects[0]?.slug ?? "";
  // the form checks target parameters against the chosen project's scope, as the hub does again
  const scopes = rerunOf
    ? { bySlug: { [rerunOf.project.slug]: (await getProjectScope(viewer, rerunOf.project.slug)).scope }, initial: rerunOf.project.slug }
    : { bySlug: await scopesBySlug(projects), initial: selected };
  const now = new Date();
  const settings = await getSettings();
  const deviceWait = waitText(settings.queue.deviceWaitMinutes);
  if (rerunOf && (rerunOf.package !== pkg.fullName || rerunOf.function !== fn.qualified)) notFound();
  const back = `/p/${ns}/${name}${v ? `?v=${encodeURIComponent(v)}` : ""}`;
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <div>
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link href={back}>{pkg.fullName}</Link> <span aria-hidden>/</span> run
        </nav>
        <h1 className="h-page mt-1">
          Run <span className="font-mono">{fn.qualified}</span>
        </h1>
        <p className="mt-1 text-sm text-zinc-600">
          {fn.kind === "workflow" ? "Workflow" : "Mode"} of {pkg.fullName} <span className="font-mono">v{pkg.current.version}</span>
          {fn.description && (
            <>
              {" — "}
              <InlineText text={fn.description.split("\n")[0]} />
            </>
          )}
        </p>
        {fn.privileges && (
          <div className="mt-4">
            <Privileges declared={fn.privileges} granted={pkg.granted[fn.qualified] ?? NO_GRANT} missing={missingPrivileges(fn.privileges, pkg.granted[fn.qualified] ?? NO_GRANT)} />
          </div>
        )}
        <div className="card mt-4 p-5">
          <RunForm
            fn={fn}
            action={rerunOf ? rerunEditedAction.bind(null, rerunOf.id) : startRunAction.bind(null, pkg.current.id, fn.qualified)}
            cancelHref={rerunOf ? `/runs/${rerunOf.id}` : back}
            initial={rerunOf?.args}
            files={{ uploadUrl: "/api/files", maxBytes: settings.files.maxBytes, project: rerunOf?.project.slug ?? null, current: rerunOf?.files ?? [] }}
            submitLabel={rerunOf ? `Re-run #${rerunOf.number}` : undefined}
            scopes={scopes}
            after={<SaveAsScanFields action={saveFormAsScanAction.bind(null, pkg.fullName, v ?? null, fn.qualified)} />}
            secrets={fn.params.some((p) => refKindOf(p) === "secret") ? await secretChoices(viewer) : []}
            project={rerunOf ? rerunOf.project.slug : selected || null}
          >
            {!rerunOf && <ProjectSelect projects={projects.map((p) => projectChoice(p, now))} selected={selected} />}
            {!rerunOf && <DeviceSelect devices={devices.map((d) => ({ name: d.name, state: d.state, lastSeenAt: d.lastSeenAt }))} wait={deviceWait} />}
            {!rerunOf && <DebugPauseField />}
          </RunForm>
        </div>
      </div>
      <aside className="space-y-4">
        {fn.example && (
          <section aria-labelledby="example-h">
            <h2 id="example-h" className="h-section mb-1">Example</h2>
            <CodeBlock code={fn.example} language="python" label={`Example for ${fn.qualified}`} />
          </section>
        )}
        <section className="card p-4 text-sm text-zinc-600">
          <h2 className="h-section mb-1">What happens</h2>
          <p>The values are checked here and again on the server. A valid run starts one container per task; you follow its logs live and read what it stored.</p>
        </section>
      </aside>
    </div>
  );
}
