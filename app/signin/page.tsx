import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "../../components/sign-in-form.tsx";
import { getViewer } from "../../lib/session.ts";
import { one, type SearchParams } from "../_lib/load.ts";

export const metadata: Metadata = { title: "Sign in" };

/** Only same-site paths are followed after sign-in. */
function safeReturn(v: string | undefined): string {
  return v && v.startsWith("/") && !v.startsWith("//") ? v : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const callbackUrl = safeReturn(one((await searchParams).callbackUrl));
  if (await getViewer()) redirect(callbackUrl);
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="h-page mb-6 text-center">Sign in to Levhub</h1>
      <div className="card p-5">
        <SignInForm callbackUrl={callbackUrl} />
      </div>
    </div>
  );
}
