"use client";

import { useActionState } from "react";
import type { MetricsTokenStatus } from "../lib/metrics/token.ts";
import { formatTime } from "./time.ts";

export type MetricsTokenState = { status: "idle" } | { status: "error"; message: string } | { status: "created"; token: string } | { status: "revoked" };

type Action = (state: MetricsTokenState, data: FormData) => Promise<MetricsTokenState>;

/** The metrics token Prometheus scrapes `/metrics` with: create or replace it (shown once), revoke it. */
export function MetricsToken({ status, createAction, revokeAction }: { status: MetricsTokenStatus; createAction: Action; revokeAction: Action }) {
  const [created, create, creating] = useActionState(createAction, { status: "idle" });
  const [revoked, revoke, revoking] = useActionState(revokeAction, { status: "idle" });
  const error = created.status === "error" ? created.message : revoked.status === "error" ? revoked.message : null;
  return (
    <div className="card space-y-3 p-4 text-sm">
      <p>
        {status.prefix ? (
          <>
            Token <code>{status.prefix}…</code> created {formatTime(status.createdAt)}.
          </>
        ) : (
          "No metrics token was created here."
        )}{" "}
        {status.fromEnvironment ? <>The token in <code>LEVHUB_METRICS_TOKEN</code> is accepted too.</> : null}
      </p>
      <div className="flex flex-wrap gap-3">
        <form action={create} aria-label="Create a metrics token">
          <button type="submit" className="btn btn-primary" disabled={creating}>
            {status.prefix ? "Replace the metrics token" : "Create a metrics token"}
          </button>
        </form>
        {status.prefix && (
          <form action={revoke} aria-label="Revoke the metrics token">
            <button type="submit" className="btn btn-danger" disabled={revoking}>Revoke</button>
          </form>
        )}
      </div>
      {error && <p role="alert" className="field-error">{error}</p>}
      {created.status === "created" && (
        <div role="status" className="rounded-md border border-emerald-200 bg-emerald-50 p-4 text-emerald-900">
          <p className="font-semibold">Copy the token now: it will not be shown again. The previous one no longer works.</p>
          <label htmlFor="new-metrics-token" className="sr-only">New metrics token</label>
          <input id="new-metrics-token" readOnly value={created.token} className="input mt-2 font-mono" onFocus={(e) => e.currentTarget.select()} />
          <p className="mt-2">In Prometheus: <code>authorization: {"{"} credentials_file: /etc/prometheus/levhub-token {"}"}</code> (see the README, &ldquo;Operate the hub&rdquo;).</p>
        </div>
      )}
    </div>
  );
}
