"use server";

import { revalidatePath } from "next/cache";
import type { VisibilityState } from "../../components/package-visibility.tsx";
import { safeAction } from "../../lib/actions/safe-action.ts";
import { packageVisibilitySchema, setPackageVisibility } from "../../lib/packages/visibility.ts";

const set = safeAction(packageVisibilitySchema, (input, viewer) => setPackageVisibility(viewer, input));

/** The package page's visibility button (its owner and admins): private or public. */
export async function setPackageVisibilityAction(_prev: VisibilityState, data: FormData): Promise<VisibilityState> {
  const res = await set({ namespace: data.get("namespace") ?? "", name: data.get("name") ?? "", private: data.get("private") ?? "" });
  if (!res.ok) return { status: "error", message: res.error };
  revalidatePath(`/p/${String(data.get("namespace"))}/${String(data.get("name"))}`);
  revalidatePath("/browse");
  return { status: "saved", private: res.data.private };
}
