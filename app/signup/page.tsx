import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignUpForm } from "../../components/sign-up-form.tsx";
import { getViewer } from "../../lib/session.ts";
import { signUpAction } from "../actions/sign-up.ts";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignUpPage() {
  if (await getViewer()) redirect("/");
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="h-page mb-1 text-center">Create your Levhub account</h1>
      <p className="mb-6 text-center text-sm text-zinc-500">Run tools, follow runs live and publish your own packages.</p>
      <div className="card p-5">
        <SignUpForm action={signUpAction} />
      </div>
    </div>
  );
}
