"use server";

import { revalidatePath } from "next/cache";
import type { DeletionState } from "../../components/package-deletion.tsx";
import { problemOf, safeAction } from "../../lib/actions/safe-action.ts";
import { deletePackageVersions } from "../../lib/packages/deletion.ts";
import { deletePackageInputSchema } from "../../lib/schemas/packages.ts";

const remove = safeAction(deletePackageInputSchema, (input, viewer) => deletePackageVersions(viewer, input));

/** The package page's delete form (its publisher): one version, or the whole package, once confirmed by typing its name. */
export async function deletePackageAction(_prev: DeletionState, data: FormData): Promise<DeletionState> {
  const res = await remove({ namespace: data.get("namespace") ?? "", name: data.get("name") ?? "", version: data.get("version") ?? "", confirm: data.get("confirm") ?? "" });
  if (!res.ok) return { status: "error", problem: problemOf(res) };
  // a package with versions left shows them again without the deleted one; a package gone entirely
  // stays on screen with the answer: revalidating re-renders the current page, which is now a 404
  // (the catalog's pages render for each request and need no revalidation)
  if (res.data.latest) revalidatePath(`/p/${String(data.get("namespace"))}/${String(data.get("name"))}`);
  return { status: "deleted", deleted: res.data };
}
