import type { Problem } from "../lib/errors.ts";

/**
 * What introspection warned about in the shown version (an `annot.Param` naming no parameter, …):
 * structured problems of severity warning, each with where it is and what it says. The package was
 * published anyway; its author may want to fix them.
 */
export function PackageWarnings({ warnings }: { warnings: readonly Problem[] }) {
  if (warnings.length === 0) return null;
  return (
    <section aria-labelledby="warnings-h" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
      <h2 id="warnings-h" className="font-semibold">
        {warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`} from reading this version
      </h2>
      <ul aria-label="Warnings" className="mt-1 space-y-1">
        {warnings.map((w, i) => (
          <li key={i} className="flex flex-wrap gap-x-2">
            {w.where && <code className="text-xs">{w.where}</code>}
            <span className="break-words">{w.message}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
