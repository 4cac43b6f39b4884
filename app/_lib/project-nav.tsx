import Link from "next/link";

/** The breadcrumb of a project's assets and findings pages: Projects / <project> / <section>. */
export function ProjectCrumbs({ slug, name, trail }: { slug: string; name: string; trail: { label: string; href?: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" className="flex flex-wrap gap-x-1 text-sm text-zinc-500">
      <Link href="/projects">Projects</Link> <span aria-hidden>/</span> <Link href={`/projects/${slug}`}>{name}</Link>
      {trail.map((t, i) => (
        <span key={i} className="contents">
          <span aria-hidden>/</span> {t.href ? <Link href={t.href}>{t.label}</Link> : <span className="break-all">{t.label}</span>}
        </span>
      ))}
    </nav>
  );
}

/** A search params object as a query string without the keys given (for "next page" and "clear" links). */
export function queryWith(sp: Record<string, string | undefined>, changes: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...sp, ...changes })) if (v !== undefined && v !== "") params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : "";
}
