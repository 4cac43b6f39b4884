"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import type { ActionProblem, ProblemState } from "../lib/actions/safe-action.ts";
import type { CommentView } from "../lib/types.ts";
import { ActionButton, ProblemNote } from "./action-problem.tsx";
import { formatTime } from "./time.ts";

/** A comment form's state: idle, saved (the count of saves, so the new-comment form starts empty again) or refused. */
export type CommentFormState = { saved: number; problem: ActionProblem | null };
export type CommentFormAction = (prev: CommentFormState, data: FormData) => Promise<CommentFormState>;
export type CommentButtonAction = (prev: ProblemState, data: FormData) => Promise<ProblemState>;

export interface CommentActions {
  post: CommentFormAction;
  edit: CommentFormAction;
  remove: CommentButtonAction;
  /** admins only */
  moderate: CommentButtonAction | null;
}

/**
 * A package's comments, oldest first, each as the server rendered its Markdown (listed tags only,
 * see lib/comments/markdown.ts), with its author's edit and delete and an admin's moderation; then
 * the form for a new one (signed in) or a link to sign in.
 */
export function CommentThread({
  namespace,
  name,
  comments,
  actions,
  signInHref,
  maxChars,
}: {
  namespace: string;
  name: string;
  comments: CommentView[];
  /** the body's cap (lib/schemas/comments.ts COMMENT_LIMITS.bodyChars) */
  maxChars: number;
  /** null when signed out */
  actions: CommentActions | null;
  signInHref: string;
}) {
  return (
    <section aria-label="Comments" className="space-y-3">
      {comments.length === 0 && <p className="text-sm text-zinc-500">No comments yet.</p>}
      <ol className="space-y-3">
        {comments.map((c) => (
          <li key={c.id}>
            <CommentItem comment={c} actions={actions} maxChars={maxChars} />
          </li>
        ))}
      </ol>
      {actions ? (
        <NewComment namespace={namespace} name={name} action={actions.post} maxChars={maxChars} />
      ) : (
        <p className="text-sm text-zinc-600">
          <Link href={signInHref}>Sign in</Link> to comment.
        </p>
      )}
    </section>
  );
}

function CommentItem({ comment: c, actions, maxChars }: { comment: CommentView; actions: CommentActions | null; maxChars: number }) {
  const [editing, setEditing] = useState(false);
  return (
    <article aria-label={`Comment by ${c.author}`} className={`card p-3 ${c.hidden ? "border-amber-300 bg-amber-50/40" : ""}`}>
      <header className="mb-2 flex flex-wrap items-baseline gap-2 text-xs text-zinc-500">
        <Link href={`/u/${encodeURIComponent(c.author)}`} className="font-semibold text-zinc-800">{c.author}</Link>
        <time dateTime={c.createdAt}>{formatTime(c.createdAt)}</time>
        {c.editedAt && (
          <span title={`edited ${c.edits} time${c.edits === 1 ? "" : "s"}`}>
            · edited <time dateTime={c.editedAt}>{formatTime(c.editedAt)}</time>
          </span>
        )}
        {c.hidden && (
          <span role="status" className="badge border-amber-300 bg-amber-100 text-amber-900">
            hidden by {c.hidden.by ?? "an admin"}{c.hidden.reason ? `: ${c.hidden.reason}` : ""}
          </span>
        )}
      </header>
      {editing && actions ? (
        <EditComment comment={c} action={actions.edit} done={() => setEditing(false)} maxChars={maxChars} />
      ) : (
        // the server's rendering: markdown-it without raw HTML, then an allowlist of tokens and attributes
        <div className="markdown" dangerouslySetInnerHTML={{ __html: c.html }} />
      )}
      {actions && !editing && (c.mine || actions.moderate) && (
        <footer className="mt-2 flex flex-wrap items-start gap-2">
          {c.mine && !c.hidden && (
            <button type="button" className="btn px-2 py-0.5 text-xs" onClick={() => setEditing(true)} aria-label={`Edit comment ${c.id}`}>
              Edit
            </button>
          )}
          {c.mine && (
            <ActionButton action={actions.remove} fields={{ id: c.id }} ariaLabel={`Delete comment ${c.id}`} className="btn btn-danger px-2 py-0.5 text-xs">
              Delete
            </ActionButton>
          )}
          {actions.moderate && <Moderation comment={c} action={actions.moderate} />}
        </footer>
      )}
    </article>
  );
}

function Moderation({ comment: c, action }: { comment: CommentView; action: CommentButtonAction }) {
  const [state, formAction, pending] = useActionState(action, { problem: null });
  return (
    <form action={formAction} aria-label={`Moderate comment ${c.id}`} className="flex flex-wrap items-center gap-2 text-xs">
      <input type="hidden" name="id" value={c.id} />
      <label className="sr-only" htmlFor={`reason-${c.id}`}>Reason</label>
      {!c.hidden && <input id={`reason-${c.id}`} name="reason" maxLength={500} placeholder="reason (optional)" className="input w-40 py-0.5 text-xs" />}
      <button type="submit" name="action" value={c.hidden ? "unhide" : "hide"} className="btn px-2 py-0.5 text-xs" disabled={pending}>
        {c.hidden ? "Show again" : "Hide"}
      </button>
      {!c.mine && (
        <button type="submit" name="action" value="delete" className="btn btn-danger px-2 py-0.5 text-xs" disabled={pending}>
          Delete as admin
        </button>
      )}
      {state.problem && <ProblemNote problem={state.problem} />}
    </form>
  );
}

function NewComment({ namespace, name, action, maxChars }: { namespace: string; name: string; action: CommentFormAction; maxChars: number }) {
  const [state, formAction, pending] = useActionState(action, { saved: 0, problem: null });
  return (
    // a new key after each save empties the text area
    <form key={state.saved} action={formAction} aria-label="New comment" className="card space-y-2 p-3">
      <input type="hidden" name="namespace" value={namespace} />
      <input type="hidden" name="name" value={name} />
      <label htmlFor="comment-body" className="label">Comment</label>
      <textarea
        id="comment-body"
        name="body"
        rows={4}
        maxLength={maxChars}
        required
        aria-invalid={state.problem?.fieldErrors?.body ? true : undefined}
        aria-describedby="comment-hint"
        className="input font-mono"
      />
      <p id="comment-hint" className="hint">Markdown: **bold**, `code`, lists, quotes, links. HTML and images are shown as text.</p>
      {state.problem && <ProblemNote problem={{ ...state.problem, message: state.problem.fieldErrors?.body ?? state.problem.message }} />}
      <button type="submit" className="btn btn-primary" disabled={pending}>
        Comment
      </button>
    </form>
  );
}

function EditComment({ comment: c, action, done, maxChars }: { comment: CommentView; action: CommentFormAction; done: () => void; maxChars: number }) {
  const [state, formAction, pending] = useActionState(async (prev: CommentFormState, data: FormData) => {
    const next = await action(prev, data);
    if (!next.problem) done();
    return next;
  }, { saved: 0, problem: null });
  return (
    <form action={formAction} aria-label={`Edit comment ${c.id}`} className="space-y-2">
      <input type="hidden" name="id" value={c.id} />
      <label htmlFor={`edit-${c.id}`} className="sr-only">Comment text</label>
      <textarea id={`edit-${c.id}`} name="body" rows={4} maxLength={maxChars} required defaultValue={c.body} className="input font-mono" />
      {state.problem && <ProblemNote problem={{ ...state.problem, message: state.problem.fieldErrors?.body ?? state.problem.message }} />}
      <div className="flex gap-2">
        <button type="submit" className="btn btn-primary px-2 py-0.5 text-xs" disabled={pending}>Save</button>
        <button type="button" className="btn px-2 py-0.5 text-xs" onClick={done}>Cancel</button>
      </div>
    </form>
  );
}
