import type { RetentionKind } from "../lib/platform/retention-settings.ts";

/** What each retention kind is called and covers: the form (a client component) and the page's preview (a server one) both read it. */
export const RETENTION_LABELS: Record<RetentionKind, { label: string; help: string }> = {
  runs: { label: "Runs", help: "finished runs with their tasks, logs and documents" },
  logs: { label: "Run logs", help: "finished runs' log lines; the run stays" },
  documents: { label: "Result documents", help: "finished runs' documents, results store and index together; the run stays" },
  imageTars: { label: "Worker image tars", help: "image tars not served to a worker since" },
  deletedVersions: { label: "Deleted versions", help: "rows of versions their publisher deleted, once no run, scan or version uses them" },
  audit: { label: "Audit events", help: "the audit record" },
};
