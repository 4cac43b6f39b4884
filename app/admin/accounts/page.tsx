import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { PublicUrlForm, TwoFactorRequirementForm } from "../../../components/hub-access-forms.tsx";
import { urlFromHeaders } from "../../../lib/accounts/public-url.ts";
import { setPublicUrlAction, setTwoFactorRequiredAction } from "../../actions/hub-access.ts";
import { AccountTable } from "../../../components/account-table.tsx";
import { InviteManager } from "../../../components/invite-manager.tsx";
import { SignUpModeForm } from "../../../components/sign-up-mode-form.tsx";
import { listInvites } from "../../../lib/accounts/invites.ts";
import { getViewer } from "../../../lib/auth/session.ts";
import { getSettings } from "../../../lib/platform/settings.ts";
import { listAccounts } from "../../../lib/accounts/users.ts";
import { createInviteAction } from "../../actions/create-invite.ts";
import { revokeInviteAction } from "../../actions/revoke-invite.ts";
import { setSignUpModeAction } from "../../actions/set-sign-up-mode.ts";
import { setUserRoleAction } from "../../actions/set-user-role.ts";
import { adminPageMetadata } from "../../_lib/titles.ts";

export const generateMetadata = (): Promise<Metadata> => adminPageMetadata("Accounts");

export default async function AccountsPage() {
  const viewer = await getViewer();
  // the page does not exist for anyone but admins, signed in or not
  if (viewer?.role !== "admin") notFound();
  const [settings, invites, accounts, seen] = await Promise.all([getSettings(), listInvites(viewer), listAccounts(viewer), headers().then(urlFromHeaders)]);
  return (
    <div className="mx-auto max-w-4xl space-y-8">
      <div>
        <h1 className="h-page">Accounts</h1>
        <p className="mt-1 text-sm text-zinc-600">Who may sign up, invite links (each for one e-mail), two-factor sign-in, and who is an admin. Changing someone&apos;s role ends their sessions.</p>
      </div>
      <section aria-labelledby="mode-h" className="space-y-2">
        <h2 id="mode-h" className="h-section">Sign-up</h2>
        <SignUpModeForm mode={settings.signUpMode} action={setSignUpModeAction} />
      </section>
      <section aria-labelledby="access-h" className="space-y-2">
        <h2 id="access-h" className="h-section">Sign-in and links</h2>
        <TwoFactorRequirementForm required={settings.twoFactorRequired} action={setTwoFactorRequiredAction} />
        <PublicUrlForm publicUrl={settings.publicUrl} seen={seen ?? "http://…"} action={setPublicUrlAction} />
      </section>
      <section aria-labelledby="invites-h" className="space-y-2">
        <h2 id="invites-h" className="h-section">Invites</h2>
        <InviteManager invites={invites} createAction={createInviteAction} revokeAction={revokeInviteAction} />
      </section>
      <section aria-labelledby="accounts-h" className="space-y-2">
        <h2 id="accounts-h" className="h-section">Users</h2>
        <AccountTable accounts={accounts} viewerId={viewer.id} action={setUserRoleAction} />
      </section>
    </div>
  );
}
