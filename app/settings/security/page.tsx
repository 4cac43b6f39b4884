import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SignOutEverywhere } from "../../../components/sign-out-everywhere.tsx";
import { getViewer } from "../../../lib/auth/session.ts";
import { signOutEverywhereAction } from "../../actions/sign-out-everywhere.ts";

export const metadata: Metadata = { title: "Security" };

export default async function SecurityPage() {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin?callbackUrl=%2Fsettings%2Fsecurity");
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <div>
        <h1 className="h-page">Security</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Signed in as <strong>{viewer.username}</strong> ({viewer.email}).
        </p>
      </div>
      <section aria-labelledby="sessions-h" className="card space-y-3 p-4">
        <h2 id="sessions-h" className="h-section">Sessions</h2>
        <p className="text-sm text-zinc-600">
          Lost a laptop, or signed in on a shared machine? This ends every session of your account in every browser, this one
          included. <Link href="/settings/tokens">API tokens</Link> keep working; revoke them separately.
        </p>
        <SignOutEverywhere action={signOutEverywhereAction} />
      </section>
    </div>
  );
}
