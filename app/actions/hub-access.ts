"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { HubAccessState } from "../../components/hub-access-forms.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { setPublicUrl } from "../../lib/accounts/public-url.ts";
import { setTwoFactorRequirement } from "../../lib/accounts/two-factor.ts";
import { TWO_FACTOR_REQUIREMENTS } from "../../lib/platform/settings.ts";

const publicUrl = adminAction(z.object({ publicUrl: z.string().max(300) }), (input, viewer) => setPublicUrl(viewer, input.publicUrl));
const twoFactor = adminAction(z.object({ required: z.enum(TWO_FACTOR_REQUIREMENTS, "choose none, admins or everyone") }), (input, viewer) => setTwoFactorRequirement(viewer, input.required));

/** Admin → Accounts: the hub's public URL (invite links, the device enrolment command); empty: the browser's. */
export async function setPublicUrlAction(_prev: HubAccessState, data: FormData): Promise<HubAccessState> {
  const res = await publicUrl({ publicUrl: data.get("publicUrl") ?? "" });
  if (!res.ok) return { status: "error", message: res.fieldErrors?.publicUrl ?? res.error };
  revalidatePath("/admin/accounts");
  return { status: "saved", message: res.data ? `Links now use ${res.data}.` : "Links now use the address each browser reached the hub at." };
}

/** Admin → Accounts: whose accounts must have two-factor sign-in. */
export async function setTwoFactorRequiredAction(_prev: HubAccessState, data: FormData): Promise<HubAccessState> {
  const res = await twoFactor({ required: data.get("required") });
  if (!res.ok) return { status: "error", message: res.fieldErrors?.required ?? res.error };
  revalidatePath("/admin/accounts");
  const who = { none: "nobody is required to use", admins: "admins must use", everyone: "everyone must use" }[res.data];
  return { status: "saved", message: `Saved: ${who} two-factor sign-in.` };
}
