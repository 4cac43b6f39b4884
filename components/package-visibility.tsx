"use client";

import { useActionState } from "react";

export type VisibilityState = { status: "idle" } | { status: "saved"; private: boolean } | { status: "error"; message: string };

/** For the package's owner (and admins): who sees the package, and the button that changes it. */
export function PackageVisibility({
  namespace,
  name,
  isPrivate,
  action,
}: {
  namespace: string;
  name: string;
  isPrivate: boolean;
  action: (state: VisibilityState, data: FormData) => Promise<VisibilityState>;
}) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const now = state.status === "saved" ? state.private : isPrivate;
  return (
    <form action={formAction} className="mt-2 flex flex-wrap items-center gap-2 text-sm" aria-label="Visibility">
      <input type="hidden" name="namespace" value={namespace} />
      <input type="hidden" name="name" value={name} />
      <input type="hidden" name="private" value={now ? "false" : "true"} />
      <span role="status" className="text-zinc-600">
        {now ? "Private: only you (and admins) can see and run it." : "Public: everyone can see and run it."}
      </span>
      <button type="submit" className="btn py-0.5 text-xs" disabled={pending}>
        {now ? "Make public" : "Make private"}
      </button>
      {state.status === "error" && <span role="alert" className="field-error">{state.message}</span>}
    </form>
  );
}
