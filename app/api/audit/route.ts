import { route } from "../../../lib/api/route.ts";
import { listAudit } from "../../../lib/audit/trail.ts";
import { auditQuerySchema } from "../../../lib/schemas/audit.ts";
import { auditPageSchema } from "../../../lib/schemas/responses.ts";

export const runtime = "nodejs";

/** The audit trail, newest first: every event for admins, their projects' for owners; `next` is the next page's `before`. */
export const GET = route(
  { access: "user", scope: "read", summary: "the audit trail (admins: all; project owners: their projects), newest first", query: auditQuerySchema, response: auditPageSchema },
  async ({ viewer, query: { before, limit, ...filter } }) => listAudit(viewer, filter, { before, limit }),
);
