import Link from "next/link";
import { CategoryOverview } from "../components/category-overview.tsx";
import { EmptyState } from "../components/empty-state.tsx";
import { PackageList } from "../components/package-card.tsx";
import { homeCatalog } from "../lib/catalog/catalog.ts";
import { getViewer } from "../lib/auth/session.ts";
import { favouritedPackages } from "../lib/favourites/favourites.ts";
import { toggleFavouriteAction } from "./actions/favourites.ts";
import { toCard } from "./_lib/views.ts";

export default async function HomePage() {
  const viewer = await getViewer();
  const { overview, recent } = await homeCatalog(viewer);
  const mine = await favouritedPackages(viewer, recent.map((p) => p.id));
  return (
    <div className="space-y-6">
      <section className="flex flex-wrap items-end gap-4 border-b border-zinc-200 pb-5">
        <div className="min-w-72 flex-1">
          <h1 className="text-2xl font-semibold tracking-tight">Security tools and workflows, ready to run</h1>
          <p className="mt-1 text-sm text-zinc-600">
            {overview.packages} {overview.packages === 1 ? "package" : "packages"} · {overview.functions} runnable {overview.functions === 1 ? "function" : "functions"}. Every tool runs in its own container; results land in your collections.
          </p>
        </div>
        <form action="/browse" role="search" className="flex w-full max-w-md gap-2">
          <label htmlFor="home-q" className="sr-only">Search packages</label>
          <input id="home-q" name="q" type="search" placeholder="Search names, descriptions, docs and tags…" className="input" />
          <button type="submit" className="btn btn-primary">Search</button>
        </form>
      </section>

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <CategoryOverview title="ATT&CK tactics" param="tactic" items={overview.attck} />
        <section aria-labelledby="recent-h">
          <div className="mb-2 flex items-baseline justify-between">
            <h2 id="recent-h" className="text-sm font-semibold">Recently published</h2>
            <Link href="/browse" className="text-sm">Browse all →</Link>
          </div>
          {recent.length === 0 ? (
            <EmptyState title="No packages yet" action={<Link href="/upload" className="btn btn-primary">Upload a package</Link>}>
              Publish a Leviathan package and it appears here, grouped by tactic and category.
            </EmptyState>
          ) : (
            <PackageList packages={recent.map((p) => toCard(p, mine))} favourite={viewer ? toggleFavouriteAction : null} />
          )}
        </section>
      </div>

      <CategoryOverview title="BlackArch categories" param="category" items={overview.blackarch} columns={3} />
    </div>
  );
}
