"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { SignUpModeState } from "../../components/sign-up-mode-form.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { audit } from "../../lib/platform/audit.ts";
import { SIGN_UP_MODES, updateSettings } from "../../lib/platform/settings.ts";

const set = adminAction(z.object({ mode: z.enum(SIGN_UP_MODES, "choose open, invite or closed") }), async ({ mode }, viewer) => {
  await updateSettings({ signUpMode: mode });
  await audit(viewer.id, "settings.sign_up_mode", mode);
  return mode;
});


export async function setSignUpModeAction(_prev: SignUpModeState, data: FormData): Promise<SignUpModeState> {
  const res = await set({ mode: data.get("mode") });
  if (!res.ok) return { status: "error", message: res.fieldErrors?.mode ?? res.error };
  revalidatePath("/admin/accounts");
  return { status: "saved", mode: res.data };
}
