"use server";

import { revalidatePath } from "next/cache";
import { problemOf, safeAction, type ProblemState } from "../../lib/actions/safe-action.ts";
import { revokeTokenInputSchema } from "../../lib/schemas/tokens.ts";
import { revokeToken } from "../../lib/accounts/tokens.ts";

const revoke = safeAction(revokeTokenInputSchema, (input, viewer) => revokeToken(viewer, input.id));

export async function revokeTokenAction(_prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await revoke({ id: data.get("id") ?? "" });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath("/settings/tokens");
  return { problem: null };
}
