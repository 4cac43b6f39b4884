/** Every Docker resource the runner creates carries these labels (and only this function makes them). */
export const LABEL = {
  managed: "zone.lev.managed",
  run: "zone.lev.run",
  task: "zone.lev.task",
  role: "zone.lev.role",
  owner: "zone.lev.owner",
  instance: "zone.lev.instance",
} as const;

/**
 * The one resource the runner creates that belongs to no run: a LAN segment's macvlan network
 * (its value: the parent interface). Without `LABEL.managed`, so no reaper removes it.
 */
export const SEGMENT_LABEL = "zone.lev.segment";

export type ResourceRole = "workflow" | "tool" | "service" | "introspect" | "network" | "planner" | "warm";

export function createLabels(
  instance: string,
  runId: string,
  role: ResourceRole,
  task?: number,
  owner?: string,
): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.managed]: "1",
    [LABEL.instance]: instance,
    [LABEL.run]: runId,
    [LABEL.role]: role,
  };
  if (task !== undefined) labels[LABEL.task] = String(task);
  if (owner !== undefined) labels[LABEL.owner] = owner;
  return labels;
}
