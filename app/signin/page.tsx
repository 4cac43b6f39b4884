import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "../../components/sign-in-form.tsx";
import { hubOrigin, safeCallbackUrl } from "../../lib/auth/callback-url.ts";
import { signInErrorMessage } from "../../lib/auth/sign-in-error.ts";
import { getSessionState } from "../../lib/auth/session.ts";
import { one, type SearchParams } from "../_lib/load.ts";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(one(params.callbackUrl), hubOrigin());
  const state = await getSessionState();
  if (state.kind === "signed_in") redirect(callbackUrl);
  // signed in, but an admin requires a second factor the account has not set up yet
  if (state.kind === "must_enrol") redirect("/settings/security");
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="h-page mb-6 text-center">Sign in to Levhub</h1>
      <div className="card p-5">
        <SignInForm callbackUrl={callbackUrl} initialError={signInErrorMessage(one(params.error))} />
      </div>
    </div>
  );
}
