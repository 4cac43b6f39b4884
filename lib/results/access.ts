/**
 * Whose result documents a viewer may read: their own runs' documents; an admin, everyone's.
 * Every results query starts from this scope (lib/results/where.ts puts it first). Pure.
 */
import { isAdmin } from "../access/permissions.ts";
import type { Viewer } from "../types.ts";

export type ResultScope = { all: true } | { all: false; ownerId: string };

export function resultScope(viewer: Viewer): ResultScope {
  return isAdmin(viewer) ? { all: true } : { all: false, ownerId: viewer.id };
}
