import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { CompareIgnore, compareHref } from "../../components/compare-ignore.tsx";
import { ComparePicker } from "../../components/compare-picker.tsx";
import { CompareView } from "../../components/compare-view.tsx";
import { formatTime } from "../../components/time.ts";
import { comparableRuns, compareRunsFor, previousRunId } from "../../lib/compare/runs.ts";
import { runIdOf } from "../../lib/runs/index.ts";
import { AppError } from "../../lib/errors.ts";
import { getViewer } from "../../lib/auth/session.ts";
import { ignoreParamSchema } from "../../lib/schemas/compare.ts";
import { loadOr404, one, type SearchParams } from "../_lib/load.ts";

export const metadata: Metadata = { title: "Compare runs" };

function RunHeading({ side, run }: { side: string; run: { id: string; number: number; createdAt: string; packageVersion: string; args: Record<string, unknown> } }) {
  return (
    <div className="text-sm">
      <span className="text-zinc-500">{side}</span>{" "}
      <Link href={`/runs/${run.id}`} className="font-mono">
        #{run.number}
      </Link>{" "}
      <span className="text-zinc-500">
        v{run.packageVersion} · {formatTime(run.createdAt)}
      </span>{" "}
      {Object.entries(run.args).map(([k, v]) => (
        <code key={k} className="mr-1 rounded border border-zinc-200 bg-white px-1 text-xs">
          {k}={JSON.stringify(v)}
        </code>
      ))}
    </div>
  );
}

/** `ignore=` as given (present and empty: ignore nothing), checked; a bad list is reported and not used. */
function ignoreParam(raw: string | string[] | undefined): { fields?: string[]; error: string | null } {
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined) return { error: null };
  const parsed = ignoreParamSchema.safeParse(text);
  return parsed.success ? { fields: parsed.data, error: null } : { error: parsed.error.issues.map((i) => i.message).join("; ") };
}

export default async function ComparePage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  let b = one(sp.b);
  const here = `/compare?${new URLSearchParams(Object.entries(sp).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : []))).toString()}`;
  const viewer = await getViewer();
  if (!viewer) redirect(`/signin?callbackUrl=${encodeURIComponent(here)}`);
  if (!b) {
    return (
      <div className="space-y-3">
        <h1 className="h-page">Compare runs</h1>
        <p className="text-sm text-zinc-600">
          Open a run from <Link href="/runs">Runs</Link> and choose <em>Compare with previous</em>, or pick another run of the same function here.
        </p>
      </div>
    );
  }
  // runs are named by number (`#12`) or id; the picker and the links use ids
  b = await loadOr404(runIdOf(viewer, b));
  const aRef = one(sp.a);
  const a = aRef ? await loadOr404(runIdOf(viewer, aRef)) : one(sp.previous) === "true" ? await loadOr404(previousRunId(viewer, b)) : null;
  const runs = await loadOr404(comparableRuns(viewer, b));
  if (!a) {
    return (
      <div className="space-y-4">
        <h1 className="h-page">Compare runs</h1>
        <p className="text-sm text-zinc-600">There is no earlier run of this function with the same arguments. Pick the run to compare with:</p>
        <ComparePicker runs={runs} a={runs.find((r) => r.id !== b)?.id ?? b} b={b} />
      </div>
    );
  }
  let ignore = ignoreParam(sp.ignore);
  const add = one(sp.add);
  if (add && !ignore.error) {
    // the form's field joins the list: the address then names the whole list, so links keep it
    const joined = ignoreParam([...(ignore.fields ?? []), add].join(","));
    if (joined.fields) redirect(compareHref(a, b, joined.fields));
    ignore = { ...ignore, error: joined.error };
  }
  let comparison;
  try {
    comparison = await loadOr404(compareRunsFor(viewer, a, b, undefined, ignore.fields));
  } catch (e) {
    // two runs of different functions: say so next to the picker instead of failing the page
    if (!(e instanceof AppError && e.code === "validation")) throw e;
    return (
      <div className="space-y-4">
        <h1 className="h-page">Compare runs</h1>
        <p role="alert" className="text-sm text-red-800">{e.message}</p>
        <ComparePicker runs={runs} a={runs.find((r) => r.id !== b)?.id ?? b} b={b} />
      </div>
    );
  }
  const { a: runA, b: runB, diff } = comparison;
  const [ns, name] = runB.package.split(".");
  return (
    <div className="space-y-5">
      <header className="space-y-1">
        <nav aria-label="Breadcrumb" className="text-sm text-zinc-500">
          <Link href="/runs">Runs</Link> <span aria-hidden>/</span> <Link href={`/runs/${runB.id}`}>#{runB.number}</Link> <span aria-hidden>/</span> compare
        </nav>
        <h1 className="h-page">
          What changed in <span className="font-mono">{runB.function}</span> <span className="font-normal text-zinc-500">of</span> <Link href={`/p/${ns}/${name}`}>{runB.package}</Link>
        </h1>
        <RunHeading side="Before (A)" run={runA} />
        <RunHeading side="After (B)" run={runB} />
      </header>
      <ComparePicker runs={runs} a={runA.id} b={runB.id} ignore={comparison.ignore.chosen ? comparison.ignore.fields : undefined} />
      <CompareIgnore a={runA.id} b={runB.id} ignore={comparison.ignore} error={ignore.error} draft={ignore.error ? add : undefined} />
      <CompareView diff={diff} />
    </div>
  );
}
