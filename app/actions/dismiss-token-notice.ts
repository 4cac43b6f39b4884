"use server";

import { revalidatePath } from "next/cache";
import { problemOf, safeAction, type ProblemState } from "../../lib/actions/safe-action.ts";
import { dismissTokenNoticeInputSchema } from "../../lib/schemas/tokens.ts";
import { dismissTokenNotice } from "../../lib/accounts/tokens.ts";

const dismiss = safeAction(dismissTokenNoticeInputSchema, (_input, viewer) => dismissTokenNotice(viewer));

/** The owner read what the upgrade gave their older tokens (all their scopes, a 90-day expiry). */
export async function dismissTokenNoticeAction(_prev: ProblemState): Promise<ProblemState> {
  const res = await dismiss({});
  if (!res.ok) return { problem: problemOf(res) };
  revalidatePath("/settings/tokens");
  return { problem: null };
}
