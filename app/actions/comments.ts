"use server";

import { revalidatePath } from "next/cache";
import type { CommentFormState } from "../../components/comment-thread.tsx";
import { adminAction, problemOf, safeAction, type ProblemState } from "../../lib/actions/safe-action.ts";
import { deleteComment, editComment, moderateComment, postComment } from "../../lib/comments/comments.ts";
import { deleteCommentInputSchema, editCommentInputSchema, moderateCommentInputSchema, postCommentInputSchema } from "../../lib/schemas/comments.ts";

const post = safeAction(postCommentInputSchema, (input, viewer) => postComment(viewer, input));
const edit = safeAction(editCommentInputSchema, (input, viewer) => editComment(viewer, input.id, { body: input.body }));
const remove = safeAction(deleteCommentInputSchema, (input, viewer) => deleteComment(viewer, input.id));
const moderate = adminAction(moderateCommentInputSchema, (input, viewer) => moderateComment(viewer, input.id, { action: input.action, ...(input.reason ? { reason: input.reason } : {}) }));

const text = (data: FormData, name: string) => data.get(name) ?? undefined;
/** every package page: a comment's page is known only from the database, never from the form */
const refreshPackagePages = () => revalidatePath("/p/[ns]/[name]", "page");

/** The package page's "Comment" form. */
export async function postCommentAction(prev: CommentFormState, data: FormData): Promise<CommentFormState> {
  const res = await post({ namespace: text(data, "namespace"), name: text(data, "name"), body: text(data, "body") });
  if (!res.ok) return { saved: prev.saved, problem: problemOf(res) };
  refreshPackagePages();
  return { saved: prev.saved + 1, problem: null };
}

/** A comment's "Edit" form (its author). */
export async function editCommentAction(prev: CommentFormState, data: FormData): Promise<CommentFormState> {
  const res = await edit({ id: text(data, "id"), body: text(data, "body") });
  if (!res.ok) return { saved: prev.saved, problem: problemOf(res) };
  refreshPackagePages();
  return { saved: prev.saved + 1, problem: null };
}

/** A comment's "Delete" button (its author). */
export async function deleteCommentAction(_prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await remove({ id: text(data, "id") });
  if (!res.ok) return { problem: problemOf(res) };
  refreshPackagePages();
  return { problem: null };
}

/** An admin's "Hide" / "Show again" / "Delete as admin" (audited). */
export async function moderateCommentAction(_prev: ProblemState, data: FormData): Promise<ProblemState> {
  const reason = text(data, "reason");
  const res = await moderate({ id: text(data, "id"), action: text(data, "action"), ...(reason ? { reason } : {}) });
  if (!res.ok) return { problem: problemOf(res) };
  refreshPackagePages();
  return { problem: null };
}
