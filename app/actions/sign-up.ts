"use server";

import type { SignUpResult } from "../../components/sign-up-form.tsx";
import { publicAction } from "../../lib/actions/safe-action.ts";
import { signUp, signUpSchema } from "../../lib/users.ts";

const create = publicAction(signUpSchema, (input) => signUp(input));

/** Creates an account; the form signs in with the same credentials afterwards. */
export async function signUpAction(data: FormData): Promise<SignUpResult> {
  const res = await create({
    username: String(data.get("username") ?? "").trim(),
    email: String(data.get("email") ?? "").trim(),
    password: String(data.get("password") ?? ""),
  });
  if (res.ok) return { ok: true };
  return { ok: false, errors: res.fieldErrors ?? {}, message: res.fieldErrors && Object.keys(res.fieldErrors).length ? null : res.error };
}
