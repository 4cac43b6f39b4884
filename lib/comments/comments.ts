import "server-only";
import { db } from "../platform/db.ts";
import { audit, type AuditAction } from "../platform/audit.ts";
import { admit } from "../platform/rate-limit.ts";
import { conflict, forbidden, notFound } from "../errors.ts";
import { parseWith } from "../api/http.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { isAdmin } from "../access/permissions.ts";
import { visiblePackageRef, type PackageRef } from "../catalog/package-ref.ts";
import { COMMENT_LIMITS, commentIdSchema, commentWriteSchema, moderationSchema, postCommentInputSchema, type ModerationAction } from "../schemas/comments.ts";
import type { CommentPage, CommentView, Viewer } from "../types.ts";
import { canDeleteComment, canModerateComments, canSeeComment, editRefusal } from "./access.ts";
import { commentLimiters, commentRateLimited, type CommentLimiters } from "./limits.ts";
import { renderCommentMarkdown } from "./markdown.ts";

export interface CommentDeps {
  limiters: CommentLimiters;
}

const commentSelect = {
  id: true,
  packageId: true,
  authorId: true,
  body: true,
  createdAt: true,
  editedAt: true,
  edits: true,
  hiddenAt: true,
  hiddenReason: true,
  author: { select: { username: true } },
  hiddenBy: { select: { username: true } },
} satisfies Prisma.CommentSelect;

type CommentRow = Prisma.CommentGetPayload<{ select: typeof commentSelect }>;

const facts = (row: { authorId: string; hiddenAt: Date | null }) => ({ authorId: row.authorId, hidden: row.hiddenAt !== null });

function toView(viewer: Viewer | null, row: CommentRow): CommentView {
  return {
    id: row.id,
    author: row.author.username,
    body: row.body,
    html: renderCommentMarkdown(row.body),
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt?.toISOString() ?? null,
    edits: row.edits,
    hidden: row.hiddenAt ? { at: row.hiddenAt.toISOString(), by: row.hiddenBy?.username ?? null, reason: row.hiddenReason } : null,
    mine: viewer !== null && viewer.id === row.authorId,
    canModerate: canModerateComments(viewer),
  };
}

/** The comments of a package the viewer sees: every one for admins, else the shown ones and the viewer's own. */
function seenWhere(viewer: Viewer | null, packageId: string): Prisma.CommentWhereInput {
  if (isAdmin(viewer)) return { packageId };
  return { packageId, OR: [{ hiddenAt: null }, ...(viewer ? [{ authorId: viewer.id }] : [])] };
}

/** How many comments of the package the viewer sees (the tab's count); the package must be visible to them already. */
export async function commentCount(viewer: Viewer | null, packageId: string): Promise<number> {
  return db().comment.count({ where: seenWhere(viewer, packageId) });
}

/** A page of a package's comments, oldest first, rendered. 404 when the viewer may not see the package. */
export async function listComments(viewer: Viewer | null, ns: string, name: string, page = 1): Promise<CommentPage> {
  const pkg = await visiblePackageRef(viewer, ns, name);
  const where = seenWhere(viewer, pkg.id);
  const pageSize = COMMENT_LIMITS.pageSize;
  const at = Number.isFinite(page) ? Math.min(100_000, Math.max(1, Math.floor(page))) : 1;
  const [total, rows] = await Promise.all([
    db().comment.count({ where }),
    db().comment.findMany({ where, select: commentSelect, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip: (at - 1) * pageSize, take: pageSize }),
  ]);
  return { items: rows.map((r) => toView(viewer, r)), total, page: at, pageSize };
}

/**
 * The comment by id with its package, as the viewer may see it: 404 alike when it does not exist,
 * when its package is hidden from the viewer, and when it is hidden and not theirs.
 */
async function seenComment(viewer: Viewer, rawId: unknown): Promise<{ row: CommentRow; pkg: PackageRef }> {
  const id = parseWith(commentIdSchema, rawId);
  const row = await db().comment.findUnique({ where: { id }, select: { ...commentSelect, package: { select: { name: true, namespace: { select: { name: true } } } } } });
  if (!row) throw notFound(`comment ${id}`);
  const pkg = await visiblePackageRef(viewer, row.package.namespace.name, row.package.name).catch(() => null);
  if (!pkg || !canSeeComment(viewer, facts(row))) throw notFound(`comment ${id}`);
  return { row, pkg };
}

function admitWrite(viewer: Viewer, deps: CommentDeps) {
  const admission = admit([
    [deps.limiters.perMinute, viewer.id],
    [deps.limiters.perHour, viewer.id],
  ]);
  if (!admission.ok) throw commentRateLimited(admission.retryAfterMs);
  return admission;
}

/** A new comment by the viewer on a package they see; counted by the rate limit (429 past it, nothing stored). */
export async function postComment(viewer: Viewer, input: unknown, deps: CommentDeps = { limiters: commentLimiters() }): Promise<CommentView> {
  const { namespace, name, body } = parseWith(postCommentInputSchema, input);
  const pkg = await visiblePackageRef(viewer, namespace, name);
  const admission = admitWrite(viewer, deps);
  try {
    const row = await db().comment.create({ data: { packageId: pkg.id, authorId: viewer.id, body }, select: commentSelect });
    return toView(viewer, row);
  } catch (err) {
    admission.undo();
    throw err;
  }
}

/** Its author changes a comment's text (not while hidden: 409); counted by the rate limit like a new one. */
export async function editComment(viewer: Viewer, id: unknown, input: unknown, deps: CommentDeps = { limiters: commentLimiters() }): Promise<CommentView> {
  const { body } = parseWith(commentWriteSchema, input);
  const { row } = await seenComment(viewer, id);
  const refusal = editRefusal(viewer, facts(row));
  if (refusal === "not_author") throw forbidden("only its author may edit a comment");
  if (refusal === "hidden") throw conflict("an admin hid this comment: it cannot be edited while hidden");
  const admission = admitWrite(viewer, deps);
  // the WHERE repeats the checks, so a hide that lands meanwhile is not overwritten
  const done = await db().comment.updateMany({ where: { id: row.id, authorId: viewer.id, hiddenAt: null }, data: { body, editedAt: new Date(), edits: { increment: 1 } } });
  if (done.count === 0) {
    admission.undo();
    throw conflict("the comment changed meanwhile (hidden or deleted): reload it");
  }
  return toView(viewer, await db().comment.findUniqueOrThrow({ where: { id: row.id }, select: commentSelect }));
}

/** Its author deletes a comment (hidden or not); others are refused (403), admins moderate instead. */
export async function deleteComment(viewer: Viewer, id: unknown): Promise<void> {
  const { row } = await seenComment(viewer, id);
  if (!canDeleteComment(viewer, facts(row))) throw forbidden("only its author may delete a comment; admins remove others' through moderation");
  await db().comment.deleteMany({ where: { id: row.id, authorId: viewer.id } });
}

const AUDIT_ACTION: Record<ModerationAction, AuditAction> = { hide: "comment.hide", unhide: "comment.unhide", delete: "comment.delete" };

/**
 * An admin hides a comment (its author and admins still see it, marked), shows it again, or deletes
 * it; each is audited with the package, the author and the text as it was. Returns the comment as
 * it is now (null once deleted).
 */
export async function moderateComment(viewer: Viewer, id: unknown, input: unknown): Promise<CommentView | null> {
  if (!canModerateComments(viewer)) throw forbidden("only an admin may moderate comments");
  const { action, reason = "" } = parseWith(moderationSchema, input);
  const { row, pkg } = await seenComment(viewer, id);
  const record = { package: pkg.fullName, author: row.author.username, body: row.body, ...(reason ? { reason } : {}) };
  const gone = () => notFound(`comment ${row.id}`);
  if (action === "delete") {
    if ((await db().comment.deleteMany({ where: { id: row.id } })).count === 0) throw gone();
    await audit(viewer.id, AUDIT_ACTION.delete, row.id, record);
    return null;
  }
  const data = action === "hide" ? { hiddenAt: new Date(), hiddenById: viewer.id, hiddenReason: reason } : { hiddenAt: null, hiddenById: null, hiddenReason: "" };
  if ((await db().comment.updateMany({ where: { id: row.id }, data })).count === 0) throw gone();
  await audit(viewer.id, AUDIT_ACTION[action], row.id, record);
  return toView(viewer, await db().comment.findUniqueOrThrow({ where: { id: row.id }, select: commentSelect }));
}
