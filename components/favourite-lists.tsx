import Link from "next/link";
import type { FavouriteAuthor, FavouriteFunction, FavouritePackage } from "../lib/types.ts";
import { FavouriteButton, type FavouriteAction } from "./favourite-button.tsx";
import { PackageCard, type PackageCardView as CardSummary } from "./package-card.tsx";

const runHref = (namespace: string, name: string, fn: string) => `/p/${namespace}/${name}/run/${encodeURIComponent(fn)}`;

/** Favourite functions: each at its package's latest version, with a Run button (none when the latest version no longer has it). */
export function FavouriteFunctions({ items, action }: { items: FavouriteFunction[]; action: FavouriteAction }) {
  return (
    <ul className="grid gap-2">
      {items.map((f) => {
        const full = `${f.package}.${f.function}`;
        return (
          <li key={full} className="card flex flex-wrap items-center gap-x-3 gap-y-1 p-3" aria-label={full}>
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-baseline gap-2">
                <Link href={`/p/${f.namespace}/${f.name}`} className="font-mono text-sm font-semibold">
                  <span className="text-zinc-500">{f.package}.</span>
                  {f.function}
                </Link>
                {f.current && <span className={`badge ${f.current.kind === "workflow" ? "border-teal-200 bg-teal-50 text-teal-800" : ""}`}>{f.current.kind}</span>}
                <span className="font-mono text-xs text-zinc-500">v{f.version}</span>
              </div>
              {f.current ? (
                f.current.desc && <p className="truncate text-sm text-zinc-600">{f.current.desc}</p>
              ) : (
                <p className="text-sm text-amber-800">Not in the latest version (v{f.version}) any more.</p>
              )}
            </div>
            <FavouriteButton target={{ package: f.package, function: f.function }} label={full} initial={{ favourited: true, count: f.favourites }} action={action} small />
            {f.current && (
              <Link href={runHref(f.namespace, f.name, f.function)} className="btn btn-primary" aria-label={`Run ${full}`}>
                ▶ Run
              </Link>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** Favourite packages: the card (latest version) and a Run button per function. */
export function FavouritePackages({ items, cards, action }: { items: FavouritePackage[]; cards: CardSummary[]; action: FavouriteAction }) {
  return (
    <ul className="grid gap-3">
      {items.map((p, i) => (
        <li key={p.package.fullName} className="space-y-1">
          <PackageCard pkg={cards[i]} favourite={action} />
          {p.functions.length > 0 && (
            <ul aria-label={`Functions of ${p.package.fullName}`} className="flex flex-wrap items-center gap-1.5 pl-1">
              <li aria-hidden className="text-xs text-zinc-500">Run:</li>
              {p.functions.map((fn) => (
                <li key={fn.qualified}>
                  <Link
                    href={runHref(p.package.namespace, p.package.name, fn.qualified)}
                    className="btn px-2 py-0.5 font-mono text-xs"
                    aria-label={`Run ${p.package.fullName}.${fn.qualified}`}
                    title={fn.desc || undefined}
                  >
                    ▶ {fn.qualified}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Favourite authors: their page, their packages the viewer may see, their followers. */
export function FavouriteAuthors({ items, action }: { items: FavouriteAuthor[]; action: FavouriteAction }) {
  return (
    <ul className="grid gap-2 sm:grid-cols-2">
      {items.map(({ author }) => (
        <li key={author.username} className="card flex items-center gap-3 p-3" aria-label={`Author ${author.username}`}>
          <span aria-hidden className="grid size-8 place-items-center rounded-full bg-zinc-200 text-sm font-semibold uppercase">{author.username.slice(0, 1)}</span>
          <div className="min-w-0 flex-1">
            <Link href={`/u/${encodeURIComponent(author.username)}`} className="font-semibold">{author.username}</Link>
            {author.name && <span className="ml-1 text-sm text-zinc-500">{author.name}</span>}
            <p className="text-xs text-zinc-500">
              {author.packages} {author.packages === 1 ? "package" : "packages"}
            </p>
          </div>
          <FavouriteButton target={{ author: author.username }} label={author.username} initial={{ favourited: true, count: author.followers }} action={action} small />
        </li>
      ))}
    </ul>
  );
}
