"use client";

import { useActionState } from "react";
import type { NotifySettingsView } from "../../lib/notify/settings.ts";

/**
 * Admin → Notifications: the hosts webhooks may reach although private (and over http), and the
 * SMTP server e-mail goes through. The password field is write-only: blank keeps the stored one.
 */

export type NotifySettingsFormState =
  | { status: "idle" }
  | { status: "saved"; settings: NotifySettingsView }
  | { status: "error"; errors: Record<string, string>; message: string };

export function NotifySettingsForm({ settings, action }: { settings: NotifySettingsView; action: (s: NotifySettingsFormState, d: FormData) => Promise<NotifySettingsFormState> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  const s = state.status === "saved" ? state.settings : settings;
  const err = (k: string) => (errors[k] ? <p role="alert" className="field-error">{errors[k]}</p> : null);
  return (
    <form action={formAction} className="card space-y-4 p-4 text-sm" aria-label="Notification settings">
      <label className="flex flex-col">
        <span className="label">Allow-listed hosts (one per line: host or host:port)</span>
        <textarea name="allowHosts" rows={3} className="input font-mono" defaultValue={s.allowHosts.join("\n")} />
        <span className="hint">Only these may be private or loopback addresses, or use http. Leave empty to allow public https addresses only.</span>
        {err("allowHosts")}
      </label>
      <fieldset className="space-y-2">
        <legend className="label">SMTP server (blank host: no e-mail)</legend>
        <div className="flex flex-wrap gap-3">
          <label className="flex flex-col"><span className="label">Host</span><input name="host" className="input" defaultValue={s.smtp?.host ?? ""} />{err("host")}</label>
          <label className="flex w-24 flex-col"><span className="label">Port</span><input name="port" inputMode="numeric" className="input" defaultValue={s.smtp?.port ?? 587} />{err("port")}</label>
          <label className="flex flex-col">
            <span className="label">Security</span>
            <select name="security" className="input" defaultValue={s.smtp?.security ?? "starttls"}>
              <option value="starttls">STARTTLS (required)</option>
              <option value="tls">TLS from the start</option>
              <option value="none">none (a relay on this machine)</option>
            </select>
          </label>
          <label className="flex flex-col"><span className="label">From</span><input name="from" className="input" defaultValue={s.smtp?.from ?? ""} />{err("from")}</label>
          <label className="flex flex-col"><span className="label">User</span><input name="user" className="input" autoComplete="off" defaultValue={s.smtp?.user ?? ""} /></label>
          <label className="flex flex-col">
            <span className="label">Password {s.smtp?.hasPassword ? "(stored; blank keeps it)" : ""}</span>
            <input name="password" type="password" className="input" autoComplete="new-password" />
          </label>
        </div>
      </fieldset>
      <button type="submit" className="btn btn-primary" disabled={pending}>Save</button>
      {state.status === "saved" && <p role="status" className="text-emerald-700">Saved.</p>}
      {state.status === "error" && !Object.keys(state.errors).length && <p role="alert" className="text-red-700">{state.message}</p>}
    </form>
  );
}
