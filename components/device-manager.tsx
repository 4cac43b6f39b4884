"use client";

import { useActionState } from "react";
import type { ProblemState } from "../lib/actions/safe-action.ts";
import { ActionButton } from "./action-problem.tsx";
import { formatTime } from "./time.ts";

/** One device as Settings → My devices shows it (lib/devices `DeviceView`). */
export interface DeviceRow {
  id: string;
  name: string;
  state: string;
  lastSeenAt: string | null;
  version: string | null;
  engine: string | null;
  capacity: number | null;
  running: number;
  createdAt: string;
  revokedAt: string | null;
  tokenPrefix: string;
}

export type AddDeviceState = { status: "idle" } | { status: "error"; errors: Record<string, string>; message: string | null } | { status: "created"; name: string; token: string };
export type RenameDeviceState = { status: "idle" | "saved"; message: null } | { status: "error"; message: string };

/** The one command that enrols a machine: the agent connects out to this hub with the device's token. */
export function enrolmentCommand(hubUrl: string, token: string): string {
  return `LEV_URL=${hubUrl} lev agent --token ${token}`;
}

const STATE_STYLE: Record<string, string> = {
  online: "border-emerald-200 bg-emerald-50 text-emerald-800",
  draining: "border-amber-200 bg-amber-50 text-amber-800",
  offline: "border-zinc-300 bg-zinc-100 text-zinc-700",
  "never connected": "border-zinc-300 bg-white text-zinc-600",
  revoked: "border-red-200 bg-red-50 text-red-800",
};

function DeviceState({ state }: { state: string }) {
  return (
    <span data-state={state} className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium ${STATE_STYLE[state] ?? STATE_STYLE.offline}`}>
      {state === "online" && <span aria-hidden className="size-1.5 rounded-full bg-emerald-500" />}
      {state}
    </span>
  );
}

function RenameForm({ device, action }: { device: DeviceRow; action: (s: RenameDeviceState, d: FormData) => Promise<RenameDeviceState> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle", message: null });
  const id = `rename-${device.id}`;
  return (
    <form action={formAction} className="flex items-center gap-1" aria-label={`Rename ${device.name}`}>
      <input type="hidden" name="deviceId" value={device.id} />
      <label htmlFor={id} className="sr-only">New name for {device.name}</label>
      <input id={id} name="name" defaultValue={device.name} className="input w-32 py-0.5 text-xs" aria-invalid={state.status === "error" ? true : undefined} />
      <button type="submit" className="btn py-0.5 text-xs" disabled={pending}>Rename</button>
      {state.status === "error" && <span role="alert" className="field-error">{state.message}</span>}
    </form>
  );
}

/** Add a device (its enrolment command is shown once), list the viewer's devices, rename and revoke them. */
export function DeviceManager({
  devices,
  hubUrl,
  addAction,
  renameAction,
  revokeAction,
}: {
  devices: DeviceRow[];
  hubUrl: string;
  addAction: (state: AddDeviceState, data: FormData) => Promise<AddDeviceState>;
  renameAction: (state: RenameDeviceState, data: FormData) => Promise<RenameDeviceState>;
  revokeAction: (state: ProblemState, data: FormData) => Promise<ProblemState>;
}) {
  const [state, formAction, pending] = useActionState(addAction, { status: "idle" });
  const nameError = state.status === "error" ? state.errors.name : undefined;
  const live = devices.filter((d) => !d.revokedAt);
  return (
    <div className="space-y-6">
      <form action={formAction} className="card space-y-3 p-4" aria-label="Add a device">
        <div>
          <label htmlFor="device-name" className="label">Device name</label>
          <input id="device-name" name="name" className="input mt-1 max-w-sm" placeholder="laptop, office-box…" aria-invalid={nameError ? true : undefined} aria-describedby={nameError ? "device-name-error" : undefined} />
          {nameError && <p id="device-name-error" className="field-error">{nameError}</p>}
        </div>
        {state.status === "error" && state.message && <p role="alert" className="field-error">{state.message}</p>}
        <button type="submit" className="btn btn-primary" disabled={pending}>Add device</button>
      </form>
      {state.status === "created" && (
        <div role="status" className="space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900">
          <p className="font-semibold">Device “{state.name}” added. Run this on the machine (it needs Docker and Node); the token is shown only now.</p>
          <label htmlFor="enrol-command" className="sr-only">Enrolment command</label>
          <input id="enrol-command" readOnly value={enrolmentCommand(hubUrl, state.token)} className="input font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
          <p className="text-xs">
            Without an installed <code>lev</code>, from a clone of Levhub: <code>LEV_URL={hubUrl} node runner/cli/lev.mjs agent --token …</code>. The agent connects out to the hub over
            HTTP(S) and opens no port; Ctrl-C finishes what runs, a second Ctrl-C cancels.
          </p>
        </div>
      )}
      <section aria-labelledby="devices-h">
        <h2 id="devices-h" className="h-section mb-2">Your devices</h2>
        {live.length === 0 ? (
          <p className="text-sm text-zinc-500">No devices yet. A device runs your runs on your own machine, from inside the network you test.</p>
        ) : (
          <div className="card overflow-x-auto">
            <table className="table-dense">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">State</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Version</th>
                  <th scope="col">Docker engine</th>
                  <th scope="col">Capacity</th>
                  <th scope="col">Running</th>
                  <th scope="col"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {live.map((d) => (
                  <tr key={d.id} data-device={d.name}>
                    <td className="font-medium">
                      {d.name}
                      <div className="font-mono text-xs font-normal text-zinc-500">{d.tokenPrefix}…</div>
                    </td>
                    <td><DeviceState state={d.state} /></td>
                    <td className="text-xs tabular-nums">{d.lastSeenAt ? formatTime(d.lastSeenAt) : "never"}</td>
                    <td className="font-mono text-xs">{d.version ?? "—"}</td>
                    <td className="text-xs">{d.engine ?? "—"}</td>
                    <td className="tabular-nums">{d.capacity ?? "—"}</td>
                    <td className="tabular-nums">{d.running}</td>
                    <td className="space-y-1 text-right">
                      <RenameForm device={d} action={renameAction} />
                      <ActionButton action={revokeAction} fields={{ deviceId: d.id }} className="btn btn-danger py-0.5 text-xs" ariaLabel={`Revoke ${d.name}`}>
                        Revoke
                      </ActionButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
