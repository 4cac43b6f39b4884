/**
 * The names of the project event types (pure: request schemas and components import it). events.ts
 * holds each one's data schema, typed so that its keys are exactly these.
 */
export const PROJECT_EVENT_TYPE_LIST = ["assets.new_services", "finding.new", "finding.reopened", "run.failed"] as const;
export type ProjectEventTypeName = (typeof PROJECT_EVENT_TYPE_LIST)[number];

export const PROJECT_EVENT_LABELS: Record<ProjectEventTypeName, string> = {
  "assets.new_services": "new services seen",
  "finding.new": "new findings",
  "finding.reopened": "findings reopened",
  "run.failed": "run failed",
};
