import Link from "next/link";
import { FavouriteButton, type FavouriteAction } from "./favourite-button.tsx";
import { OfficialBadge } from "./official-mark.tsx";
import { CategoryChip } from "./category-chip.tsx";

/** What a card shows of a package (app/_lib/views.ts `toCard` makes it from lib's PackageSummary). */
export interface PackageCardView {
  namespace: string;
  name: string;
  desc: string;
  version: string | null;
  tags: string[];
  tactics: string[];
  categories: string[];
  functionCount: number;
  kinds: ("tool" | "workflow")[];
  isPrivate: boolean;
  /** an admin reviewed it */
  isOfficial: boolean;
  updatedAt: string;
  /** how many users made it a favourite, and whether the viewer did */
  favourites: number;
  favourited: boolean;
}

/** One package in a list: name, description, counts, its labels and its favourite star (the count alone without `favourite`, signed out). */
export function PackageCard({ pkg, favourite = null }: { pkg: PackageCardView; favourite?: FavouriteAction | null }) {
  const full = `${pkg.namespace}.${pkg.name}`;
  return (
    <article aria-label={full} className="card p-4">
      <div className="flex flex-wrap items-baseline gap-2">
        <h3 className="text-base font-semibold">
          <Link href={`/p/${pkg.namespace}/${pkg.name}`}>
            <span className="text-zinc-500">{pkg.namespace}.</span>
            {pkg.name}
          </Link>
        </h3>
        {pkg.version && <span className="font-mono text-xs text-zinc-500">v{pkg.version}</span>}
        {pkg.isOfficial && <OfficialBadge />}
        {pkg.isPrivate && <span className="badge">private</span>}
        {pkg.kinds.map((k) => (
          <span key={k} className={`badge ${k === "workflow" ? "border-teal-200 bg-teal-50 text-teal-800" : ""}`}>{k}</span>
        ))}
        <span className="ml-auto flex items-center gap-2 text-xs text-zinc-500">
          {pkg.functionCount} {pkg.functionCount === 1 ? "function" : "functions"}
          <FavouriteButton target={{ package: full }} label={full} initial={{ favourited: pkg.favourited, count: pkg.favourites }} action={favourite} small />
        </span>
      </div>
      <p className="mt-1 line-clamp-2 text-sm text-zinc-600">{pkg.desc || <span className="italic text-zinc-400">No description</span>}</p>
      {(pkg.tactics.length > 0 || pkg.categories.length > 0 || pkg.tags.length > 0) && (
        <ul aria-label="Labels" className="mt-2 flex flex-wrap gap-1.5">
          {pkg.tactics.map((t) => (
            <li key={`a-${t}`}>
              <CategoryChip family="attck" label={t} />
            </li>
          ))}
          {pkg.categories.map((c) => (
            <li key={`b-${c}`}>
              <CategoryChip family="blackarch" label={c} />
            </li>
          ))}
          {pkg.tags.map((t) => (
            <li key={`t-${t}`}>
              <Link href={`/browse?tag=${encodeURIComponent(t)}`} className="rounded border border-zinc-200 bg-zinc-50 px-1.5 py-0.5 text-xs text-zinc-700">#{t}</Link>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

export function PackageList({ packages, favourite = null }: { packages: PackageCardView[]; favourite?: FavouriteAction | null }) {
  return (
    <ul className="grid gap-3">
      {packages.map((p) => (
        <li key={`${p.namespace}.${p.name}`}>
          <PackageCard pkg={p} favourite={favourite} />
        </li>
      ))}
    </ul>
  );
}
