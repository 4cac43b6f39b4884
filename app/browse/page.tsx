import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "../../components/empty-state.tsx";
import { FacetList, type FacetOption } from "../../components/facet-list.tsx";
import { PackageList } from "../../components/package-card.tsx";
import { Pagination } from "../../components/pagination.tsx";
import { browse, browseQuerySchema } from "../../lib/catalog/catalog.ts";
import { getViewer } from "../../lib/auth/session.ts";
import type { FacetCount } from "../../lib/types.ts";
import { one, type SearchParams } from "../_lib/load.ts";
import { favouritedPackages } from "../../lib/favourites/favourites.ts";
import { toggleFavouriteAction } from "../actions/favourites.ts";
import { toCard } from "../_lib/views.ts";

export const metadata: Metadata = { title: "Browse" };

function options(f: FacetCount[]): FacetOption[] {
  return f.map((x) => ({ value: x.key, label: x.label, count: x.count }));
}

export default async function BrowsePage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const raw = { q: one(sp.q), tactic: one(sp.tactic), category: one(sp.category), tag: one(sp.tag), kind: one(sp.kind), official: one(sp.official), page: one(sp.page) };
  const parsed = browseQuerySchema.safeParse(raw);
  const viewer = await getViewer();
  if (!parsed.success) {
    return (
      <EmptyState title="This search is not valid" action={<Link href="/browse" className="btn">Start over</Link>}>
        {parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ")}
      </EmptyState>
    );
  }
  const query = parsed.data;
  const result = await browse(viewer, query);
  const mine = await favouritedPackages(viewer, result.items.map((p) => p.id));
  const pageCount = Math.max(1, Math.ceil(result.total / result.pageSize));
  const keep: Record<string, string | undefined> = { q: raw.q, tactic: raw.tactic, category: raw.category, tag: raw.tag, kind: raw.kind, official: query.official ? "true" : undefined };
  const active = Object.entries(keep).filter(([, v]) => v);
  return (
    <div className="grid gap-6 md:grid-cols-[14rem_minmax(0,1fr)]">
      {/* on a phone the results come first and a link jumps to the filters: thirty facet rows above them hid them */}
      <aside id="filters" aria-label="Filters" className="order-last md:order-none">
        <FacetList title="Curation" param="official" options={options(result.facets.official)} selected={query.official ? "true" : undefined} query={keep} />
        <FacetList title="Kind" param="kind" options={options(result.facets.kind)} selected={raw.kind} query={keep} />
        <FacetList title="Tactic" param="tactic" options={options(result.facets.tactic)} selected={raw.tactic} query={keep} />
        <FacetList title="Category" param="category" options={options(result.facets.category)} selected={raw.category} query={keep} />
        <FacetList title="Tag" param="tag" options={options(result.facets.tag)} selected={raw.tag} query={keep} />
      </aside>
      <div>
        <form action="/browse" role="search" className="flex gap-2">
          {Object.entries(keep)
            .filter(([k, v]) => k !== "q" && v)
            .map(([k, v]) => (
              <input key={k} type="hidden" name={k} value={v} />
            ))}
          <label htmlFor="browse-q" className="sr-only">Search packages</label>
          <input id="browse-q" name="q" type="search" defaultValue={raw.q} placeholder="Search names, descriptions, docs and tags…" className="input" />
          <button type="submit" className="btn btn-primary">Search</button>
        </form>
        <div className="mt-3 flex flex-wrap items-center gap-2 text-sm text-zinc-600">
          <h1 className="font-semibold text-zinc-900">
            {result.total} {result.total === 1 ? "package" : "packages"}
          </h1>
          {active.map(([k, v]) => (
            <span key={k} className="badge">
              {k}: {v}
            </span>
          ))}
          {active.length > 0 && <Link href="/browse" className="text-xs">clear all</Link>}
          <a href="#filters" className="text-xs md:hidden">filters ↓</a>
        </div>
        <div className="mt-3">
          {result.items.length === 0 && active.length === 0 ? (
            <EmptyState title="No packages yet" action={<Link href="/upload" className="btn btn-primary">Upload a package</Link>}>
              Published packages appear here with their tactics, categories and tags.
            </EmptyState>
          ) : result.items.length === 0 ? (
            <EmptyState title="No package matches" action={<Link href="/browse" className="btn">Show every package</Link>}>
              Try fewer filters or another word; search looks at names, descriptions, docstrings and tags.
            </EmptyState>
          ) : (
            <PackageList packages={result.items.map((p) => toCard(p, mine))} favourite={viewer ? toggleFavouriteAction : null} />
          )}
        </div>
        <Pagination page={result.page} pageCount={pageCount} basePath="/browse" query={keep} />
      </div>
    </div>
  );
}
