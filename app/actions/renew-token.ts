"use server";

import { revalidatePath } from "next/cache";
import { safeAction } from "../../lib/actions/safe-action.ts";
import { renewTokenInputSchema } from "../../lib/schemas/tokens.ts";
import { renewToken } from "../../lib/accounts/tokens.ts";

const renew = safeAction(renewTokenInputSchema, (input, viewer) => renewToken(viewer, input.id, input.days));

/** "Renew for another N days": the token keeps its scopes and expires N days from now. */
export async function renewTokenAction(data: FormData): Promise<void> {
  const res = await renew({ id: data.get("id") ?? "", days: data.get("days") ?? "" });
  if (!res.ok) throw new Error(res.error);
  revalidatePath("/settings/tokens");
}
