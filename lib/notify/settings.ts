import "server-only";
import { audit } from "../platform/audit.ts";
import { getSettings, updateSettings } from "../platform/settings.ts";
import { notifySettingsBodySchema, type NotifySettingsBody } from "../schemas/notify.ts";
import { encryptSmtpPassword } from "./email.ts";

/**
 * The admin's notification settings: the hosts webhooks may reach although private (and over
 * http), and the SMTP server. The password is encrypted before it is stored and never read back
 * out: `password: null` keeps the stored one, `""` removes it.
 */

export interface NotifySettingsView {
  allowHosts: string[];
  smtp: { host: string; port: number; security: "starttls" | "tls" | "none"; user: string | null; hasPassword: boolean; from: string } | null;
}

export async function notifySettings(): Promise<NotifySettingsView> {
  const { notify } = await getSettings();
  const s = notify.smtp;
  return { allowHosts: notify.allowHosts, smtp: s ? { host: s.host, port: s.port, security: s.security, user: s.user, hasPassword: s.password !== null, from: s.from } : null };
}

/** Replaces the settings; the caller is an admin (an admin action, `npm run admin`). Audited `settings.notify`, never with the password. */
export async function setNotifySettings(actorId: string | null, input: NotifySettingsBody): Promise<NotifySettingsView> {
  const body = notifySettingsBodySchema.parse(input);
  const current = (await getSettings()).notify.smtp;
  const smtp = body.smtp
    ? {
        ...body.smtp,
        password: body.smtp.password === null ? (current?.password ?? null) : body.smtp.password === "" ? null : encryptSmtpPassword(body.smtp.password),
      }
    : null;
  await updateSettings({ notify: { allowHosts: [...new Set(body.allowHosts)], smtp } });
  const view = await notifySettings();
  await audit(actorId, "settings.notify", null, { ...view, by: actorId ? undefined : "npm run admin" });
  return view;
}
