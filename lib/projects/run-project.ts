import "server-only";
import { db } from "../platform/db.ts";
import { AppError, notFound } from "../errors.ts";
import { outsideWindowMessage } from "../access/project-window.ts";
import type { Viewer } from "../types.ts";
import { requireRight } from "./access.ts";

/** The project a new run (or saved scan) goes to, once the viewer may run there. */
export interface RunProject {
  id: string;
  slug: string;
  windowStart: Date | null;
  windowEnd: Date | null;
  /** the viewer runs there as an admin, not as a member */
  asAdmin: boolean;
}

const select = { id: true, slug: true, windowStart: true, windowEnd: true } as const;

/**
 * Where a run or scan goes: the project named by slug, the one given by id (a scan's, a re-run's),
 * else the viewer's personal project. A project the viewer may not read is not found; one they
 * only read (a viewer) is forbidden.
 */
export async function projectToRunIn(viewer: Viewer, which: { slug?: string | null; id?: string | null }): Promise<RunProject> {
  const row = which.id
    ? await db().project.findUnique({ where: { id: which.id }, select })
    : which.slug
      ? await db().project.findUnique({ where: { slug: which.slug }, select })
      : await db().project.findUnique({ where: { personalOwnerId: viewer.id }, select });
  const what = which.slug ? `project ${which.slug}` : "project";
  if (!row) throw notFound(what);
  const { asAdmin } = await requireRight(viewer, row.id, "run", what);
  return { ...row, asAdmin };
}

/**
 * A run refused because its project's authorised window is not open (422, naming the window). Its
 * own class, so a scheduled scan skips such a firing (and stays on) instead of being disabled.
 */
export class OutsideWindowError extends AppError {
  constructor(message: string) {
    super("validation", `no run was started: ${message}`, { fieldErrors: { project: message } });
  }
}

/** Refuses a run outside the project's authorised window; nothing is made. */
export function assertInsideWindow(project: RunProject, now = new Date()): void {
  const outside = outsideWindowMessage(project, now);
  if (outside) throw new OutsideWindowError(outside);
}
