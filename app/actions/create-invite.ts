"use server";

import { headers } from "next/headers";
import { revalidatePath } from "next/cache";
import type { CreateSecretState } from "../../components/secret-manager.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { createInvite, createInviteSchema } from "../../lib/accounts/invites.ts";
import { hubPublicUrl } from "../../lib/accounts/public-url.ts";

const create = adminAction(createInviteSchema, (input, viewer) => createInvite(viewer, input));

export async function createInviteAction(_prev: CreateSecretState, data: FormData): Promise<CreateSecretState> {
  const res = await create({ email: data.get("email") ?? "", note: data.get("note") ?? "", days: data.get("days") || undefined });
  if (!res.ok) return { status: "error", errors: res.fieldErrors ?? {}, message: res.fieldErrors ? null : res.error };
  revalidatePath("/admin/accounts");
  const link = `${await hubPublicUrl(await headers())}/signup?invite=${encodeURIComponent(res.data.token)}`;
  return { status: "created", name: res.data.item.email ?? "", secret: link, expiresAt: res.data.item.expiresAt };
}
