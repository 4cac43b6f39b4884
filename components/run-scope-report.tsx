import type { RunScopeReport } from "../lib/runs/scope-report.ts";
import { blockedLines, enforcementText } from "./run-scope-lines.ts";

/** A scoped run's network on its page: enforced or not, and what its containers were refused. */
export function RunScopeReportView({ report, ended }: { report: RunScopeReport | null; ended: boolean }) {
  const lines = blockedLines(report);
  return (
    <section aria-label="Scope enforcement" className="text-sm" data-testid="run-scope-report">
      <p className="text-zinc-600">Scope: {enforcementText(report, ended)}</p>
      {lines.length > 0 && (
        <ul className="mt-1 space-y-0.5 font-mono text-xs text-red-800" aria-label="Blocked connections">
          {lines.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
