/** Requests about favourites ("Collect"): the HTTP API, the favourite buttons and `lev fav`. */
import { z } from "zod";

/** How many favourites one user keeps at most (packages, functions and authors together). */
export const FAVOURITE_LIMITS = { perUser: 500 } as const;

const part = "[A-Za-z0-9_-]{1,64}";
/** `ns.name`, as the API and the CLI write a package */
export const packageFullNameSchema = z.string().regex(new RegExp(`^${part}\\.${part}$`), "a package as <ns>.<name>");
/** a mode or workflow's qualified name (`nmap.alive`, `server_port`) */
export const functionNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,7}$/, "a function's qualified name (nmap.alive)").max(200);
export const usernameRefSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a user name");

/**
 * What a favourite is of: a package, one of its functions, or an author. The body of
 * `POST /api/favourites` and the query of `DELETE /api/favourites`.
 */
export const favouriteTargetSchema = z.union([
  z.object({ package: packageFullNameSchema, function: functionNameSchema.optional() }).strict(),
  z.object({ author: usernameRefSchema }).strict(),
]);
export type FavouriteTarget = z.infer<typeof favouriteTargetSchema>;

/** `DELETE /api/favourites?package=&function=` or `?author=`: the target's fields as query parameters (checked as a target by lib). */
export const favouriteQuerySchema = z
  .object({
    package: packageFullNameSchema.optional().describe("the package, as <ns>.<name>"),
    function: functionNameSchema.optional().describe("with package: one of its functions"),
    author: usernameRefSchema.optional().describe("instead of package: an author's user name"),
  })
  .strict();

/** The favourite buttons: the target's fields and whether it becomes a favourite (`true`) or stops being one. */
export const favouriteToggleSchema = z.object({
  target: favouriteTargetSchema,
  favourite: z.enum(["true", "false"], "true or false").transform((v) => v === "true"),
});

/** `/api/authors/{username}?page=` */
export const authorParamsSchema = z.object({ username: usernameRefSchema });
export const authorQuerySchema = z.object({ page: z.coerce.number().int().min(1).max(10_000).optional() });
