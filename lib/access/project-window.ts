/**
 * A project's authorised window: the time runs may run in (an engagement's dates). Either end may
 * be open. Checked at submit (a run outside it is refused), at claim (a queued run is ended
 * `OutsideWindow`), while running (the janitor ends runs once it closed) and when a saved scan
 * fires (it skips, with the reason on the scan). Pure; instants are UTC, pages show them in the
 * viewer's zone.
 */

export interface ProjectWindow {
  windowStart: Date | null;
  windowEnd: Date | null;
}

export type WindowState =
  /** no window set: always open */
  | { state: "always" }
  | { state: "open"; closesAt: Date | null }
  | { state: "not-yet"; opensAt: Date }
  | { state: "closed"; closedAt: Date };

export function windowState(w: ProjectWindow, now: Date): WindowState {
  if (!w.windowStart && !w.windowEnd) return { state: "always" };
  if (w.windowEnd && now.getTime() >= w.windowEnd.getTime()) return { state: "closed", closedAt: w.windowEnd };
  if (w.windowStart && now.getTime() < w.windowStart.getTime()) return { state: "not-yet", opensAt: w.windowStart };
  return { state: "open", closesAt: w.windowEnd };
}

export function isInsideWindow(w: ProjectWindow, now: Date): boolean {
  const s = windowState(w, now).state;
  return s === "always" || s === "open";
}

/** The window in words, UTC ("2026-12-01 09:00 UTC – 2026-12-05 18:00 UTC", "from …", "until …"). */
export function describeWindow(w: ProjectWindow): string {
  const at = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  if (w.windowStart && w.windowEnd) return `${at(w.windowStart)} – ${at(w.windowEnd)}`;
  if (w.windowStart) return `from ${at(w.windowStart)}`;
  if (w.windowEnd) return `until ${at(w.windowEnd)}`;
  return "always";
}

/**
 * Why a run of the project may not run now, naming the window; null inside it. The same words at
 * submit, at claim, for a running run and for a scan's skipped firing.
 */
export function outsideWindowMessage(project: ProjectWindow & { slug: string }, now: Date): string | null {
  const s = windowState(project, now);
  if (s.state === "closed") return `project ${project.slug}'s authorised window closed at ${s.closedAt.toISOString()} (${describeWindow(project)})`;
  if (s.state === "not-yet") return `project ${project.slug}'s authorised window opens at ${s.opensAt.toISOString()} (${describeWindow(project)})`;
  return null;
}
