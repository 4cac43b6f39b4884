/**
 * What the run page says about a scoped run's network (pure; run-scope-lines.test.ts): whether
 * the scope was enforced, and one line per destination its containers were refused.
 */
import type { RunScopeReport } from "../lib/runs/scope-report.ts";
import { destinationText } from "../runner/src/scope/blocked.ts";
import { plural } from "../runner/src/plural.ts";

export function enforcementText(report: RunScopeReport | null, ended: boolean): string {
  if (!report) return ended ? "not reported: this run's worker did not say whether it enforced the scope" : "enforced once the run's network exists (if its worker can)";
  if (report.enforcement === "unenforced") return `not enforced by the network${report.reason ? `: ${report.reason}` : ""}`;
  if (report.resolver) return "enforced by the run's network (addresses, ports and host names, through the run's DNS responder; URL paths are not enforced)";
  return "enforced by the run's network (addresses and ports; its containers resolve no host name outside the run; URL paths are not enforced)";
}

/** `blocked 10.0.0.9:443/tcp, out of scope — 12 packets`, most packets first, then how many more. */
export function blockedLines(report: RunScopeReport | null): string[] {
  if (!report) return [];
  const lines = report.blocked.map((b) => `blocked ${destinationText(b)}, out of scope — ${plural(b.packets, "packet")}`);
  if (report.blockedDropped > 0) lines.push(`and ${plural(report.blockedDropped, "more destination")} not listed`);
  for (const n of report.blockedNames ?? []) lines.push(`refused host name ${n.name}, ${n.reason} — ${plural(n.queries, "query", "queries")}`);
  if (report.blockedNamesDropped) lines.push(`and ${plural(report.blockedNamesDropped, "more host name")} not listed`);
  return lines;
}
