"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { TwoFactorConfirmState, TwoFactorDisableState, TwoFactorStartState } from "../../components/two-factor-panel.tsx";
import { enrolmentAction } from "../../lib/actions/safe-action.ts";
import { confirmTwoFactor, disableTwoFactor, startTwoFactor } from "../../lib/accounts/two-factor.ts";

const code = z.object({ code: z.string().trim().min(1, "enter the code").max(64) });
const start = enrolmentAction(z.object({}), (_input, viewer) => startTwoFactor(viewer));
const confirm = enrolmentAction(code, (input, viewer) => confirmTwoFactor(viewer, input.code));
const disable = enrolmentAction(code, (input, viewer) => disableTwoFactor(viewer, input.code));

/** Enrolment, first step: a new secret, as a QR code and as text, shown on this page only. */
export async function startTwoFactorAction(_prev: TwoFactorStartState): Promise<TwoFactorStartState> {
  const res = await start({});
  if (!res.ok) return { status: "error", message: res.error };
  return { status: "started", secret: res.data.secret, uri: res.data.uri, qrSvg: res.data.qrSvg };
}

/** Enrolment, second step: a code from the app turns it on; the recovery codes are shown once. */
export async function confirmTwoFactorAction(_prev: TwoFactorConfirmState, data: FormData): Promise<TwoFactorConfirmState> {
  const res = await confirm({ code: data.get("code") ?? "" });
  if (!res.ok) return { status: "error", message: res.fieldErrors?.code ?? res.error };
  revalidatePath("/settings/security");
  return { status: "enabled", recoveryCodes: res.data.recoveryCodes };
}

export async function disableTwoFactorAction(_prev: TwoFactorDisableState, data: FormData): Promise<TwoFactorDisableState> {
  const res = await disable({ code: data.get("code") ?? "" });
  if (!res.ok) return { status: "error", message: res.fieldErrors?.code ?? res.error };
  revalidatePath("/settings/security");
  return { status: "disabled" };
}
