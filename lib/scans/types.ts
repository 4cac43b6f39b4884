/** What pages, the API and the CLI get about saved scans (dates as ISO strings), inferred from the API's response schemas. */
import type { z } from "zod";
import type { scanDetailSchema, scanErrorSchema, scanRunViewSchema, scanSummarySchema } from "../schemas/responses.ts";

export const RUN_TRIGGERS = ["manual", "schedule", "rerun"] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** why a firing started nothing; recorded on the scan */
export type ScanError = z.infer<typeof scanErrorSchema>;

export type ScanRunView = z.infer<typeof scanRunViewSchema>;

export type ScanSummary = z.infer<typeof scanSummarySchema>;

export type ScanDetail = z.infer<typeof scanDetailSchema>;

/** How a run was started, for its page: the trigger and the scan (when one started it and still exists). */
export interface RunOrigin {
  trigger: RunTrigger;
  scan: { id: string; name: string } | null;
  /** the package's latest version when it is not the run's (re-run "on the latest version") */
  newerVersion: string | null;
}
