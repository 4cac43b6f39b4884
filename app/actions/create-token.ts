"use server";

import { revalidatePath } from "next/cache";
import type { CreateTokenState } from "../../components/token-manager.tsx";
import { safeAction } from "../../lib/actions/safe-action.ts";
import { createTokenInputSchema } from "../../lib/schemas/tokens.ts";
import { createToken } from "../../lib/accounts/tokens.ts";

const create = safeAction(createTokenInputSchema, (input, viewer) => createToken(viewer, input.name));

export async function createTokenAction(_prev: CreateTokenState, data: FormData): Promise<CreateTokenState> {
  const res = await create({ name: data.get("name") ?? "" });
  if (!res.ok) return { status: "error", errors: res.fieldErrors ?? {}, message: res.fieldErrors ? null : res.error };
  revalidatePath("/settings/tokens");
  return { status: "created", name: res.data.summary.name, token: res.data.token };
}
