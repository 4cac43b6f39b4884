/**
 * Whether a task's container may get a debug shell, from the runner's own facts about it (the
 * worker's check; the hub decides first from what it stores, lib/debug/decision.ts). Pure.
 *
 * A shell is `docker exec` as uid 65534 with no capability of its own, but it runs inside the
 * task's container: its network namespace, its capability bounding set, its environment and files.
 * So a task that got anything from a grant (the host's network, a capability, a dependency's grant
 * it runs isolated under) or that holds a secret is refused outright, whatever the shell's user.
 */
import { NOBODY } from "../policy/container-config.ts";
import type { RunPolicy } from "../policy/policy.ts";
import type { DebugRefusal } from "./vocabulary.ts";

/** Whether a run's policy grants anything beyond the unprivileged container (its own grant or a dependency's). */
export function policyGrantsAnything(policy: Pick<RunPolicy, "network" | "caps" | "packages">): boolean {
  if (policy.network !== "none" || policy.caps.length > 0) return true;
  return Object.values(policy.packages ?? {}).some((p) => Object.values(p.modes).some((g) => g.network !== "none" || g.caps.length > 0));
}

/** What the runner knows of a task when a debugger asks for it. */
export interface TaskDebugFacts {
  /** its tool container runs (created, started, not yet ended) */
  running: boolean;
  /** the tool container as configured: its user, added capabilities and network */
  container: { user?: string; capAdd: string[]; network: string } | null;
  /** the grant the task runs under (the run's, or a dependency's) */
  policy: Pick<RunPolicy, "network" | "caps" | "packages">;
  /** it runs isolated under a dependency's grant */
  isolatedFor?: string;
  /** the run's arguments or the task's Cr hold a secret */
  holdsSecret: boolean;
}

export interface DebugRefusalOf {
  reason: DebugRefusal;
  message: string;
}

/** Why this task may not be debugged, or null when it may. */
export function taskDebugRefusal(f: TaskDebugFacts): DebugRefusalOf | null {
  if (!f.running || !f.container) return { reason: "task_not_running", message: "the task is not running" };
  const c = f.container;
  if (f.isolatedFor !== undefined || policyGrantsAnything(f.policy) || c.capAdd.length > 0 || c.network === "host" || (c.user ?? "") !== NOBODY) {
    return { reason: "granted", message: "the task runs under a grant (host network, capabilities or a dependency's grant): a shell in its container would hand that over" };
  }
  if (f.holdsSecret) return { reason: "secret", message: "the task holds a secret: a shell in its container would hand it over" };
  return null;
}

/** Whether a task may be paused before its entry: only a task a debugger could then reach. */
export function mayPauseBeforeEntry(f: Omit<TaskDebugFacts, "running">): boolean {
  return taskDebugRefusal({ ...f, running: true }) === null;
}
