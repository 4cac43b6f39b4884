"use server";

import { revalidatePath } from "next/cache";
import type { OfficialState } from "../../components/official-mark.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { officialInputSchema, setOfficial } from "../../lib/catalog/curation.ts";

const mark = adminAction(officialInputSchema, (input, viewer) => setOfficial(viewer, input));

/** The package page's curation button: marks the package official (reviewed) or removes the mark. */
export async function markOfficialAction(_prev: OfficialState, data: FormData): Promise<OfficialState> {
  const res = await mark({ namespace: data.get("namespace") ?? "", name: data.get("name") ?? "", official: data.get("official") ?? "" });
  if (!res.ok) return { status: "error", message: res.error };
  const ns = String(data.get("namespace"));
  const name = String(data.get("name"));
  revalidatePath(`/p/${ns}/${name}`);
  revalidatePath("/browse");
  return { status: "saved", official: res.data };
}
