import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { NotifySettingsForm } from "../../../components/notify/settings-form.tsx";
import { getViewer } from "../../../lib/auth/session.ts";
import { notifySettings } from "../../../lib/notify/settings.ts";
import { updateNotifySettingsAction } from "../../actions/notify-settings.ts";
import { adminPageMetadata } from "../../_lib/titles.ts";

export const generateMetadata = (): Promise<Metadata> => adminPageMetadata("Notifications");
export const dynamic = "force-dynamic";

export default async function NotifySettingsPage() {
  const viewer = await getViewer();
  if (viewer?.role !== "admin") notFound();
  const settings = await notifySettings();
  return (
    <div className="mx-auto max-w-4xl space-y-4">
      <div>
        <h1 className="h-page">Notifications</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Webhooks and Slack URLs go only to public https addresses, checked when sent (no redirects followed). Hosts listed here are exempt: a chat server on your
          network, a test receiver. The SMTP password is stored encrypted with the secrets key and never shown. Also: <code>npm run admin -- notify-allow|notify-smtp</code>.
        </p>
      </div>
      <NotifySettingsForm settings={settings} action={updateNotifySettingsAction} />
    </div>
  );
}
