import "server-only";
import { db } from "../platform/db.ts";
import { OPEN_FINDING_STATES } from "../schemas/finding-vocabulary.ts";

/**
 * The runs whose documents an open finding (new or confirmed) cites as evidence: retention keeps
 * their documents (lib/retention). A fixed, accepted or false-positive finding keeps nothing: its
 * evidence row holds the excerpt and the value's sha256 on its own.
 */
export async function runsCitedByOpenFindings(): Promise<Set<string>> {
  const rows = await db().findingEvidence.findMany({
    where: { finding: { state: { in: [...OPEN_FINDING_STATES] } } },
    select: { runId: true },
    distinct: ["runId"],
  });
  return new Set(rows.map((r) => r.runId));
}
