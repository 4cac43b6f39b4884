import type { Metadata } from "next";
import Link from "next/link";
import { ActionButton } from "../../../../../components/action-problem.tsx";
import { ROLE_TEXT } from "../../../../../components/projects/member-manager.tsx";
import { PROJECT_INVITE_REFUSALS, projectInviteInfo } from "../../../../../lib/projects/invites.ts";
import { getViewer } from "../../../../../lib/auth/session.ts";
import { acceptProjectInviteAction } from "../../../../actions/projects.ts";
import { loadOr404 } from "../../../../_lib/load.ts";

type Params = Promise<{ slug: string; token: string }>;

export const metadata: Metadata = { title: "Project invite" };

/**
 * A project invite link: the project and the role offered to an e-mail address. The account with
 * that address joins with one button; someone without an account signs up first where the hub
 * allows it, then comes back here.
 */
export default async function JoinProjectPage({ params }: { params: Params }) {
  const { slug, token } = await params;
  const viewer = await getViewer();
  const info = await loadOr404(projectInviteInfo(viewer, slug, decodeURIComponent(token)));
  const here = `/projects/${slug}/join/${token}`;
  const back = encodeURIComponent(here);
  return (
    <div className="mx-auto max-w-md space-y-4 py-8">
      <h1 className="h-page text-center">Join {info.project.name}</h1>
      <div className="card space-y-3 p-5 text-sm">
        <p>
          This link makes <span className="font-medium break-all">{info.email}</span> a member of project{" "}
          <span className="font-mono">{info.project.slug}</span> as <span className="font-medium">{ROLE_TEXT[info.role]}</span>.
        </p>
        {info.state !== "pending" ? (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800">{PROJECT_INVITE_REFUSALS[info.state]}</p>
        ) : viewer ? (
          info.forViewer ? (
            <ActionButton action={acceptProjectInviteAction.bind(null, slug, decodeURIComponent(token))} fields={{}} ariaLabel={`Join ${info.project.name}`} className="btn btn-primary">
              Join the project
            </ActionButton>
          ) : (
            <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
              You are signed in as {viewer.email}: sign out and sign in as {info.email} to accept it.
            </p>
          )
        ) : (
          <div className="space-y-2">
            <p>
              <Link className="btn btn-primary" href={`/signin?callbackUrl=${back}`}>Sign in as {info.email}</Link>
            </p>
            {info.signUp === "account-needed" ? (
              <p className="text-zinc-600">No account yet? Sign-up on this hub needs an admin&apos;s invite: ask an admin for one, then open this link again.</p>
            ) : (
              <p className="text-zinc-600">
                No account yet? <Link href={`/signup?${info.signUp === "invite" ? `invite=${encodeURIComponent(decodeURIComponent(token))}&` : ""}callbackUrl=${back}`}>Create one with {info.email}</Link>, then join.
              </p>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
