"use client";

import { useEffect, useState } from "react";
import { plural } from "../runner/src/plural.ts";

/** Strings longer than this show a "show all" button. */
const STRING_PREVIEW = 300;
/** Children of an object or array rendered per step ("show more"). */
const CHILDREN_STEP = 100;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function LongString({ value }: { value: string }) {
  const [all, setAll] = useState(false);
  if (value.length <= STRING_PREVIEW || all) return <span className="text-emerald-700">{JSON.stringify(value)}</span>;
  return (
    <span>
      <span className="text-emerald-700">{JSON.stringify(value.slice(0, STRING_PREVIEW))}</span>
      <button type="button" className="ml-1 text-xs text-accent-700 underline" onClick={() => setAll(true)}>
        show all {value.length.toLocaleString()} characters
      </button>
    </span>
  );
}

function Scalar({ value }: { value: Json }) {
  if (typeof value === "string") return <LongString value={value} />;
  if (typeof value === "number") return <span className="text-sky-700">{String(value)}</span>;
  if (typeof value === "boolean" || value === null) return <span className="text-violet-700">{String(value)}</span>;
  return null;
}

/**
 * One node of the tree. Its children are rendered only once it is opened, a step at a time, so a
 * 4 MB document costs what is on screen, never the whole thing at once. Keys are shown as text
 * (dots, `$`, control characters included): React escapes them.
 */
function Node({ name, value, open: initiallyOpen }: { name: string | null; value: Json; open: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  const [shown, setShown] = useState(CHILDREN_STEP);
  const label = name === null ? null : <span className="text-zinc-700">{JSON.stringify(name)}: </span>;
  if (value === null || typeof value !== "object") {
    return (
      <div className="pl-4">
        {label}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: Array<[string, Json]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const [openMark, closeMark] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  const summary = Array.isArray(value) ? plural(entries.length, "item") : plural(entries.length, "field");
  return (
    <div className="pl-4">
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)} className="-ml-4 w-4 text-zinc-400 hover:text-zinc-700" aria-label={open ? "collapse" : "expand"}>
        {open ? "▾" : "▸"}
      </button>
      {label}
      {openMark}
      {!open && (
        <>
          <span className="text-xs text-zinc-500"> {summary} </span>
          {closeMark}
        </>
      )}
      {open && (
        <>
          {entries.slice(0, shown).map(([k, v]) => (
            <Node key={k} name={Array.isArray(value) ? null : k} value={v} open={false} />
          ))}
          {entries.length > shown && (
            <div className="pl-4">
              <button type="button" className="text-xs text-accent-700 underline" onClick={() => setShown(shown + CHILDREN_STEP)}>
                show {Math.min(CHILDREN_STEP, entries.length - shown)} more of {entries.length - shown}
              </button>
            </div>
          )}
          <div>{closeMark}</div>
        </>
      )}
    </div>
  );
}

/** A collapsible JSON view of one value, its first level open. */
export function JsonTree({ value, label }: { value: unknown; label: string }) {
  return (
    <div role="tree" aria-label={label} className="overflow-x-auto rounded-md border border-zinc-200 bg-zinc-50 p-2 font-mono text-xs leading-5">
      <Node name={null} value={value as Json} open />
    </div>
  );
}

/** The whole document, fetched when this view first opens (the table holds only previews). */
export function ResultDocumentJson({ id, label }: { id: string; label: string }) {
  const [state, setState] = useState<{ doc?: unknown; error?: string }>({});
  useEffect(() => {
    const ctl = new AbortController();
    fetch(`/api/results/documents/${encodeURIComponent(id)}`, { signal: ctl.signal })
      .then(async (res) => {
        const body = await res.json();
        setState(res.ok ? { doc: body.doc } : { error: body?.error?.message ?? `HTTP ${res.status}` });
      })
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setState({ error: err instanceof Error ? err.message : "could not load the document" });
      });
    return () => ctl.abort();
  }, [id]);
  if (state.error) return <p className="text-sm text-red-700">{state.error}</p>;
  if (!("doc" in state)) return <p className="text-sm text-zinc-500">Loading the document…</p>;
  return <JsonTree value={state.doc} label={label} />;
}
