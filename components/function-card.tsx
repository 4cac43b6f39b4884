import Link from "next/link";
import type { ReactNode } from "react";
import { CodeBlock } from "./code-block.tsx";
import { InlineText } from "./inline-text.tsx";
import { ParamsTable, type ParamView } from "./params-table.tsx";
import type { GrantWordsInput } from "./grant-words.ts";
import { Privileges, type PrivilegeGap, type PrivilegesView } from "./privileges.tsx";

export interface FunctionView {
  name: string;
  qualified: string;
  kind: "mode" | "workflow";
  desc: string;
  description: string;
  example: string | null;
  params: ParamView[];
  tags: string[];
  /** what it asks for (absent in manifests older than this field) and what of it is not granted */
  privileges?: PrivilegesView;
  /** what the grants covering it give it */
  granted?: GrantWordsInput;
  missing?: PrivilegeGap | null;
}

/** One mode or workflow on a package's introduction: what it does, an example, its parameters and a Run link (`actions`: more controls beside it, e.g. its favourite star). */
export function FunctionCard({ fn, runHref, actions = null }: { fn: FunctionView; runHref: string | null; actions?: ReactNode }) {
  const headingId = `fn-${fn.qualified.replace(/[^a-zA-Z0-9_-]/g, "-")}`;
  return (
    <section aria-labelledby={headingId} className="card p-4">
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={headingId} className="font-mono text-[15px] font-semibold">{fn.qualified}</h3>
        <span className={`badge ${fn.kind === "workflow" ? "border-teal-200 bg-teal-50 text-teal-800" : ""}`}>{fn.kind}</span>
        {fn.desc && fn.desc !== fn.description && <span className="text-sm text-zinc-500">{fn.desc}</span>}
        {actions && <span className="ml-auto">{actions}</span>}
        {runHref && (
          <Link href={runHref} className={`btn btn-primary ${actions ? "" : "ml-auto"}`} aria-label={`Run ${fn.qualified}`}>
            ▶ Run
          </Link>
        )}
      </div>
      {fn.description && (
        <p className="mt-2 whitespace-pre-line text-sm text-zinc-700">
          <InlineText text={fn.description} />
        </p>
      )}
      {fn.privileges && (
        <div className="mt-3">
          <Privileges declared={fn.privileges} granted={fn.granted ?? { network: "none", caps: [] }} missing={fn.missing ?? null} />
        </div>
      )}
      {fn.example && (
        <div className="mt-3">
          <h4 className="h-section mb-1">Example</h4>
          <CodeBlock code={fn.example} language="python" label={`Example for ${fn.qualified}`} />
        </div>
      )}
      <div className="mt-3">
        <h4 className="h-section mb-1">Parameters</h4>
        <ParamsTable params={fn.params} caption={`Parameters of ${fn.qualified}`} />
      </div>
    </section>
  );
}
