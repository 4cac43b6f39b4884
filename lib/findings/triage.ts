import "server-only";
import { db } from "../platform/db.ts";
import { AppError, problem } from "../errors.ts";
import type { TriageBody } from "../schemas/findings.ts";
import { STATE_LABELS, type FindingState } from "../schemas/finding-vocabulary.ts";
import type { Viewer } from "../types.ts";
import { projectFor } from "./project.ts";
import type { TriageResult } from "./types.ts";

/**
 * Triage: one state (and a note) for findings of one project, by whoever may run there
 * (operators, owners; admins, audited as such). All or nothing: a finding the project does not
 * have refuses the whole request (404 naming it) and changes nothing. Every finding whose state
 * changes, or that gets a note, has a `FindingStateChange` row (who, when, from, to, note); the
 * request itself is one audit event.
 */
export async function triageFindings(viewer: Viewer, slug: string, body: TriageBody): Promise<TriageResult> {
  const project = await projectFor(viewer, slug, "run");
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRawUnsafe<{ id: bigint; state: FindingState }[]>(
      `SELECT "id", "state"::text AS "state" FROM "Finding" WHERE "projectId" = $1 AND "id" = ANY($2::bigint[]) ORDER BY "id" FOR UPDATE`,
      project.id,
      body.ids,
    );
    const found = new Set(rows.map((r) => String(r.id)));
    const missing = body.ids.filter((id) => !found.has(id));
    if (missing.length) {
      const shown = missing.slice(0, 10).join(", ");
      throw new AppError("not_found", `no finding ${shown}${missing.length > 10 ? ` and ${missing.length - 10} more` : ""} in project ${slug}: nothing was changed`, {
        // each id the project lacks (the first hundred), where = the id
        problems: missing.slice(0, 100).map((id) => problem("unknown-finding", id, `no finding ${id} in project ${slug}`)),
      });
    }
    const changing = rows.filter((r) => r.state !== body.state || body.note !== "");
    if (changing.length) {
      const now = new Date();
      const ids = changing.map((r) => String(r.id));
      await tx.$executeRawUnsafe(
        `UPDATE "Finding" SET "state" = $2::"FindingState", "stateById" = $3, "stateAt" = $4, "note" = CASE WHEN $5 <> '' THEN $5 ELSE "note" END WHERE "id" = ANY($1::bigint[])`,
        ids,
        body.state,
        viewer.id,
        now,
        body.note,
      );
      await tx.$executeRawUnsafe(
        `INSERT INTO "FindingStateChange" ("findingId", "projectId", "fromState", "toState", "actorId", "note", "at")
         SELECT x."id"::bigint, $1, x."from"::"FindingState", $2::"FindingState", $3, $4, $5 FROM jsonb_to_recordset($6::jsonb) AS x("id" text, "from" text) ORDER BY 1`,
        project.id,
        body.state,
        viewer.id,
        body.note,
        now,
        JSON.stringify(changing.map((r) => ({ id: String(r.id), from: r.state }))),
      );
      await tx.auditEvent.create({
        data: {
          actorId: viewer.id,
          action: "finding.triage",
          target: body.state,
          projectId: project.id,
          data: { state: body.state, label: STATE_LABELS[body.state], count: ids.length, findings: ids.slice(0, 100), note: body.note, ...(project.asAdmin ? { asAdmin: true } : {}) },
        },
      });
    }
    return { changed: changing.length, unchanged: rows.length - changing.length };
  });
}
