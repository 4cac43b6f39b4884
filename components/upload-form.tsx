"use client";

import Link from "next/link";
import { useActionState, useState } from "react";

import type { Problem } from "../lib/errors.ts";

export type UploadState =
  | { status: "idle" }
  | { status: "failed"; message: string; problems: Problem[] }
  | { status: "published"; namespace: string; name: string; version: string; href: string; private: boolean; warnings: Problem[] };

const ACCEPT = ".zip,.tar.gz,.tgz,.whl";

/** Archive upload: every problem introspection found is listed; on success, a link to the new version. */
export function UploadForm({ action, maxBytes }: { action: (state: UploadState, data: FormData) => Promise<UploadState>; maxBytes: number }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const [clientError, setClientError] = useState<string | null>(null);
  return (
    <div className="space-y-4">
      <form
        action={formAction}
        onSubmit={(e) => {
          const input = e.currentTarget.elements.namedItem("archive");
          const file = input instanceof HTMLInputElement ? input.files?.[0] : undefined;
          if (!file) {
            e.preventDefault();
            setClientError("Choose an archive to upload.");
          } else if (!/\.(zip|tar\.gz|tgz|whl)$/i.test(file.name)) {
            e.preventDefault();
            setClientError(`${file.name} is not a .zip, .tar.gz or .whl archive.`);
          } else if (file.size > maxBytes) {
            e.preventDefault();
            setClientError(`${file.name} is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${(maxBytes / 1048576).toFixed(0)} MB.`);
          } else setClientError(null);
        }}
        className="card space-y-3 p-4"
        aria-label="Upload a package"
      >
        <div>
          <label htmlFor="archive" className="label">Package archive</label>
          <input
            id="archive"
            name="archive"
            type="file"
            accept={ACCEPT}
            aria-describedby="archive-hint"
            aria-invalid={clientError ? true : undefined}
            className="mt-1 block w-full text-sm file:mr-3 file:rounded-md file:border file:border-zinc-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium hover:file:bg-zinc-50"
          />
          <p id="archive-hint" className="hint">
            A <code>.zip</code>, <code>.tar.gz</code> or wheel holding <code>pyproject.toml</code> and <code>lev/&lt;namespace&gt;/&lt;name&gt;/__init__.py</code>. Up to {(maxBytes / 1048576).toFixed(0)} MB.
          </p>
          {clientError && <p role="alert" className="field-error">{clientError}</p>}
        </div>
        <fieldset className="space-y-1 text-sm text-zinc-700">
          <legend className="label">Visibility</legend>
          {/* no choice means: private when the package is new, unchanged when it exists */}
          <label className="flex items-center gap-2">
            <input type="radio" name="visibility" value="" defaultChecked className="size-4 border-zinc-300" />
            As it is (a new package is private until you make it public; an existing one keeps its visibility)
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="visibility" value="private" className="size-4 border-zinc-300" />
            Private: only you (and admins) can see and run it
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="visibility" value="public" className="size-4 border-zinc-300" />
            Public: everyone can see and run it
          </label>
        </fieldset>
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {pending ? "Uploading and checking…" : "Upload"}
        </button>
      </form>

      {state.status === "failed" && (
        <section role="alert" aria-label="Upload failed" className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">
          <h2 className="font-semibold">Upload failed — nothing was published</h2>
          <p className="mt-1">{state.message}</p>
          {state.problems.length > 0 && (
            <ul className="mt-2 space-y-1">
              {state.problems.map((p, i) => (
                <li key={i} className="flex gap-2">
                  <span className={`shrink-0 self-start rounded px-1.5 text-xs font-semibold uppercase ${p.severity === "error" ? "bg-red-200 text-red-900" : "bg-amber-200 text-amber-900"}`}>{p.severity}</span>
                  {p.where && <code className="shrink-0 self-start pt-px text-xs">{p.where}</code>}
                  <span className="whitespace-pre-wrap break-words">{p.message}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {state.status === "published" && (
        <section role="status" aria-label="Upload succeeded" className="rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900">
          <h2 className="font-semibold">
            Published{" "}
            <Link href={state.href}>
              {state.namespace}.{state.name} {state.version}
            </Link>
            {state.private ? " privately" : " publicly"}
          </h2>
          {state.private && <p className="mt-1">Only you (and admins) can see and run it. Make it public on its page, or upload the next version as public.</p>}
          {state.warnings.length > 0 && (
            <ul className="mt-2 list-disc pl-5">
              {state.warnings.map((w, i) => (
                <li key={i}>
                  {w.where && <code className="text-xs">{w.where}</code>} {w.message}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
