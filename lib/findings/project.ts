import "server-only";
import { isIP } from "node:net";
import { validation } from "../errors.ts";
import type { ProjectRight } from "../access/project-roles.ts";
import { requireRight } from "../projects/access.ts";
import { loadProject } from "../projects/projects.ts";
import type { Viewer } from "../types.ts";

/**
 * The project a request about assets or findings names, checked: someone else's project is not
 * found, a member lacking the right is refused (403). Every query below starts from its id.
 */
export async function projectFor(viewer: Viewer, slug: string, right: ProjectRight = "read"): Promise<{ id: string; slug: string; name: string; rights: readonly ProjectRight[]; asAdmin: boolean }> {
  const row = await loadProject(viewer, slug);
  const { rights, asAdmin } = await requireRight(viewer, row.id, right, `project ${slug}`);
  return { id: row.id, slug: row.slug, name: row.name, rights, asAdmin };
}

/** A keyset cursor: the sort values of a page's last row, opaque to clients (base64url JSON). */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

/** A cursor that is not one of ours: a 422 naming `after`. */
export const badCursor = () => validation("invalid after", { after: "the 'next' value of the previous page" });

/** The values a cursor holds, checked against their kinds; a cursor that is not ours is a 422 naming `after`. */
export function decodeCursor<K extends readonly ("string" | "number")[]>(text: string | undefined, kinds: K): { [I in keyof K]: K[I] extends "number" ? number : string } | null {
  if (text === undefined) return null;
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    values = null;
  }
  if (!Array.isArray(values) || values.length !== kinds.length || values.some((v, i) => typeof v !== kinds[i] || (typeof v === "string" && v.length > 200))) throw badCursor();
  return values as { [I in keyof K]: K[I] extends "number" ? number : string };
}

/** What an asset search is: an address, a network, or text. */
export type AssetSearch = { kind: "address"; value: string } | { kind: "network"; value: string } | { kind: "text"; pattern: string };

export function assetSearch(q: string): AssetSearch {
  const s = q.trim();
  if (isIP(s) && !s.includes("%")) return { kind: "address", value: s };
  const cidr = /^(.+)\/(\d{1,3})$/.exec(s);
  if (cidr && isIP(cidr[1]) && Number(cidr[2]) <= (isIP(cidr[1]) === 4 ? 32 : 128)) return { kind: "network", value: s };
  return { kind: "text", pattern: `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` };
}
