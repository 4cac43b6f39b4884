/**
 * Who may do what with a comment, once the package it is on is visible to the caller (a comment on
 * a package the caller may not see does not exist for them). Pure.
 */
import { isAdmin } from "../access/permissions.ts";
import type { Viewer } from "../types.ts";

export interface CommentFacts {
  authorId: string;
  hidden: boolean;
}

/** A hidden comment is seen by its author (who learns it was hidden) and admins only. */
export function canSeeComment(viewer: Viewer | null, c: CommentFacts): boolean {
  if (!c.hidden) return true;
  return viewer !== null && (viewer.id === c.authorId || isAdmin(viewer));
}

/**
 * Why the viewer may not edit a comment, or null: only its author edits it, and not while it is
 * hidden (what a moderator hid stays as they judged it until they show it again).
 */
export function editRefusal(viewer: Viewer | null, c: CommentFacts): "not_author" | "hidden" | null {
  if (viewer === null || viewer.id !== c.authorId) return "not_author";
  return c.hidden ? "hidden" : null;
}

/** Its author deletes a comment, hidden or not; an admin removes others' through moderation (audited). */
export function canDeleteComment(viewer: Viewer | null, c: CommentFacts): boolean {
  return viewer !== null && viewer.id === c.authorId;
}

/** Admins hide, show again and delete anyone's comments. */
export function canModerateComments(viewer: Viewer | null): boolean {
  return isAdmin(viewer);
}
