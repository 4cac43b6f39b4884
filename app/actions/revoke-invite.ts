"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { revokeInvite } from "../../lib/accounts/invites.ts";

const revoke = adminAction(z.object({ id: z.string().min(1) }), (input, viewer) => revokeInvite(viewer, input.id));

export async function revokeInviteAction(data: FormData): Promise<void> {
  const res = await revoke({ id: data.get("id") ?? "" });
  if (!res.ok) throw new Error(res.error);
  revalidatePath("/admin/accounts");
}
