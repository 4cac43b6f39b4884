import type { Metadata } from "next";
import { EmptyState } from "../../../components/empty-state.tsx";
import { FavouriteButton } from "../../../components/favourite-button.tsx";
import { PackageList } from "../../../components/package-card.tsx";
import { Pagination } from "../../../components/pagination.tsx";
import { getViewer } from "../../../lib/auth/session.ts";
import { getAuthor } from "../../../lib/catalog/authors.ts";
import { favouritedPackages } from "../../../lib/favourites/favourites.ts";
import { toggleFavouriteAction } from "../../actions/favourites.ts";
import { loadOr404, one, type SearchParams } from "../../_lib/load.ts";
import { toCard } from "../../_lib/views.ts";

type Params = Promise<{ username: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { username } = await params;
  return { title: username };
}

/** An author: their packages the viewer may see and the star that makes them a favourite. 404 for a user with nothing the viewer may see. */
export default async function AuthorPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { username } = await params;
  const sp = await searchParams;
  const viewer = await getViewer();
  const page = await loadOr404(getAuthor(viewer, username, Number(one(sp.page) ?? 1) || 1));
  const { author } = page;
  const mine = await favouritedPackages(viewer, page.packages.map((p) => p.id));
  const pageCount = Math.max(1, Math.ceil(author.packages / page.pageSize));
  const self = viewer?.username === author.username;
  return (
    <div className="space-y-5">
      <header className="flex flex-wrap items-center gap-3">
        <span aria-hidden className="grid size-10 place-items-center rounded-full bg-zinc-200 text-lg font-semibold uppercase">{author.username.slice(0, 1)}</span>
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{author.username}</h1>
          <p className="text-sm text-zinc-500">
            {author.name ? `${author.name} · ` : ""}
            {author.packages} {author.packages === 1 ? "package" : "packages"}
          </p>
        </div>
        <div className="ml-auto">
          <FavouriteButton target={{ author: author.username }} label={author.username} initial={{ favourited: page.favourited, count: author.followers }} action={viewer && !self ? toggleFavouriteAction : null} />
        </div>
      </header>
      {page.packages.length === 0 ? (
        <EmptyState title="No packages to show">{self ? "Upload a package and it appears here." : "Nothing published here that you may see."}</EmptyState>
      ) : (
        <PackageList packages={page.packages.map((p) => toCard(p, mine))} favourite={viewer ? toggleFavouriteAction : null} />
      )}
      <Pagination page={page.page} pageCount={pageCount} basePath={`/u/${encodeURIComponent(author.username)}`} query={{}} />
    </div>
  );
}
