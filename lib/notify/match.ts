/**
 * Which rules hear of which events (pure). The dispatcher (dispatch.ts) asks this for every
 * undelivered outbox event and every enabled rule that could concern its project; what the
 * database decides (a user rule's user may still read the project) comes in as `userMayRead`.
 */
import { FINDING_SEVERITIES, type FindingSeverity } from "../schemas/finding-vocabulary.ts";
import type { ProjectEventType } from "../events/events.ts";

export interface MatchEvent {
  projectId: string;
  type: string;
  data: unknown;
}

export interface MatchRule {
  projectId: string | null;
  userId: string | null;
  enabled: boolean;
  eventTypes: readonly string[];
  minSeverity: FindingSeverity | null;
}

/** Event types whose data lists findings with a severity: a rule's minimum applies to these only. */
export const SEVERITY_EVENTS: readonly ProjectEventType[] = ["finding.new", "finding.reopened"];

export function severityRank(s: string): number {
  return FINDING_SEVERITIES.indexOf(s as FindingSeverity);
}

/** The worst severity an event's findings carry, or null when it lists none. */
export function worstSeverity(data: unknown): FindingSeverity | null {
  const findings = (data as { findings?: unknown } | null)?.findings;
  if (!Array.isArray(findings)) return null;
  let worst = -1;
  for (const f of findings) worst = Math.max(worst, severityRank(String((f as { severity?: unknown })?.severity)));
  return worst < 0 ? null : FINDING_SEVERITIES[worst];
}

/**
 * Whether `rule` is to be told of `event`. A project rule hears its own project's events; a user
 * rule hears every project its user may read (`userMayRead`, decided when the event is dispatched,
 * so someone removed from a project stops hearing of it).
 */
export function ruleMatches(event: MatchEvent, rule: MatchRule, userMayRead: boolean): boolean {
  if (!rule.enabled || !rule.eventTypes.includes(event.type)) return false;
  if (rule.projectId !== null ? rule.projectId !== event.projectId : !rule.userId || !userMayRead) return false;
  if (rule.minSeverity && (SEVERITY_EVENTS as readonly string[]).includes(event.type)) {
    const worst = worstSeverity(event.data);
    return worst !== null && severityRank(worst) >= severityRank(rule.minSeverity);
  }
  return true;
}
