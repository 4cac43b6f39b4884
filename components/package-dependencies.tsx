import Link from "next/link";
import type { DependencyLink } from "../lib/types.ts";

function PackageLink({ dep }: { dep: DependencyLink }) {
  const label = (
    <>
      <span className="font-mono">
        {dep.namespace}.{dep.name}
      </span>{" "}
      <span className="font-mono text-xs text-zinc-500">{dep.version}</span>
    </>
  );
  // a dependency the viewer may not see (it turned private since) is named, never linked
  return dep.visible ? <Link href={`/p/${dep.namespace}/${dep.name}?v=${encodeURIComponent(dep.version)}`}>{label}</Link> : label;
}

/**
 * A package's dependencies on both sides: the versions the shown version was pinned to at upload
 * ("Depends on"), the packages built on this one ("Used by"), and requirements the hub does not install.
 */
export function PackageDependencies({ dependsOn, usedBy, external }: { dependsOn: DependencyLink[]; usedBy: DependencyLink[]; external: string[] }) {
  if (!dependsOn.length && !usedBy.length && !external.length) return null;
  return (
    <section aria-label="Dependencies" className="card grid gap-4 p-4 text-sm md:grid-cols-2">
      <div>
        <h2 className="h-section">Depends on</h2>
        {dependsOn.length ? (
          <ul aria-label="Depends on" className="mt-2 space-y-1">
            {dependsOn.map((d) => (
              <li key={`${d.namespace}.${d.name}`}>
                <PackageLink dep={d} /> {d.requirement && <code className="ml-1 text-xs text-zinc-500">{d.requirement}</code>}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-zinc-500">No published package.</p>
        )}
        {external.length > 0 && (
          <div className="mt-3">
            <p className="text-zinc-600">Not installed by the hub; the package&apos;s Dockerfile must provide them:</p>
            <ul aria-label="External requirements" className="mt-1 flex flex-wrap gap-1.5">
              {external.map((r) => (
                <li key={r}>
                  <code className="rounded border border-zinc-200 bg-zinc-50 px-1.5 py-0.5 text-xs">{r}</code>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <div>
        <h2 className="h-section">Used by</h2>
        {usedBy.length ? (
          <ul aria-label="Used by" className="mt-2 space-y-1">
            {usedBy.map((d) => (
              <li key={`${d.namespace}.${d.name}`}>
                <PackageLink dep={d} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-zinc-500">No package you can see uses it yet.</p>
        )}
      </div>
    </section>
  );
}
