import { requireRequestViewer } from "../../../lib/api-auth.ts";
import { handle } from "../../../lib/http.ts";

/** Who the token or session belongs to (`lev login` checks its token with it). */
export const GET = handle(async (req) => Response.json({ user: await requireRequestViewer(req) }));
