import { route } from "../../../lib/api/route.ts";

/** Who the token or session belongs to (`lev login` checks its token with it). */
export const GET = route({ access: "user", summary: "the caller's account" }, async ({ viewer }) => ({ user: viewer }));
