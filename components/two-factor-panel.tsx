"use client";

import { useActionState } from "react";
import type { TwoFactorStatus } from "../lib/accounts/two-factor.ts";
import { SecretOnce } from "./secret-manager.tsx";
import { formatTime } from "./time.ts";

export type TwoFactorStartState = { status: "idle" } | { status: "error"; message: string } | { status: "started"; secret: string; uri: string; qrSvg: string };
export type TwoFactorConfirmState = { status: "idle" } | { status: "error"; message: string } | { status: "enabled"; recoveryCodes: string[] };
export type TwoFactorDisableState = { status: "idle" } | { status: "error"; message: string } | { status: "disabled" };

function CodeField({ id, label }: { id: string; label: string }) {
  return (
    <div className="w-56">
      <label htmlFor={id} className="label">{label}</label>
      <input id={id} name="code" autoComplete="one-time-code" required className="input mt-1 font-mono" />
    </div>
  );
}

/**
 * Two-factor sign-in with an authenticator app (TOTP): set up with a QR code or the secret as text,
 * confirm with a code, keep the ten recovery codes shown once; turn off with a code.
 */
export function TwoFactorPanel({
  status,
  startAction,
  confirmAction,
  disableAction,
}: {
  status: TwoFactorStatus;
  startAction: (state: TwoFactorStartState) => Promise<TwoFactorStartState>;
  confirmAction: (state: TwoFactorConfirmState, data: FormData) => Promise<TwoFactorConfirmState>;
  disableAction: (state: TwoFactorDisableState, data: FormData) => Promise<TwoFactorDisableState>;
}) {
  const [started, start, starting] = useActionState(startAction, { status: "idle" });
  const [confirmed, confirm, confirming] = useActionState(confirmAction, { status: "idle" });
  const [disabled, disable, disabling] = useActionState(disableAction, { status: "idle" });

  if (confirmed.status === "enabled") {
    return (
      <div className="space-y-3">
        <p role="status" className="text-sm font-medium text-emerald-800">Two-factor sign-in is on.</p>
        <SecretOnce title="Your recovery codes, shown only now: keep them somewhere safe. Each signs you in once if you lose your phone." label="Recovery codes" value={confirmed.recoveryCodes.join(" ")}>
          <ul aria-label="Recovery codes list" className="grid grid-cols-2 gap-1 font-mono text-sm sm:grid-cols-5">
            {confirmed.recoveryCodes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </SecretOnce>
      </div>
    );
  }

  if (status.enabled && disabled.status !== "disabled") {
    return (
      <div className="space-y-3 text-sm">
        <p role="status">
          <span className="badge border-emerald-200 bg-emerald-50 text-emerald-800">on</span> since {formatTime(status.enabledAt)} UTC; {status.recoveryCodesLeft} recovery code
          {status.recoveryCodesLeft === 1 ? "" : "s"} left.
        </p>
        <form action={disable} className="flex flex-wrap items-end gap-3" aria-label="Turn off two-factor sign-in">
          <CodeField id="disable-code" label="Current code or a recovery code" />
          <button type="submit" className="btn btn-danger" disabled={disabling}>Turn off</button>
          {disabled.status === "error" && <p role="alert" className="field-error w-full">{disabled.message}</p>}
        </form>
        {status.required && <p className="hint">An admin requires two-factor sign-in here: turning it off sends you to set it up again (how you move to a new phone).</p>}
      </div>
    );
  }

  return (
    <div className="space-y-3 text-sm">
      <p>
        <span className="badge">off</span> Sign-in asks only for your password.
      </p>
      {started.status !== "started" ? (
        <form action={start} aria-label="Set up two-factor sign-in">
          <button type="submit" className="btn btn-primary" disabled={starting}>Set up two-factor sign-in</button>
          {started.status === "error" && <p role="alert" className="field-error">{started.message}</p>}
        </form>
      ) : (
        <div className="space-y-3">
          <p>Scan this with an authenticator app (any TOTP app: Aegis, Google Authenticator, 1Password…), or type the secret in.</p>
          <div className="flex flex-wrap items-start gap-4">
            {/* the SVG is made on the server from the otpauth URI, never from anyone's input */}
            <div className="size-48 rounded border border-zinc-200 bg-white" role="img" aria-label="QR code of the secret" dangerouslySetInnerHTML={{ __html: started.qrSvg }} />
            <div className="space-y-1">
              <p className="label">Secret</p>
              <code aria-label="Two-factor secret" className="block break-all font-mono text-sm">{started.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
              <p className="hint">SHA-1, 6 digits, every 30 seconds: the usual settings.</p>
            </div>
          </div>
          <form action={confirm} className="flex flex-wrap items-end gap-3" aria-label="Confirm two-factor sign-in">
            <CodeField id="confirm-code" label="Code from the app" />
            <button type="submit" className="btn btn-primary" disabled={confirming}>Turn on</button>
            {confirmed.status === "error" && <p role="alert" className="field-error w-full">{confirmed.message}</p>}
          </form>
        </div>
      )}
    </div>
  );
}
