import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { RunForm } from "../../../../components/run-form.tsx";
import { SCAN_EDIT_FIELDS, ScanEditFields } from "../../../../components/scan-edit-fields.tsx";
import { getPackage } from "../../../../lib/catalog/catalog.ts";
import { getViewer } from "../../../../lib/auth/session.ts";
import { getScan } from "../../../../lib/scans/scans.ts";
import { secretChoices } from "../../../../lib/secrets/bind.ts";
import { getProjectScope } from "../../../../lib/projects/scope.ts";
import { getSettings } from "../../../../lib/platform/settings.ts";
import { findFunction, listFunctions } from "../../../../runner/src/index.ts";
import { editScanAction } from "../../../actions/scans.ts";
import { loadOr404, one, type SearchParams } from "../../../_lib/load.ts";

type Params = Promise<{ id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const viewer = await getViewer();
  const scan = viewer ? await getScan(viewer, id).catch(() => null) : null;
  return { title: scan?.canEdit ? `Edit scan ${scan.name}` : "Not found" };
}

/**
 * A scan's edit form: the arguments as the run form shows them (for the function picked above it,
 * `?fn=`), then the scan's name, version, schedule and time zone. Only its owner edits a scan; the
 * server checks everything again, the one way runs are checked.
 */
export default async function EditScanPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(`/scans/${id}/edit`)}`);
  const scan = await loadOr404(getScan(viewer, id));
  // the project's operators and admins pause and delete a scan, but only its creator changes what it runs (it runs as them)
  if (!scan.canEdit) notFound();
  const [ns, name] = scan.package.split(".");
  const pkg = await loadOr404(getPackage(viewer, ns, name, scan.version ?? undefined));
  const functions = listFunctions(pkg.current.manifest);
  const picked = one((await searchParams).fn);
  const fn = findFunction(pkg.current.manifest, picked && functions.includes(picked) ? picked : scan.function) ?? findFunction(pkg.current.manifest, functions[0] ?? "");
  const back = `/scans/${scan.id}`;
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <header>
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link href="/scans">Scans</Link> <span aria-hidden>/</span> <Link href={back}>{scan.name}</Link> <span aria-hidden>/</span> edit
        </nav>
        <h1 className="h-page mt-1">Edit scan {scan.name}</h1>
        <p className="mt-1 text-sm text-zinc-600">
          It runs a function of <Link href={`/p/${ns}/${name}`}>{scan.package}</Link> as you. The server checks the arguments as it checks a run&apos;s, and every problem of the
          schedule at once.
        </p>
      </header>
      <form method="get" className="flex flex-wrap items-end gap-2" aria-label="Pick the function">
        <div>
          <label htmlFor="edit-fn" className="label">Function</label>
          <select id="edit-fn" name="fn" defaultValue={fn?.qualified ?? ""} className="input mt-1 max-w-sm font-mono">
            {functions.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn">Show its fields</button>
      </form>
      {fn ? (
        <div className="card p-5">
          <RunForm
            fn={fn}
            action={editScanAction.bind(null, scan.id)}
            cancelHref={back}
            initial={fn.qualified === scan.function ? scan.args : undefined}
            files={{ uploadUrl: "/api/files", maxBytes: (await getSettings()).files.maxBytes, project: scan.project.slug, current: scan.files }}
            submitLabel="Save scan"
            pendingLabel="Saving…"
            refusedNote="nothing was saved"
            extraFields={SCAN_EDIT_FIELDS}
            secrets={await secretChoices(viewer)}
            project={scan.project.slug}
            scopes={{ bySlug: { [scan.project.slug]: (await getProjectScope(viewer, scan.project.slug)).scope }, initial: scan.project.slug }}
          >
            <input type="hidden" name="function" value={fn.qualified} />
            <ScanEditFields scan={scan} versions={pkg.versions.map((v) => v.version)} />
          </RunForm>
        </div>
      ) : (
        <p role="alert" className="text-sm text-red-800">This version of {scan.package} exports no function any more; pick another version on the API or delete the scan.</p>
      )}
    </div>
  );
}
