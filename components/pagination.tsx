import Link from "next/link";

/** Previous/next links that keep every other query parameter. */
export function Pagination({ page, pageCount, basePath, query }: { page: number; pageCount: number; basePath: string; query: Record<string, string | undefined> }) {
  if (pageCount <= 1) return null;
  const href = (p: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    if (p > 1) params.set("page", String(p));
    const s = params.toString();
    return s ? `${basePath}?${s}` : basePath;
  };
  return (
    <nav aria-label="Pagination" className="mt-4 flex items-center justify-between text-sm">
      {page > 1 ? <Link className="btn" href={href(page - 1)} rel="prev">← Previous</Link> : <span className="btn opacity-40" aria-disabled="true">← Previous</span>}
      <span className="text-zinc-500">Page {page} of {pageCount}</span>
      {page < pageCount ? <Link className="btn" href={href(page + 1)} rel="next">Next →</Link> : <span className="btn opacity-40" aria-disabled="true">Next →</span>}
    </nav>
  );
}
