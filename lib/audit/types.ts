/** What the audit page, the API and the CLI get about audit events (dates as ISO strings). */
import type { z } from "zod";
import type { auditEventViewSchema, auditPageSchema } from "../schemas/responses.ts";

export type AuditEventView = z.infer<typeof auditEventViewSchema>;
export type AuditPage = z.infer<typeof auditPageSchema>;
