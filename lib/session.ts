import "server-only";
import { getServerSession } from "next-auth/next";
import { authOptions } from "./auth/options.ts";
import { unauthorized } from "./errors.ts";
import { getUser } from "./users.ts";
import type { Viewer } from "./types.ts";

/** The signed-in user for server components, server actions and route handlers; null when signed out. */
export async function getViewer(): Promise<Viewer | null> {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  if (!id) return null;
  return getUser(id);
}

export async function requireViewer(): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) throw unauthorized();
  return viewer;
}
