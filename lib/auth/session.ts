import "server-only";
import { getServerSession } from "next-auth/next";
import { authOptions } from "./options.ts";
import { unauthorized } from "../errors.ts";
import { getSessionAccount } from "../accounts/users.ts";
import { mustEnrol } from "../accounts/two-factor.ts";
import type { Viewer } from "../types.ts";

/**
 * Where the browser's session stands: signed out; signed in; or signed in but owing the two-factor
 * set-up an admin requires — then everything but the set-up (Settings → Security) and signing out
 * treats the user as signed out (`getViewer` is null), and the sign-in page sends them to enrol.
 */
export type SessionState = { kind: "none" } | { kind: "signed_in"; viewer: Viewer } | { kind: "must_enrol"; viewer: Viewer };

/**
 * The user is read afresh on every call, and a session issued before the user's latest "sign out
 * everywhere" (or a role change) counts as signed out.
 */
export async function getSessionState(): Promise<SessionState> {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  const version = session?.user?.sessionVersion;
  if (!id || typeof version !== "number") return { kind: "none" };
  const account = await getSessionAccount(id, version);
  if (!account) return { kind: "none" };
  const { totpEnabledAt, ...viewer } = account;
  return (await mustEnrol({ role: viewer.role, totpEnabledAt })) ? { kind: "must_enrol", viewer } : { kind: "signed_in", viewer };
}

/** The signed-in user for server components, server actions and route handlers; null when signed out (or still owing the two-factor set-up). */
export async function getViewer(): Promise<Viewer | null> {
  const state = await getSessionState();
  return state.kind === "signed_in" ? state.viewer : null;
}

export async function requireViewer(): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) throw unauthorized();
  return viewer;
}
