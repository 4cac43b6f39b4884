/**
 * What an API token may do, decided purely: the route wrapper (lib/api/route.ts) checks the scope a
 * route declares, OpenAPI publishes it, the authorization matrix tests it per scope. A browser
 * session holds every scope; a token holds the scopes it was made with, and its user's role counts
 * only as far as they reach: an admin's token without `admin` acts as a plain user. Project roles
 * (later) intersect the same way: `intersectScopes(token, role)`.
 */
import { TOKEN_SCOPES, type Role, type TokenScope, type Viewer } from "../types.ts";

export { TOKEN_SCOPES, type TokenScope };

/** One line per scope, for the token form and the OpenAPI document. */
export const SCOPE_DESCRIPTIONS: Record<TokenScope, string> = {
  read: "read packages, comments, favourites, runs, results, scans and devices",
  run: "start, cancel, re-run and schedule runs; add and revoke devices; keep favourites",
  publish: "upload packages; comment on packages",
  admin: "act with the admin role, moderate comments (admins only)",
};

export function isTokenScope(s: string): s is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(s);
}

/** The scopes a user with `role` may give a token: `admin` only to admins. */
export function grantableScopes(role: Role): TokenScope[] {
  return TOKEN_SCOPES.filter((s) => s !== "admin" || role === "admin");
}

/** The scopes both grant, in the canonical order. */
export function intersectScopes(a: readonly TokenScope[], b: readonly TokenScope[]): TokenScope[] {
  return TOKEN_SCOPES.filter((s) => a.includes(s) && b.includes(s));
}

/** A token's scopes as stored, cleaned: known ones only, each once, in order (a stored row is not trusted blindly). */
export function normalizeScopes(raw: readonly string[]): TokenScope[] {
  return TOKEN_SCOPES.filter((s) => raw.includes(s));
}

/** The role a token acts with: the user's, but admin only with the `admin` scope. */
export function roleWithScopes(role: Role, scopes: readonly TokenScope[]): Role {
  return role === "admin" && scopes.includes("admin") ? "admin" : "user";
}

/**
 * Why a caller may not use a route that needs `needed`, or null. `needed` null: any signed-in caller
 * (or none, on public routes). A session (`viewer.token` absent) holds every scope.
 */
export function scopeRefusal(needed: TokenScope | null, viewer: Pick<Viewer, "token"> | null): string | null {
  if (needed === null || !viewer?.token) return null;
  if (viewer.token.scopes.includes(needed)) return null;
  const held = viewer.token.scopes.length ? viewer.token.scopes.join(", ") : "none";
  return `this API token lacks the '${needed}' scope (it has: ${held}); create a token with '${needed}' in Settings → API tokens`;
}

/**
 * Whether a token's namespace limit lets it touch `namespace`: publishing there, or reading its
 * private packages. No token, or a token without a limit: yes.
 */
export function withinTokenNamespace(viewer: Pick<Viewer, "token"> | null, namespace: string): boolean {
  const limit = viewer?.token?.namespace;
  return !limit || limit === namespace;
}
