import { route } from "../../../../../lib/api/route.ts";
import { listFindings } from "../../../../../lib/findings/findings.ts";
import { triageFindings } from "../../../../../lib/findings/triage.ts";
import { assetParamsSchema, findingsQuerySchema, triageBodySchema } from "../../../../../lib/schemas/findings.ts";
import { findingPageSchema, triageResultSchema } from "../../../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/**
 * The project's findings, worst first (keyset: pass `next` as `after`), filtered by `severity` and `state`
 * (comma-separated; `state=open` is new and confirmed) and `tool` (`ns.name`), with counts under the other filters.
 */
export const GET = route(
  { access: "user", scope: "read", summary: "list a project's findings (worst first, keyset pages, counts)", params: assetParamsSchema, query: findingsQuerySchema, response: findingPageSchema },
  async ({ viewer, params, query }) => listFindings(viewer, params.slug, query),
);

/**
 * Triage: `{ids, state, note?}` sets the state of up to 500 findings at once (operators and owners; viewers 403).
 * All or nothing: an id the project lacks is 404 naming it, and nothing changes. Each change is recorded with who and the note.
 */
export const PATCH = route(
  { access: "user", scope: "run", summary: "triage findings: set their state, with a note (operators)", params: assetParamsSchema, body: triageBodySchema, response: triageResultSchema },
  async ({ viewer, params, body }) => triageFindings(viewer, params.slug, body),
);
