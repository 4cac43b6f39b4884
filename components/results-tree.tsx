import Link from "next/link";
import type { CollectionNode } from "../lib/results/tree.ts";

function Branch({ nodes, hrefFor, current }: { nodes: CollectionNode[]; hrefFor: (coll: string) => string; current: string | undefined }) {
  return (
    <ul className="space-y-0.5 border-l border-zinc-200 pl-2">
      {nodes.map((n) => (
        <li key={n.path}>
          <div className="flex items-baseline justify-between gap-2">
            {n.coll ? (
              <Link href={hrefFor(n.coll)} aria-current={n.coll === current ? "page" : undefined} className={`truncate font-mono text-xs ${n.coll === current ? "font-semibold text-accent-700" : ""}`} title={n.coll}>
                {n.name}
              </Link>
            ) : (
              <span className="truncate font-mono text-xs text-zinc-600" title={n.path}>{n.name}</span>
            )}
            <span className="shrink-0 text-xs tabular-nums text-zinc-500">{n.documents.toLocaleString("en")}</span>
          </div>
          {n.children.length > 0 && <Branch nodes={n.children} hrefFor={hrefFor} current={current} />}
        </li>
      ))}
    </ul>
  );
}

/** The collections the viewer may read, as a tree of their `|` segments with document counts. */
export function ResultsTree({ nodes, hrefFor, current }: { nodes: CollectionNode[]; hrefFor: (coll: string) => string; current: string | undefined }) {
  if (!nodes.length) return <p className="text-sm text-zinc-500">No stored results yet.</p>;
  return (
    <nav aria-label="Collections" className="text-sm">
      <Branch nodes={nodes} hrefFor={hrefFor} current={current} />
    </nav>
  );
}
