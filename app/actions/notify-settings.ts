"use server";

import { revalidatePath } from "next/cache";
import type { NotifySettingsFormState } from "../../components/notify/settings-form.tsx";
import { adminAction } from "../../lib/actions/safe-action.ts";
import { setNotifySettings } from "../../lib/notify/settings.ts";
import { notifySettingsBodySchema } from "../../lib/schemas/notify.ts";

const update = adminAction(notifySettingsBodySchema, (input, viewer) => setNotifySettings(viewer.id, input));

const text = (data: FormData, k: string) => String(data.get(k) ?? "").trim();

/** Admin → Notifications: the allow-list and the SMTP server; a blank password keeps the stored one. */
export async function updateNotifySettingsAction(_prev: NotifySettingsFormState, data: FormData): Promise<NotifySettingsFormState> {
  const host = text(data, "host");
  const res = await update({
    allowHosts: text(data, "allowHosts").split(/\s+/).filter(Boolean),
    smtp: host
      ? { host, port: Number(text(data, "port")), security: text(data, "security"), user: text(data, "user") || null, password: text(data, "password") || null, from: text(data, "from") }
      : null,
  });
  if (!res.ok) {
    const errors = Object.fromEntries(Object.entries(res.fieldErrors ?? {}).map(([k, v]) => [k.replace(/^smtp\./, "").split(".")[0], v]));
    return { status: "error", errors, message: res.error };
  }
  revalidatePath("/admin/notifications");
  return { status: "saved", settings: res.data };
}
