import "server-only";
import { forbidden, unauthorized } from "../errors.ts";
import { viewerFromToken } from "../accounts/tokens.ts";
import type { Viewer } from "../types.ts";

/**
 * The caller of an `/api/*` route: `Authorization: Bearer <token>` (the CLI), else the browser's
 * session. An Authorization header that is not a good bearer token (malformed, empty, unknown) is
 * refused outright, never downgraded to the cookie;
 * an expired one says when it expired. Route handlers get it from the wrapper in
 * `lib/api/route.ts`, which also checks access and the token's scope.
 */
export async function viewerFromRequest(req: Request): Promise<Viewer | null> {
  const header = req.headers.get("authorization");
  // present at all, even empty: the caller chose the header, so a cookie never stands in for it
  if (header !== null) {
    const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!m) throw unauthorized("the Authorization header must be 'Bearer <token>'");
    const found = await viewerFromToken(m[1]);
    if (found.ok) return found.viewer;
    if (found.reason === "expired") {
      throw unauthorized(`this API token expired on ${found.expiredAt.toISOString().slice(0, 16).replace("T", " ")} UTC; renew it in Settings → API tokens`);
    }
    if (found.reason === "two_factor_required") throw forbidden("this hub requires two-factor sign-in for your account: set it up in Settings → Security, then the token works");
    throw unauthorized("unknown or revoked API token");
  }
  // imported when first needed: next-auth loads only inside Next.js, and integration tests
  // import the route modules without it (they call with tokens)
  return (await import("./session.ts")).getViewer();
}
