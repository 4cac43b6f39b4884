import { route } from "../../../lib/api/route.ts";
import { addFavourite, listFavourites, removeFavourite } from "../../../lib/favourites/favourites.ts";
import { favouriteQuerySchema, favouriteTargetSchema } from "../../../lib/schemas/favourites.ts";

/** The caller's favourites they may see now: packages (latest version, functions to run), functions, authors. */
export const GET = route({ access: "user", scope: "read", summary: "your favourite packages, functions and authors" }, async ({ viewer }) => listFavourites(viewer));

/** Makes `{package: "ns.name"}`, `{package, function}` or `{author}` a favourite (again: no change); answers the state and count. */
export const POST = route(
  { access: "user", scope: "run", summary: "make a package, a function or an author a favourite", body: favouriteTargetSchema, status: 201 },
  async ({ viewer, body }) => addFavourite(viewer, body),
);

/** `?package=ns.name[&function=…]` or `?author=…` stops being a favourite (not one: no change). */
export const DELETE = route(
  { access: "user", scope: "run", summary: "remove a favourite", query: favouriteQuerySchema },
  async ({ viewer, query }) => removeFavourite(viewer, query),
);
