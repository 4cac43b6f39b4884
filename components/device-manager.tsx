"use client";

import type { ProblemState } from "../lib/actions/safe-action.ts";
import { useActionState } from "react";
import { SecretField, SecretManager, type CreateSecretAction } from "./secret-manager.tsx";
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

export type RenameDeviceState = { status: "idle" | "saved"; message: null } | { status: "error"; message: string };

/**
 * The command that enrols a machine: it writes the device's token to a file only its user may read
 * (the agent refuses any other), and the agent connects out to this hub with it. The token never
 * stands on the agent's command line, where every user of the machine could read it (ps).
 */
export function enrolmentCommand(hubUrl: string, name: string, token: string): string {
  const file = `~/.lev-agent-${name}.token`;
  return `(umask 077; printf '%s\\n' '${token}' > ${file}) && LEV_URL=${hubUrl} lev agent --token-file ${file}`;
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
  addAction: CreateSecretAction;
  renameAction: (state: RenameDeviceState, data: FormData) => Promise<RenameDeviceState>;
  revokeAction: (state: ProblemState, data: FormData) => Promise<ProblemState>;
}) {
  return (
    <SecretManager
      formLabel="Add a device"
      createAction={addAction}
      submitLabel="Add device"
      fields={(errors) => <SecretField id="device-name" name="name" label="Device name" placeholder="laptop, office-box…" error={errors.name} className="w-72" />}
      shown={(c) => ({
        title: `Device “${c.name}” added. Run this on the machine (it needs Docker and Node); the token is shown only now.`,
        label: "Enrolment command",
        value: enrolmentCommand(hubUrl, c.name, c.secret),
        note: (
          <p className="text-xs">
            Without an installed <code>lev</code>, from a clone of Levhub: <code>node runner/cli/lev.mjs agent --token-file …</code>; or give the token in the environment,{" "}
            <code>LEV_AGENT_TOKEN</code>. The agent refuses a token file other users may read, connects out to the hub over HTTP(S) and opens no port; Ctrl-C finishes what runs, a
            second Ctrl-C cancels.
          </p>
        ),
      })}
      listTitle={<h2 className="h-section">Your devices</h2>}
      tableLabel="Your devices"
      items={devices.filter((d) => !d.revokedAt)}
      empty="No devices yet. A device runs your runs on your own machine, from inside the network you test."
      columns={[
        {
          header: "Name",
          cell: (d) => (
            <span data-device={d.name}>
              {d.name}
              <span className="block font-mono text-xs font-normal text-zinc-500">{d.tokenPrefix}…</span>
            </span>
          ),
          className: "font-medium",
        },
        { header: "State", cell: (d) => <DeviceState state={d.state} /> },
        { header: "Last seen", cell: (d) => (d.lastSeenAt ? formatTime(d.lastSeenAt) : "never"), className: "text-xs tabular-nums" },
        { header: "Version", cell: (d) => d.version ?? "—", className: "font-mono text-xs" },
        { header: "Docker engine", cell: (d) => d.engine ?? "—", className: "text-xs" },
        { header: "Capacity", cell: (d) => d.capacity ?? "—", className: "tabular-nums" },
        { header: "Running", cell: (d) => d.running, className: "tabular-nums" },
      ]}
      rowActions={(d) => <RenameForm device={d} action={renameAction} />}
      revoke={{ action: revokeAction, field: "deviceId", label: (d) => `Revoke ${d.name}` }}
    />
  );
}
