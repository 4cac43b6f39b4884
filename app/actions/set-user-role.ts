"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { RoleChangeState } from "../../components/account-table.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { ROLES, setUserRole } from "../../lib/accounts/users.ts";

const set = adminAction(z.object({ id: z.string().min(1), role: z.enum(ROLES) }), (input, viewer) => setUserRole(viewer, input.id, input.role));

export async function setUserRoleAction(_prev: RoleChangeState, data: FormData): Promise<RoleChangeState> {
  const res = await set({ id: data.get("id") ?? "", role: data.get("role") ?? "" });
  if (!res.ok) return { status: "error", message: res.error };
  revalidatePath("/admin/accounts");
  return { status: "saved", message: `${res.data.username} is now ${res.data.role === "admin" ? "an admin" : "a user"}; their sessions were ended.` };
}
