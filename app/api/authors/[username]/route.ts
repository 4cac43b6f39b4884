import { route } from "../../../../lib/api/route.ts";
import { getAuthor } from "../../../../lib/catalog/authors.ts";
import { authorParamsSchema, authorQuerySchema } from "../../../../lib/schemas/favourites.ts";

/** An author the caller may know (someone with a package they may see): counts and a page of their packages. */
export const GET = route(
  { access: "public", scope: "read", summary: "an author: their packages the caller may see, and how many made them a favourite", params: authorParamsSchema, query: authorQuerySchema },
  async ({ viewer, params, query }) => getAuthor(viewer, params.username, query.page),
);
