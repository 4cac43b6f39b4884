"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { adminAction, problemOf, type ProblemState } from "../../lib/actions/safe-action.ts";
import { revokeGrant } from "../../lib/policy/grants.ts";

const revoke = adminAction(z.object({ id: z.string().min(1).max(64) }), (input, viewer) => revokeGrant(viewer, input.id));

export async function revokeGrantAction(_prev: ProblemState, data: FormData): Promise<ProblemState> {
  const res = await revoke({ id: data.get("id") ?? "" });
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath("/admin/policy");
  return { problem: null };
}
