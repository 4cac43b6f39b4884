/** Requests about the audit trail (the /audit page and `GET /api/audit`, which parse search params alike). */
import { z } from "zod";
import { blankAsAbsent } from "../api/doc-registry.ts";
import { AUDIT_ACTION_GROUPS, AUDIT_ACTIONS } from "../platform/audit-actions.ts";
import { projectSlugSchema } from "./projects.ts";

export const AUDIT_PAGE = { default: 50, max: 200 } as const;
export const AUDIT_EXPORT_FORMATS = ["csv", "json"] as const;

const optional = blankAsAbsent;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** `2026-11-24` (a whole day) or an ISO date-time with its offset */
const when = (end: boolean) =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "a date (YYYY-MM-DD) or an ISO date-time" })
    .transform((v) => {
      const d = new Date(DAY.test(v) ? `${v}T00:00:00Z` : v);
      // a day as the end of a range includes that whole day
      if (end && DAY.test(v)) d.setUTCDate(d.getUTCDate() + 1);
      return d;
    });

const ACTIONS_AND_GROUPS = [...AUDIT_ACTION_GROUPS, ...Object.keys(AUDIT_ACTIONS)];

/** What the audit trail filters by (within what the caller may see: lib/access/audit-scope.ts). */
export const auditFilterSchema = z.object({
  /** who did it, by user name */
  actor: optional(z.string().trim().toLowerCase().min(1).max(32)),
  /** one action (`secret.use`) or a group of them (`secret`) */
  action: optional(z.string().refine((a) => ACTIONS_AND_GROUPS.includes(a), `an action (${Object.keys(AUDIT_ACTIONS).slice(0, 3).join(", ")}, …) or a group (${AUDIT_ACTION_GROUPS.slice(0, 4).join(", ")}, …)`)),
  /** one project, by slug */
  project: optional(projectSlugSchema),
  /** what it was done to, exactly as the trail names it (a run's id, a secret's id, a package, a slug) */
  target: optional(z.string().max(200)),
  from: optional(when(false)),
  to: optional(when(true)),
});
export type AuditFilter = z.output<typeof auditFilterSchema>;

/** `GET /api/audit?<filter>&before=&limit=`: newest first; `before` is the previous page's `next` */
export const auditQuerySchema = auditFilterSchema.extend({
  before: optional(z.string().regex(/^\d{1,18}$/, "the 'next' value of the previous page")),
  limit: optional(z.coerce.number().int().min(1).max(AUDIT_PAGE.max)),
});

/** `GET /api/audit/export?<filter>&format=csv|json` */
export const auditExportQuerySchema = auditFilterSchema.extend({
  format: z.enum(AUDIT_EXPORT_FORMATS, { error: `format is one of ${AUDIT_EXPORT_FORMATS.join(", ")}` }).default("csv"),
});

