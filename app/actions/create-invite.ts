"use server";

import { revalidatePath } from "next/cache";
import type { CreateInviteState } from "../../components/invite-manager.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { hubOrigin } from "../../lib/auth/callback-url.ts";
import { createInvite, createInviteSchema } from "../../lib/accounts/invites.ts";

const create = adminAction(createInviteSchema, (input, viewer) => createInvite(viewer, input));

export async function createInviteAction(_prev: CreateInviteState, data: FormData): Promise<CreateInviteState> {
  const res = await create({ note: data.get("note") ?? "", days: data.get("days") || undefined });
  if (!res.ok) return { status: "error", errors: res.fieldErrors ?? {}, message: res.fieldErrors ? null : res.error };
  revalidatePath("/admin/accounts");
  return { status: "created", link: `${hubOrigin()}/signup?invite=${encodeURIComponent(res.data.token)}`, expiresAt: res.data.invite.expiresAt };
}
