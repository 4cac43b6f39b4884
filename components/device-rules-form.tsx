"use client";

import { useActionState } from "react";

export type DeviceRulesState = { status: "idle" } | { status: "error"; message: string } | { status: "saved"; hostNetworkOnDevicesOnly: boolean };

/** Admin → Workers: whether runs granted host networking may run only on their owners' devices. */
export function DeviceRulesForm({ hostNetworkOnDevicesOnly, action }: { hostNetworkOnDevicesOnly: boolean; action: (state: DeviceRulesState, data: FormData) => Promise<DeviceRulesState> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="card flex flex-wrap items-center gap-3 p-4" aria-label="Device rules">
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="hostNetworkOnDevicesOnly" value="true" defaultChecked={hostNetworkOnDevicesOnly} />
        Runs granted host networking run only on their owners&apos; own devices (never on the hub&apos;s workers)
      </label>
      <button type="submit" className="btn" disabled={pending}>Save</button>
      {state.status === "saved" && <p role="status" className="text-sm text-emerald-700">Saved: host networking {state.hostNetworkOnDevicesOnly ? "only on devices" : "on hub workers too"}.</p>}
      {state.status === "error" && <p role="alert" className="field-error w-full">{state.message}</p>}
    </form>
  );
}
