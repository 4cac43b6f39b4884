/**
 * Runs: submitted to the durable queue (submit), taken and run by workers, reported back (ingest),
 * read (queries, live) and cancelled wherever they are (commands). `app/` imports from here.
 */
export { startRun, enqueueRun, queueFor, type RunInput, type RunOrigin } from "./submit.ts";
export { startRunWithFiles } from "./submit-files.ts";
export { resolveRunTarget, type RunTarget, type VersionRef } from "./target.ts";
export { cancelRun, CANCEL_WAIT_MS } from "./commands.ts";
export { listRuns, runsForPackage, getRun, runDocuments, type RunFilters } from "./queries.ts";
export { runEvents, waitForRun } from "./live.ts";
export { runIdOf } from "./projection.ts";
export { ingestEvents, endForQuota, noteStoredCollection, type ReportedRun } from "./ingest.ts";
export { RUN_REPORT_LIMITS, runLimitsOf, storableCollection } from "./report-limits.ts";
export { HUB_STOPPED } from "../queue/janitor.ts";
