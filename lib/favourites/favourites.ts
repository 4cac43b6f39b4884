import "server-only";
import { db } from "../platform/db.ts";
import { conflict, notFound, validation } from "../errors.ts";
import { parseWith } from "../api/http.ts";
import { FAVOURITE_LIMITS, favouriteTargetSchema, type FavouriteTarget } from "../schemas/favourites.ts";
import { authorSummaries } from "../catalog/authors.ts";
import { functionFavouriteCounts, packageFavouriteCounts } from "../catalog/favourite-counts.ts";
import { visiblePackageRef } from "../catalog/package-ref.ts";
import { summariesOf } from "../catalog/summaries.ts";
import { visibleSql } from "../catalog/visibility.ts";
import type { FavouriteFunction, FavouritePackage, Favourites, FavouriteState, FunctionRef, Viewer } from "../types.ts";

/** A target as stored: the row's key fields. */
type Resolved = { packageId: string; function: string; authorId: null } | { packageId: null; function: ""; authorId: string };

/**
 * The row a target names, as the viewer may name it. Adding needs a function some version of the
 * package has and an author the viewer may know; removing takes any function name (one that left
 * the package can still be removed) but still only a visible package or author.
 */
async function resolve(viewer: Viewer, target: FavouriteTarget, purpose: "add" | "remove"): Promise<Resolved> {
  if ("author" in target) {
    const user = await db().user.findUnique({ where: { username: target.author }, select: { id: true } });
    if (!user || !(await authorSummaries(viewer, [user.id])).has(user.id)) throw notFound(`author ${target.author}`);
    if (purpose === "add" && user.id === viewer.id) throw validation("you cannot make yourself a favourite", { author: "that is you" });
    return { packageId: null, function: "", authorId: user.id };
  }
  const [ns, name] = target.package.split(".");
  const pkg = await visiblePackageRef(viewer, ns, name);
  if (!target.function) return { packageId: pkg.id, function: "", authorId: null };
  if (purpose === "add") {
    const known = await db().export.findFirst({ where: { qualified: target.function, version: { packageId: pkg.id } }, select: { id: true } });
    if (!known) throw notFound(`function ${target.function} of ${target.package}`);
  }
  return { packageId: pkg.id, function: target.function, authorId: null };
}

/** The button's state after a change: the viewer's, and the count among those who may see it. */
async function stateOf(viewerId: string, r: Resolved): Promise<FavouriteState> {
  const favourited = (await db().favourite.count({ where: { userId: viewerId, packageId: r.packageId, function: r.function, authorId: r.authorId } })) > 0;
  if (r.authorId) return { favourited, count: await db().favourite.count({ where: { authorId: r.authorId } }) };
  const count = r.function
    ? ((await functionFavouriteCounts([r.packageId!])).get(r.packageId!)?.get(r.function) ?? 0)
    : ((await packageFavouriteCounts([r.packageId!])).get(r.packageId!) ?? 0);
  return { favourited, count };
}

/**
 * Makes a package, a function or an author one of the viewer's favourites (again: no change).
 * 404 for what the viewer may not see; 409 past FAVOURITE_LIMITS.perUser.
 */
export async function addFavourite(viewer: Viewer, input: unknown): Promise<FavouriteState> {
  const target = parseWith(favouriteTargetSchema, input);
  const r = await resolve(viewer, target, "add");
  await db().$transaction(async (tx) => {
    // the user's row serialises their own adds, so two at once cannot both pass the limit
    await tx.$queryRaw`SELECT 1 FROM "User" WHERE "id" = ${viewer.id} FOR UPDATE`;
    const exists = await tx.favourite.findFirst({ where: { userId: viewer.id, packageId: r.packageId, function: r.function, authorId: r.authorId }, select: { id: true } });
    if (exists) return;
    if ((await tx.favourite.count({ where: { userId: viewer.id } })) >= FAVOURITE_LIMITS.perUser) {
      throw conflict(`you have ${FAVOURITE_LIMITS.perUser} favourites, the most one may keep: remove some first`);
    }
    await tx.favourite.create({ data: { userId: viewer.id, packageId: r.packageId, function: r.function, authorId: r.authorId } });
  });
  return stateOf(viewer.id, r);
}

/** Stops a target being one of the viewer's favourites (not one: no change). 404 for what the viewer may not see. */
export async function removeFavourite(viewer: Viewer, input: unknown): Promise<FavouriteState> {
  const target = parseWith(favouriteTargetSchema, input);
  const r = await resolve(viewer, target, "remove");
  await db().favourite.deleteMany({ where: { userId: viewer.id, packageId: r.packageId, function: r.function, authorId: r.authorId } });
  return stateOf(viewer.id, r);
}

interface FavouriteRow {
  packageId: string;
  function: string;
  since: Date;
  ns: string;
  name: string;
  versionId: string;
  version: string;
}

/** The functions of these versions, by version. */
async function functionsOf(versionIds: string[]): Promise<Map<string, FunctionRef[]>> {
  const rows = await db().export.findMany({ where: { versionId: { in: versionIds } }, select: { versionId: true, qualified: true, kind: true, desc: true }, orderBy: { qualified: "asc" } });
  const out = new Map<string, FunctionRef[]>();
  for (const r of rows) out.set(r.versionId, [...(out.get(r.versionId) ?? []), { qualified: r.qualified, kind: r.kind, desc: r.desc }]);
  return out;
}

/**
 * The viewer's favourites they may see now, newest first: packages at their latest version with the
 * functions to run, functions with their latest version's entry (null when it left the package),
 * authors with their counts. A package that turned private, or an author whose packages did, is
 * left out — of the lists and of every count — until the viewer may see it again.
 */
export async function listFavourites(viewer: Viewer): Promise<Favourites> {
  const rows = await db().$queryRaw<FavouriteRow[]>`
    SELECT f."packageId", f."function", f."createdAt" AS "since", n."name" AS "ns", p."name", v."id" AS "versionId", v."version"
    FROM "Favourite" f
    JOIN "Package" p ON p."id" = f."packageId"
    JOIN "Namespace" n ON n."id" = p."namespaceId"
    JOIN "PackageVersion" v ON v."id" = p."latestVersionId"
    WHERE f."userId" = ${viewer.id} AND ${visibleSql(viewer)}
    ORDER BY f."createdAt" DESC, f."id"`;
  const authorRows = await db().favourite.findMany({ where: { userId: viewer.id, authorId: { not: null } }, select: { authorId: true, createdAt: true }, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
  const packageRows = rows.filter((r) => r.function === "");
  const fnRows = rows.filter((r) => r.function !== "");
  const [cards, functions, authors, fnCounts] = await Promise.all([
    summariesOf(packageRows.map((r) => r.packageId)),
    functionsOf([...new Set(rows.map((r) => r.versionId))]),
    authorSummaries(viewer, authorRows.map((r) => r.authorId!)),
    functionFavouriteCounts([...new Set(fnRows.map((r) => r.packageId))]),
  ]);
  const cardById = new Map(cards.map((c) => [c.id, c]));
  const packages: FavouritePackage[] = packageRows.flatMap((r) => {
    const card = cardById.get(r.packageId);
    return card ? [{ package: card, functions: functions.get(r.versionId) ?? [], since: r.since.toISOString() }] : [];
  });
  const fns: FavouriteFunction[] = fnRows.map((r) => ({
      namespace: r.ns,
      name: r.name,
      package: `${r.ns}.${r.name}`,
      function: r.function,
      version: r.version,
      current: functions.get(r.versionId)?.find((f) => f.qualified === r.function) ?? null,
      favourites: fnCounts.get(r.packageId)?.get(r.function) ?? 0,
      since: r.since.toISOString(),
    }));
  return {
    packages,
    functions: fns,
    authors: authorRows.flatMap((r) => {
      const author = authors.get(r.authorId!);
      return author ? [{ author, since: r.createdAt.toISOString() }] : [];
    }),
  };
}

/** Which of these packages (ids the viewer sees on a page of cards) are the viewer's favourites. */
export async function favouritedPackages(viewer: Viewer | null, packageIds: string[]): Promise<Set<string>> {
  if (!viewer || !packageIds.length) return new Set();
  const rows = await db().favourite.findMany({ where: { userId: viewer.id, packageId: { in: packageIds }, function: "" }, select: { packageId: true } });
  return new Set(rows.map((r) => r.packageId!));
}

/** The favourite buttons of a package's functions: each one's state for the viewer (the package is already shown to them). */
export async function functionFavourites(viewer: Viewer | null, packageId: string): Promise<Record<string, FavouriteState>> {
  const [all, mine] = await Promise.all([
    functionFavouriteCounts([packageId]),
    viewer ? db().favourite.findMany({ where: { userId: viewer.id, packageId, function: { not: "" } }, select: { function: true } }) : [],
  ]);
  const out: Record<string, FavouriteState> = {};
  for (const [fn, count] of all.get(packageId) ?? new Map<string, number>()) out[fn] = { favourited: false, count };
  for (const { function: fn } of mine) out[fn] = { favourited: true, count: out[fn]?.count ?? 0 };
  return out;
}
