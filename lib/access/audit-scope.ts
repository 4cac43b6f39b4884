/**
 * Whose audit events a caller may read, decided in one pure function: an admin (with a token, one
 * that has the admin scope) every event, the hub's own (sign-ins, grants, settings) included; anyone
 * else the events of the projects they own — their personal project at least. A token needs the
 * read scope for either. Nobody else's events are counted or hinted at.
 */
import { TOKEN_SCOPES } from "./project-roles.ts";
import type { Role, TokenScope } from "../types.ts";

export type AuditScope = { all: true } | { all: false; projectIds: readonly string[] };

export function auditScope(caller: { role: Role; scopes?: readonly TokenScope[] | null }, ownedProjectIds: readonly string[]): AuditScope {
  const scopes: readonly TokenScope[] = caller.scopes ?? TOKEN_SCOPES;
  if (!scopes.includes("read")) return { all: false, projectIds: [] };
  if (caller.role === "admin" && scopes.includes("admin")) return { all: true };
  return { all: false, projectIds: ownedProjectIds };
}
