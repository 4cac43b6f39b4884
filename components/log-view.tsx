"use client";

import { useEffect, useRef } from "react";
import type { LogLineView } from "../lib/types.ts";

/** A terminal-like log that follows new lines while the reader is at the bottom. */
export function LogView({ lines, live }: { lines: LogLineView[]; live: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <div
      ref={ref}
      role="log"
      aria-label="Run logs"
      aria-live={live ? "polite" : "off"}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
      className="max-h-96 min-h-28 overflow-auto rounded-md border border-zinc-800 bg-zinc-950 p-3 font-mono text-[12.5px] leading-5 text-zinc-200"
    >
      {lines.length === 0 && <p className="text-zinc-500">{live ? "Waiting for output…" : "No output."}</p>}
      {lines.map((l, i) => (
        <div key={i} className={`whitespace-pre-wrap break-all ${l.stream === "stderr" ? "text-amber-300" : l.stream === "system" ? "text-sky-300" : ""}`}>
          <span className="mr-2 select-none text-zinc-500">[{l.task === 0 ? "wf" : `t${l.task}`}]</span>
          {l.line}
        </div>
      ))}
    </div>
  );
}
