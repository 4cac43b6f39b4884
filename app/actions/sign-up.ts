"use server";

import { headers } from "next/headers";
import { z } from "zod";
import type { SignUpResult } from "../../components/sign-up-form.tsx";
import { publicAction } from "../../lib/actions/safe-action.ts";
import { clientAddress } from "../../lib/auth/client-address.ts";
import { signUpFromWeb, signUpSchema } from "../../lib/accounts/users.ts";

const linkToken = z.string().trim().max(200).optional();
const create = publicAction(signUpSchema.extend({ client: z.string(), invite: linkToken, bootstrap: linkToken }), ({ client, invite, bootstrap, ...input }) =>
  signUpFromWeb(input, { client, invite, bootstrap }),
);

/**
 * Creates an account. After an invite or admin link the form signs in with the same credentials;
 * in open mode it says "account created, sign in" (an e-mail in use gets that answer too).
 */
export async function signUpAction(data: FormData): Promise<SignUpResult> {
  const optional = (k: string) => String(data.get(k) ?? "").trim() || undefined;
  const res = await create({
    username: String(data.get("username") ?? "").trim(),
    email: String(data.get("email") ?? "").trim(),
    password: String(data.get("password") ?? ""),
    invite: optional("invite"),
    bootstrap: optional("bootstrap"),
    client: clientAddress(await headers()),
  });
  if (res.ok) return { ok: true, signIn: res.data.signIn };
  return { ok: false, errors: res.fieldErrors ?? {}, message: res.fieldErrors && Object.keys(res.fieldErrors).length ? null : res.error };
}
