import "server-only";
import { readableProjectIds } from "../projects/access.ts";
import type { Viewer } from "../types.ts";
import { resultScope, type ResultScope } from "./access.ts";

/** The viewer's results scope, from their memberships (admins: everything). */
export async function viewerScope(viewer: Viewer): Promise<ResultScope> {
  return resultScope(await readableProjectIds(viewer));
}
