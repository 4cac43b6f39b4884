"use server";

import { revalidatePath } from "next/cache";
import type { CreateSecretState } from "../../components/secret-manager.tsx";
import { safeAction } from "../../lib/actions/safe-action.ts";
import { createTokenInputSchema } from "../../lib/schemas/tokens.ts";
import { createToken } from "../../lib/accounts/tokens.ts";

const create = safeAction(createTokenInputSchema, (input, viewer) => createToken(viewer, input));

export async function createTokenAction(_prev: CreateSecretState, data: FormData): Promise<CreateSecretState> {
  const res = await create({
    name: data.get("name") ?? "",
    scopes: data.getAll("scopes"),
    days: data.get("days") || undefined,
    namespace: data.get("namespace") ?? "",
  });
  if (!res.ok) return { status: "error", errors: res.fieldErrors ?? {}, message: res.fieldErrors ? null : res.error };
  revalidatePath("/settings/tokens");
  return { status: "created", name: res.data.item.name, secret: res.data.token, expiresAt: res.data.item.expiresAt };
}
