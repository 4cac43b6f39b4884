"use server";

import { revalidatePath } from "next/cache";
import { problemOf, safeAction, type ProblemState } from "../../lib/actions/safe-action.ts";
import { renewTokenInputSchema } from "../../lib/schemas/tokens.ts";
import { renewToken } from "../../lib/accounts/tokens.ts";

const renew = safeAction(renewTokenInputSchema, (input, viewer) => renewToken(viewer, input.id, input.days));

/** "Renew for another N days": the token keeps its scopes and expires N days from now. */
export async function renewTokenAction(_prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await renew({ id: data.get("id") ?? "", days: data.get("days") ?? "" });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath("/settings/tokens");
  return { problem: null };
}
