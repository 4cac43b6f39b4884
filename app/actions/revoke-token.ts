"use server";

import { revalidatePath } from "next/cache";
import { safeAction } from "../../lib/actions/safe-action.ts";
import { revokeTokenInputSchema } from "../../lib/schemas/tokens.ts";
import { revokeToken } from "../../lib/accounts/tokens.ts";

const revoke = safeAction(revokeTokenInputSchema, (input, viewer) => revokeToken(viewer, input.id));

export async function revokeTokenAction(data: FormData): Promise<void> {
  const res = await revoke({ id: data.get("id") ?? "" });
  if (!res.ok) throw new Error(res.error);
  revalidatePath("/settings/tokens");
}
