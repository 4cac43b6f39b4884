import Link from "next/link";
import type { CategoryCount } from "../lib/types.ts";

/** Every category of one taxonomy with its package count; empty ones stay visible but muted. */
export function CategoryOverview({ title, param, items, columns = 2 }: { title: string; param: "tactic" | "category"; items: CategoryCount[]; columns?: 2 | 3 }) {
  const headingId = `cat-${param}`;
  return (
    <section aria-labelledby={headingId} className="card">
      <h2 id={headingId} className="border-b border-zinc-200 px-4 py-2.5 text-sm font-semibold">{title}</h2>
      <ul className={`grid grid-cols-1 gap-px bg-zinc-100 sm:grid-cols-2 ${columns === 3 ? "lg:grid-cols-3" : ""}`}>
        {items.map((it) => {
          const empty = it.count === 0;
          return (
            <li key={it.key} className="bg-white">
              <Link
                href={`/browse?${param}=${encodeURIComponent(it.key)}`}
                aria-label={`${it.label}: ${it.count} ${it.count === 1 ? "package" : "packages"}`}
                className={`flex items-center gap-2 px-4 py-2 text-sm hover:bg-zinc-50 hover:no-underline ${empty ? "text-zinc-400" : "text-zinc-800"}`}
              >
                {it.id && <span className="w-14 font-mono text-xs text-zinc-400">{it.id}</span>}
                <span className={empty ? "" : "font-medium"}>{it.label}</span>
                <span className={`ml-auto rounded-full px-2 text-xs tabular-nums ${empty ? "bg-zinc-50 text-zinc-400" : "bg-accent-50 font-semibold text-accent-700"}`}>{it.count}</span>
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
