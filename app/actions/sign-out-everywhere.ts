"use server";

import { z } from "zod";
import { safeAction } from "../../lib/actions/safe-action.ts";
import { signOutEverywhere } from "../../lib/accounts/users.ts";

const run = safeAction(z.object({}), (_input, viewer) => signOutEverywhere(viewer));

/** Ends every browser session of the caller; the button then clears this browser's cookie too. */
export async function signOutEverywhereAction(): Promise<{ ok: true } | { ok: false; message: string }> {
  const res = await run({});
  return res.ok ? { ok: true } : { ok: false, message: res.error };
}
