import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SignUpForm } from "../../components/sign-up-form.tsx";
import { getViewer } from "../../lib/auth/session.ts";
import { signUpGate } from "../../lib/accounts/sign-up-gate.ts";
import { hubOrigin, safeCallbackUrl } from "../../lib/auth/callback-url.ts";
import { signUpAction } from "../actions/sign-up.ts";
import { one, type SearchParams } from "../_lib/load.ts";

export const metadata: Metadata = { title: "Sign up" };

const MODE_LABEL = { open: "open to anyone", invite: "by invitation only", closed: "closed" } as const;

export default async function SignUpPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  // where the new account goes (a project invite's page sends people here and back)
  const next = safeCallbackUrl(one(params.callbackUrl), hubOrigin());
  if (await getViewer()) redirect(next);
  const tokens = { invite: one(params.invite)?.slice(0, 200), bootstrap: one(params.bootstrap)?.slice(0, 200) };
  const gate = await signUpGate(tokens);
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="h-page mb-1 text-center">Create your Levhub account</h1>
      <p className="mb-6 text-center text-sm text-zinc-500">Run tools, follow runs live and publish your own packages.</p>
      <p className="mb-3 text-center text-xs text-zinc-500">
        Sign-up on this hub is <span className="badge">{MODE_LABEL[gate.mode]}</span>
      </p>
      {gate.allowed ? (
        <div className="card space-y-4 p-5">
          <p role="note" className={gate.via === "bootstrap" ? "rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" : "text-sm text-zinc-600"}>
            {gate.notice}
          </p>
          <SignUpForm action={signUpAction} linkTokens={gate.via === "open" ? {} : { [gate.via]: tokens[gate.via] }} fixedEmail={gate.via === "invite" ? gate.email : null} next={next} />
        </div>
      ) : (
        <div className="card space-y-3 p-5">
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {gate.message[0].toUpperCase() + gate.message.slice(1)}.
          </p>
          <p className="text-center text-sm text-zinc-600">
            Already have an account? <Link href="/signin">Sign in</Link>
          </p>
        </div>
      )}
    </div>
  );
}
