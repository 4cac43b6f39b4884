import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState } from "../../components/empty-state.tsx";
import { FavouriteAuthors, FavouriteFunctions, FavouritePackages } from "../../components/favourite-lists.tsx";
import { getViewer } from "../../lib/auth/session.ts";
import { listFavourites } from "../../lib/favourites/favourites.ts";
import { toggleFavouriteAction } from "../actions/favourites.ts";
import { toCard } from "../_lib/views.ts";

export const metadata: Metadata = { title: "Favourites" };

/** Collect: the viewer's favourite functions (run them from here), packages and authors, each at its latest version. */
export default async function FavouritesPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Ffavourites");
  const { packages, functions, authors } = await listFavourites(viewer);
  const all = new Set(packages.map((p) => p.package.id));
  const empty = packages.length + functions.length + authors.length === 0;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="h-page">Favourites</h1>
        <p className="text-sm text-zinc-500">Tools, workflows and authors you collected, at their latest version: start a run from here.</p>
      </div>
      {empty && (
        <EmptyState title="No favourites yet" action={<Link href="/browse" className="btn btn-primary">Browse packages</Link>}>
          Press ☆ Favourite on a package, on one of its modes or workflows, or on an author&apos;s page.
        </EmptyState>
      )}
      {functions.length > 0 && (
        <section aria-labelledby="fav-functions" className="space-y-2">
          <h2 id="fav-functions" className="h-section">Functions ({functions.length})</h2>
          <FavouriteFunctions items={functions} action={toggleFavouriteAction} />
        </section>
      )}
      {packages.length > 0 && (
        <section aria-labelledby="fav-packages" className="space-y-2">
          <h2 id="fav-packages" className="h-section">Packages ({packages.length})</h2>
          <FavouritePackages items={packages} cards={packages.map((p) => toCard(p.package, all))} action={toggleFavouriteAction} />
        </section>
      )}
      {authors.length > 0 && (
        <section aria-labelledby="fav-authors" className="space-y-2">
          <h2 id="fav-authors" className="h-section">Authors ({authors.length})</h2>
          <FavouriteAuthors items={authors} action={toggleFavouriteAction} />
        </section>
      )}
    </div>
  );
}
