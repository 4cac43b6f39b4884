"use client";

import { useActionState } from "react";

export type DeviceRulesState =
  | { status: "idle" }
  | { status: "error"; message: string; errors?: Record<string, string> }
  | { status: "saved"; hostNetworkOnDevicesOnly: boolean; deviceWaitMinutes: number };

/**
 * Admin → Workers: whether runs granted host networking may run only on their owners' devices, and
 * how long a run sent to a device waits for it (offline, never connected, busy) before it ends.
 */
export function DeviceRulesForm({
  hostNetworkOnDevicesOnly,
  deviceWaitMinutes,
  bounds,
  action,
}: {
  hostNetworkOnDevicesOnly: boolean;
  deviceWaitMinutes: number;
  bounds: { min: number; max: number };
  action: (state: DeviceRulesState, data: FormData) => Promise<DeviceRulesState>;
}) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const waitError = state.status === "error" ? state.errors?.deviceWaitMinutes : undefined;
  return (
    <form action={formAction} className="card space-y-3 p-4" aria-label="Device rules">
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="hostNetworkOnDevicesOnly" value="true" defaultChecked={hostNetworkOnDevicesOnly} className="mt-0.5" />
        Runs granted host networking run only on their owners&apos; own devices (never on the hub&apos;s workers)
      </label>
      <div>
        <label htmlFor="device-wait" className="label">A run sent to a device waits for it at most (minutes)</label>
        <input
          id="device-wait"
          name="deviceWaitMinutes"
          type="number"
          min={bounds.min}
          max={bounds.max}
          step={1}
          defaultValue={deviceWaitMinutes}
          className="input mt-1 max-w-40 font-mono"
          aria-invalid={waitError ? true : undefined}
          aria-describedby="device-wait-hint"
        />
        <p id="device-wait-hint" className="hint">
          Then it ends failed (DeviceTimeout) saying whether the device is offline, never connected or busy. 1440 is a day.
        </p>
        {waitError && <p className="field-error">{waitError}</p>}
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className="btn" disabled={pending}>Save</button>
        {state.status === "saved" && (
          <p role="status" className="text-sm text-emerald-700">
            Saved: host networking {state.hostNetworkOnDevicesOnly ? "only on devices" : "on hub workers too"}; device runs wait {state.deviceWaitMinutes} min.
          </p>
        )}
        {state.status === "error" && !waitError && <p role="alert" className="field-error">{state.message}</p>}
      </div>
    </form>
  );
}
