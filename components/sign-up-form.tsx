"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

export type SignUpResult = { ok: true; signIn: "auto" | "manual" } | { ok: false; errors: Record<string, string>; message: string | null };

/**
 * Creates the account with a server action, then signs in with the same credentials (after an
 * invite or admin link), or says "account created, sign in" (open sign-up). The user name becomes
 * the namespace packages are published under. `linkTokens` carries the invite or admin set-up
 * token of the link the page was opened with; `fixedEmail` the address an invite is for; `next` is
 * where the new account goes afterwards (a same-origin path the page checked: a project invite's page).
 */
export function SignUpForm({
  action,
  linkTokens = {},
  fixedEmail = null,
  next = "/",
}: {
  action: (data: FormData) => Promise<SignUpResult>;
  linkTokens?: { invite?: string; bootstrap?: string };
  fixedEmail?: string | null;
  next?: string;
}) {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState(false);
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setPending(true);
    const res = await action(data);
    if (!res.ok) {
      setErrors(res.errors);
      setMessage(res.message);
      setPending(false);
      return;
    }
    if (res.signIn === "manual") {
      setPending(false);
      setCreated(true);
      return;
    }
    const signed = await signIn("credentials", { email: String(data.get("email") ?? ""), password: String(data.get("password") ?? ""), redirect: false });
    setPending(false);
    if (!signed || signed.error) {
      setMessage("Your account was created, but signing in failed; please sign in.");
      return;
    }
    router.push(next);
    router.refresh();
  };
  if (created) {
    return (
      <div role="status" aria-label="Account created" className="space-y-3 text-sm">
        <p className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-emerald-900">Account created. Sign in with your e-mail and password.</p>
        <Link href="/signin" className="btn btn-primary w-full">Sign in</Link>
      </div>
    );
  }
  const field = (name: string, label: string, type: string, autoComplete: string, hint?: string, fixed?: string | null) => (
    <div>
      <label htmlFor={name} className="label">{label}</label>
      <input
        id={name}
        name={name}
        type={type}
        autoComplete={autoComplete}
        required
        {...(fixed ? { value: fixed, readOnly: true } : {})}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={[errors[name] ? `${name}-error` : "", hint ? `${name}-hint` : ""].filter(Boolean).join(" ") || undefined}
        className="input mt-1"
      />
      {hint && <p id={`${name}-hint`} className="hint">{hint}</p>}
      {errors[name] && <p id={`${name}-error`} className="field-error">{errors[name]}</p>}
    </div>
  );
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="Sign up" noValidate>
      {message && <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{message[0].toUpperCase() + message.slice(1)}</p>}
      {linkTokens.invite && <input type="hidden" name="invite" value={linkTokens.invite} />}
      {linkTokens.bootstrap && <input type="hidden" name="bootstrap" value={linkTokens.bootstrap} />}
      {field("username", "User name", "text", "username", "2–32 lowercase letters, digits or _, starting with a letter; it is also your package namespace.")}
      {field("email", "Email", "email", "email", fixedEmail ? "The invite is for this address." : undefined, fixedEmail)}
      {field("password", "Password", "password", "new-password", "At least 8 characters.")}
      <button type="submit" className="btn btn-primary w-full" disabled={pending}>{pending ? "Creating account…" : "Create account"}</button>
      <p className="text-center text-sm text-zinc-600">
        Already have an account? <Link href="/signin">Sign in</Link>
      </p>
    </form>
  );
}
