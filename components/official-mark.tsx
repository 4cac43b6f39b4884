"use client";

import { useActionState } from "react";
import type { OfficialMark } from "../lib/types.ts";
import { formatTime } from "./time.ts";

export type OfficialState = { status: "idle" } | { status: "saved"; official: OfficialMark | null } | { status: "error"; message: string };

/** The small "official" badge of package cards and headers. */
export function OfficialBadge() {
  return (
    <span className="badge border-emerald-300 bg-emerald-50 text-emerald-800" title="An admin of this hub reviewed this package">
      ✓ official
    </span>
  );
}

/**
 * A package page's curation line: who reviewed the package and when (with the versions published
 * since, which the review did not see), and for admins the button that marks or unmarks it.
 */
export function OfficialReview({
  namespace,
  name,
  official,
  versions,
  action,
}: {
  namespace: string;
  name: string;
  official: OfficialMark | null;
  /** every version of the package; those published after the review are named */
  versions: { version: string; createdAt: string }[];
  /** present for admins only */
  action: ((state: OfficialState, data: FormData) => Promise<OfficialState>) | null;
}) {
  const [state, formAction, pending] = useActionState(action ?? (async (s: OfficialState) => s), { status: "idle" });
  if (!official && !action) return null;
  const publishedSince = official ? versions.filter((v) => Date.parse(v.createdAt) > Date.parse(official.at)).map((v) => v.version) : [];
  return (
    <section aria-label="Official mark" className="mt-2 flex flex-wrap items-center gap-2 text-sm">
      {official ? (
        <p className="text-emerald-800">
          <OfficialBadge /> Official · reviewed by {official.by ?? "a former admin"} on <time dateTime={official.at}>{formatTime(official.at)}</time> UTC
          {publishedSince.length > 0 && (
            <span className="ml-1 text-amber-800">— published since the review: {publishedSince.join(", ")}</span>
          )}
        </p>
      ) : (
        <p className="text-zinc-500">Not reviewed by an admin.</p>
      )}
      {action && official && publishedSince.length > 0 && (
        <CurationButton namespace={namespace} name={name} official label="Mark reviewed again" action={formAction} pending={pending} />
      )}
      {action && (
        <CurationButton namespace={namespace} name={name} official={!official} label={official ? "Remove official mark" : "Mark official"} action={formAction} pending={pending} />
      )}
      {state.status === "error" && <p role="alert" className="field-error">{state.message}</p>}
    </section>
  );
}

function CurationButton({ namespace, name, official, label, action, pending }: { namespace: string; name: string; official: boolean; label: string; action: (data: FormData) => void; pending: boolean }) {
  return (
    <form action={action}>
      <input type="hidden" name="namespace" value={namespace} />
      <input type="hidden" name="name" value={name} />
      <input type="hidden" name="official" value={official ? "true" : "false"} />
      <button type="submit" className="btn text-xs" disabled={pending}>
        {label}
      </button>
    </form>
  );
}
