import type { WindowBadgeState } from "../../components/projects/window-badge.tsx";
import type { ProjectChoice } from "../../components/projects/project-select.tsx";
import { windowState } from "../../lib/access/project-window.ts";
import type { ProjectSummary } from "../../lib/projects/types.ts";

/** A project's window now, for the badge (computed at render, on the server). */
export function windowBadge(p: Pick<ProjectSummary, "windowStart" | "windowEnd">, now: Date): WindowBadgeState {
  const s = windowState({ windowStart: p.windowStart ? new Date(p.windowStart) : null, windowEnd: p.windowEnd ? new Date(p.windowEnd) : null }, now);
  switch (s.state) {
    case "always":
      return s;
    case "open":
      return { state: "open", closesAt: s.closesAt?.toISOString() ?? null };
    case "not-yet":
      return { state: "not-yet", opensAt: s.opensAt.toISOString() };
    case "closed":
      return { state: "closed", closedAt: s.closedAt.toISOString() };
  }
}

export function projectChoice(p: ProjectSummary, now: Date): ProjectChoice {
  const w = windowBadge(p, now);
  return { slug: p.slug, name: p.name, personal: p.personal, windowNote: w.state === "closed" ? "window closed" : w.state === "not-yet" ? "window not open yet" : null };
}
