import { RETENTION_KINDS, type RetentionKind, type RetentionSettings } from "../platform/retention-settings.ts";

export { RETENTION_DAYS, RETENTION_KINDS, retentionSettingsSchema, type RetentionKind, type RetentionSettings } from "../platform/retention-settings.ts";

const DAY_MS = 24 * 3600_000;

/** The instant before which each kind goes (null: that kind is kept). */
export function retentionCutoffs(settings: RetentionSettings, now: Date): Record<RetentionKind, Date | null> {
  const out = {} as Record<RetentionKind, Date | null>;
  for (const k of RETENTION_KINDS) {
    const d = settings[k];
    out[k] = d === null ? null : new Date(now.getTime() - d * DAY_MS);
  }
  return out;
}

/**
 * A run's documents go with the run (runs) or alone (documents), whichever cutoff reaches it
 * first; the run's logs go with it too. A document an open finding cites is kept whatever
 * happens (its run is kept then, so the citation still resolves): `cited` says which runs hold one.
 */
export function runFate(run: { endedAt: Date; cited: boolean }, cutoffs: Pick<Record<RetentionKind, Date | null>, "runs" | "logs" | "documents">): {
  deleteRun: boolean;
  deleteLogs: boolean;
  deleteDocuments: boolean;
  keptBecause: "cited" | null;
} {
  const past = (c: Date | null) => c !== null && run.endedAt < c;
  const runGoes = past(cutoffs.runs);
  const docsGo = runGoes || past(cutoffs.documents);
  if (run.cited && docsGo) return { deleteRun: false, deleteLogs: runGoes || past(cutoffs.logs), deleteDocuments: false, keptBecause: "cited" };
  return { deleteRun: runGoes, deleteLogs: runGoes || past(cutoffs.logs), deleteDocuments: docsGo, keptBecause: null };
}

/** A deleted version's row goes once its cutoff passed and nothing points at it any more. */
export function deletedVersionGoes(v: { deletedAt: Date; runs: number; dependents: number; scans: number }, cutoff: Date | null): boolean {
  return cutoff !== null && v.deletedAt < cutoff && v.runs === 0 && v.dependents === 0 && v.scans === 0;
}
