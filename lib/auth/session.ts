import "server-only";
import { getServerSession } from "next-auth/next";
import { authOptions } from "./options.ts";
import { unauthorized } from "../errors.ts";
import { getSessionUser } from "../accounts/users.ts";
import type { Viewer } from "../types.ts";

/**
 * The signed-in user for server components, server actions and route handlers; null when signed
 * out. The user is read afresh on every call, and a session issued before the user's latest
 * "sign out everywhere" (or a role change) counts as signed out.
 */
export async function getViewer(): Promise<Viewer | null> {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  const version = session?.user?.sessionVersion;
  if (!id || typeof version !== "number") return null;
  return getSessionUser(id, version);
}

export async function requireViewer(): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) throw unauthorized();
  return viewer;
}
