"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";

/**
 * Ends every browser session of the account (other devices included), then this one's cookie;
 * API tokens are not touched.
 */
export function SignOutEverywhere({ action }: { action: () => Promise<{ ok: true } | { ok: false; message: string }> }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onClick = async () => {
    setPending(true);
    setError(null);
    const res = await action();
    if (!res.ok) {
      setPending(false);
      setError(res.message);
      return;
    }
    await signOut({ callbackUrl: "/signin" });
  };
  return (
    <div className="space-y-2">
      {error && <p role="alert" className="field-error">{error}</p>}
      <button type="button" className="btn btn-danger" disabled={pending} onClick={() => void onClick()}>
        {pending ? "Signing out…" : "Sign out everywhere"}
      </button>
    </div>
  );
}
