import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getViewer } from "../../lib/auth/session.ts";

/**
 * An admin page's title, for admins; to anyone else the page does not exist, and its title says so
 * (the root not-found's "Not found", never the admin page's name).
 */
export async function adminPageMetadata(title: string): Promise<Metadata> {
  if ((await getViewer())?.role !== "admin") notFound();
  return { title: `${title} · Admin` };
}
