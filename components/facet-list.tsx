import Link from "next/link";

export interface FacetOption {
  value: string;
  label: string;
  count: number;
}

/** A browse facet: each option links to the same query with this facet set (or cleared). */
export function FacetList({ title, param, options, selected, query }: { title: string; param: string; options: FacetOption[]; selected: string | undefined; query: Record<string, string | undefined> }) {
  const href = (value: string | undefined) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v && k !== param && k !== "page") params.set(k, v);
    if (value) params.set(param, value);
    const s = params.toString();
    return s ? `/browse?${s}` : "/browse";
  };
  const headingId = `facet-${param}`;
  return (
    <section aria-labelledby={headingId} className="mb-5">
      <h2 id={headingId} className="h-section mb-1.5">{title}</h2>
      <ul className="space-y-0.5 text-sm">
        {selected && (
          <li>
            <Link href={href(undefined)} className="text-xs text-zinc-500">✕ clear {title.toLowerCase()}</Link>
          </li>
        )}
        {options.length === 0 && <li className="px-2 text-xs text-zinc-400">none</li>}
        {options.map((o) => {
          const active = selected === o.value;
          return (
            <li key={o.value}>
              <Link
                href={href(active ? undefined : o.value)}
                aria-current={active ? "true" : undefined}
                className={`flex items-center justify-between rounded px-2 py-1 hover:bg-zinc-100 hover:no-underline ${active ? "bg-accent-50 font-semibold text-accent-700" : o.count === 0 ? "text-zinc-400" : "text-zinc-700"}`}
              >
                <span>{o.label}</span>
                <span className="text-xs tabular-nums text-zinc-400">{o.count}</span>
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
