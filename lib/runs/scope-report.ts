/**
 * A scoped run's network report (runner ScopeReport, as the hub stores it on the run) read back
 * for the run page and summarised for the audit trail. Pure.
 */
import { z } from "zod";
import { scopeReportSchema } from "../../runner/worker/protocol.ts";
import { destinationText } from "../../runner/src/scope/blocked.ts";

export type RunScopeReport = z.infer<typeof scopeReportSchema>;
export type BlockedDestination = RunScopeReport["blocked"][number];

/** The stored report, or null when there is none or it does not read as one. */
export function storedScopeReport(raw: unknown): RunScopeReport | null {
  const parsed = raw == null ? null : scopeReportSchema.safeParse(raw);
  return parsed?.success ? parsed.data : null;
}


/** destinations named in one audit row; the rest are counted */
const AUDIT_DESTINATIONS = 20;

/** The audit row of a run whose containers were refused something: null when nothing was. */
export function blockedSummary(r: RunScopeReport): { destinations: string[]; more: number; packets: number } | null {
  if (r.blocked.length === 0) return null;
  return {
    destinations: r.blocked.slice(0, AUDIT_DESTINATIONS).map(destinationText),
    more: r.blocked.length - Math.min(r.blocked.length, AUDIT_DESTINATIONS) + r.blockedDropped,
    packets: r.blocked.reduce((n, b) => n + b.packets, 0),
  };
}
