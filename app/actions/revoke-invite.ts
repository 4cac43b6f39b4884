"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { adminAction, problemOf, type ProblemState } from "../../lib/actions/safe-action.ts";
import { revokeInvite } from "../../lib/accounts/invites.ts";

const revoke = adminAction(z.object({ id: z.string().min(1) }), (input, viewer) => revokeInvite(viewer, input.id));

export async function revokeInviteAction(_prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await revoke({ id: data.get("id") ?? "" });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath("/admin/accounts");
  return { problem: null };
}
