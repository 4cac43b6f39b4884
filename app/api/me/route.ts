import { route } from "../../../lib/api/route.ts";
import { meResponseSchema } from "../../../lib/schemas/responses.ts";

/**
 * Who the token or session belongs to (`lev login` checks its token with it). With a token: its
 * scopes, namespace limit and expiry too, and `user.role` as the token lets the caller act.
 */
export const GET = route({ access: "user", scope: null, summary: "the caller's account (and, with an API token, the token's scopes and expiry)", response: meResponseSchema }, async ({ viewer }) => {
  const { token, ...user } = viewer;
  return { user, token: token ?? null };
});
