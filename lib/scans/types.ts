/** What pages, the API and the CLI get about saved scans (dates as ISO strings). */
import type { ProjectRef, RunStatus } from "../types.ts";

export const RUN_TRIGGERS = ["manual", "schedule", "rerun"] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** why a firing started nothing; recorded on the scan */
export interface ScanError {
  code: string;
  message: string;
  at: string;
}

export interface ScanRunView {
  id: string;
  number: number;
  status: RunStatus;
  trigger: RunTrigger;
  packageVersion: string;
  createdAt: string;
  endedAt: string | null;
}

export interface ScanSummary {
  id: string;
  name: string;
  /** who made it: it fires as them */
  owner: string;
  /** the project its runs go to */
  project: ProjectRef;
  /** `ns.name` */
  package: string;
  /** the pinned version; null = the package's latest when it fires */
  version: string | null;
  function: string;
  args: Record<string, unknown>;
  cron: string | null;
  timezone: string;
  /** the schedule in words ("daily at 03:00"), null without a schedule */
  schedule: string | null;
  enabled: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastError: ScanError | null;
  lastRun: ScanRunView | null;
  createdAt: string;
  updatedAt: string;
  /** the viewer may pause, resume and delete it (the project's operators and owners, admins) */
  canManage: boolean;
  /** the viewer may edit it and start it by hand (its creator, while they may run in the project) */
  canEdit: boolean;
}

export interface ScanDetail extends ScanSummary {
  /** its runs, newest first */
  runs: ScanRunView[];
}

/** How a run was started, for its page: the trigger and the scan (when one started it and still exists). */
export interface RunOrigin {
  trigger: RunTrigger;
  scan: { id: string; name: string } | null;
  /** the package's latest version when it is not the run's (re-run "on the latest version") */
  newerVersion: string | null;
}
