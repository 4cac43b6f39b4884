/** Requests for engagement reports and evidence bundles (the API, the UI's form and `lev report` share them). */
import { z } from "zod";
import { blankAsAbsent } from "../api/doc-registry.ts";
import { REPORT_FORMATS } from "../reports/model.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `GET …/report?format=md|html|pdf&since=`: since is a day (its start, UTC) or an ISO date-time with its offset */
export const reportQuerySchema = z.object({
  format: blankAsAbsent(z.enum(REPORT_FORMATS)).transform((f) => f ?? "pdf"),
  since: blankAsAbsent(
    z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "a date (YYYY-MM-DD) or an ISO date-time" }).transform((v) => new Date(DAY.test(v) ? `${v}T00:00:00Z` : v)),
  ),
});
export type ReportQuery = z.output<typeof reportQuerySchema>;
