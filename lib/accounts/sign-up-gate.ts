import "server-only";
import { isPendingBootstrapToken } from "./bootstrap.ts";
import { INVITE_REFUSALS, inviteTokenState } from "./invites.ts";
import { getSettings, type SignUpMode } from "../platform/settings.ts";

/**
 * Who may sign up, decided once for the sign-up page and for `signUp` itself: anyone in mode
 * "open"; holders of a pending invite in "invite"; nobody in "closed"; the holder of the admin
 * bootstrap token in every mode.
 */
export type SignUpGate =
  | { allowed: true; mode: SignUpMode; via: "open" | "bootstrap"; notice: string }
  /** `email`: the address the invite is for (the account must have it); null for invites made before invites named one */
  | { allowed: true; mode: SignUpMode; via: "invite"; notice: string; email: string | null }
  | { allowed: false; mode: SignUpMode; message: string };

export type SignUpVia = Extract<SignUpGate, { allowed: true }>["via"];

export const SIGN_UP_REFUSALS = {
  invite: "this hub signs up by invitation only: open the invite link an admin gave you",
  closed: "sign-up is closed on this hub; ask an admin for an account",
  bootstrap: "this admin set-up link is not valid any more: it was used, or a newer one was made (see the hub's data directory)",
} as const;

export async function signUpGate(tokens: { invite?: string | null; bootstrap?: string | null }, now = new Date()): Promise<SignUpGate> {
  const { signUpMode: mode } = await getSettings();
  if (tokens.bootstrap) {
    return (await isPendingBootstrapToken(tokens.bootstrap))
      ? { allowed: true, mode, via: "bootstrap", notice: "This one-time link makes the account you create now the hub's admin." }
      : { allowed: false, mode, message: SIGN_UP_REFUSALS.bootstrap };
  }
  if (mode === "open") return { allowed: true, mode, via: "open", notice: "Anyone can create an account on this hub." };
  if (mode === "closed") return { allowed: false, mode, message: SIGN_UP_REFUSALS.closed };
  if (!tokens.invite) return { allowed: false, mode, message: SIGN_UP_REFUSALS.invite };
  const { state, email } = await inviteTokenState(tokens.invite, now);
  return state === "pending"
    ? { allowed: true, mode, via: "invite", email, notice: email ? `You were invited as ${email}: this link creates one account.` : "You were invited: this link creates one account." }
    : { allowed: false, mode, message: INVITE_REFUSALS[state] };
}
