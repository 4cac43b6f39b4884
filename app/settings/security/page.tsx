import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SignOutEverywhere } from "../../../components/sign-out-everywhere.tsx";
import { TwoFactorPanel } from "../../../components/two-factor-panel.tsx";
import { getSessionState } from "../../../lib/auth/session.ts";
import { twoFactorStatus } from "../../../lib/accounts/two-factor.ts";
import { signOutEverywhereAction } from "../../actions/sign-out-everywhere.ts";
import { confirmTwoFactorAction, disableTwoFactorAction, startTwoFactorAction } from "../../actions/two-factor.ts";

export const metadata: Metadata = { title: "Security" };

export default async function SecurityPage() {
  // the one page a user who owes the two-factor set-up an admin requires may open
  const state = await getSessionState();
  if (state.kind === "none") redirect("/signin?callbackUrl=%2Fsettings%2Fsecurity");
  const viewer = state.viewer;
  const status = await twoFactorStatus(viewer);
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <div>
        <h1 className="h-page">Security</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Signed in as <strong>{viewer.username}</strong> ({viewer.email}).
        </p>
      </div>
      {state.kind === "must_enrol" && (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          This hub requires two-factor sign-in for your account. Set it up below; until then nothing else is open to you.
        </p>
      )}
      <section aria-labelledby="two-factor-h" className="card space-y-3 p-4">
        <h2 id="two-factor-h" className="h-section">Two-factor sign-in</h2>
        <TwoFactorPanel status={status} startAction={startTwoFactorAction} confirmAction={confirmTwoFactorAction} disableAction={disableTwoFactorAction} />
      </section>
      {state.kind === "signed_in" && (
        <section aria-labelledby="sessions-h" className="card space-y-3 p-4">
          <h2 id="sessions-h" className="h-section">Sessions</h2>
          <p className="text-sm text-zinc-600">
            Lost a laptop, or signed in on a shared machine? This ends every session of your account in every browser, this one
            included, and forgets every browser it knew. <Link href="/settings/tokens">API tokens</Link> keep working; revoke them separately.
          </p>
          <SignOutEverywhere action={signOutEverywhereAction} />
        </section>
      )}
    </div>
  );
}
