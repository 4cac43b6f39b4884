"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
// pure: turns next-auth's error code (a wrong password, too many attempts) into a sentence
import { SECOND_FACTOR_NEEDED, SECOND_FACTOR_WRONG, signInErrorMessage } from "../lib/auth/sign-in-error.ts";

/**
 * Email and password sign-in through next-auth's credentials provider; for an account with
 * two-factor sign-in, a second step asks for the code and sends it with the same e-mail and
 * password. `callbackUrl` must already be a same-origin path (the page passes it through `safeCallbackUrl`).
 */
export function SignInForm({ callbackUrl, initialError = null }: { callbackUrl: string; initialError?: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);
  const [askCode, setAskCode] = useState(false);
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setPending(true);
    setError(null);
    const otp = String(data.get("otp") ?? "").trim();
    const res = await signIn("credentials", {
      email: String(data.get("email") ?? ""),
      password: String(data.get("password") ?? ""),
      ...(askCode && otp ? { otp } : {}),
      redirect: false,
    });
    setPending(false);
    if (!res || res.error) {
      const code = res?.error ?? "CredentialsSignin";
      if (code === SECOND_FACTOR_NEEDED || code === SECOND_FACTOR_WRONG) setAskCode(true);
      else if (code === "CredentialsSignin") setAskCode(false);
      setError(signInErrorMessage(code));
      return;
    }
    router.push(callbackUrl);
    router.refresh();
  };
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="Sign in">
      {error && <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{error}</p>}
      <div>
        <label htmlFor="email" className="label">Email</label>
        <input id="email" name="email" type="email" autoComplete="email" required className="input mt-1" readOnly={askCode} />
      </div>
      <div>
        <label htmlFor="password" className="label">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required className="input mt-1" readOnly={askCode} />
      </div>
      {askCode && (
        <div>
          <label htmlFor="otp" className="label">Authentication code</label>
          <input id="otp" name="otp" autoComplete="one-time-code" inputMode="text" autoFocus required className="input mt-1 font-mono" placeholder="123456 or a recovery code" aria-describedby="otp-hint" />
          <p id="otp-hint" className="hint">The 6 digits your authenticator app shows for Levhub, or one of your recovery codes.</p>
        </div>
      )}
      <button type="submit" className="btn btn-primary w-full" disabled={pending}>{pending ? "Signing in…" : askCode ? "Verify" : "Sign in"}</button>
      <p className="text-center text-sm text-zinc-600">
        New here? <Link href="/signup">Create an account</Link>
      </p>
    </form>
  );
}
