"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { revokeGrant } from "../../lib/policy/grants.ts";

const revoke = adminAction(z.object({ id: z.string().min(1).max(64) }), (input, viewer) => revokeGrant(viewer, input.id));

export async function revokeGrantAction(data: FormData): Promise<void> {
  const res = await revoke({ id: data.get("id") ?? "" });
  if (!res.ok) throw new Error(res.error);
  revalidatePath("/admin/policy");
}
