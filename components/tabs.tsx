import Link from "next/link";

export interface TabItem {
  key: string;
  label: string;
  href: string;
  count?: number;
}

/** Link-based tabs (each tab is its own URL, so it can be shared and works without JavaScript). */
export function Tabs({ items, active, label }: { items: TabItem[]; active: string; label: string }) {
  return (
    <nav aria-label={label} className="overflow-x-auto overflow-y-hidden border-b border-zinc-200">
      <ul className="-mb-px flex gap-1 whitespace-nowrap">
        {items.map((t) => {
          const current = t.key === active;
          return (
            <li key={t.key}>
              <Link
                href={t.href}
                aria-current={current ? "page" : undefined}
                className={`inline-flex items-center gap-1.5 border-b-2 px-3 py-2 text-sm hover:no-underline ${current ? "border-accent-600 font-semibold text-zinc-900" : "border-transparent text-zinc-600 hover:border-zinc-300 hover:text-zinc-900"}`}
              >
                {t.label}
                {t.count !== undefined && <span className="rounded-full bg-zinc-100 px-1.5 text-xs tabular-nums text-zinc-600">{t.count}</span>}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
