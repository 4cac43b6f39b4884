"use client";

import { useState } from "react";
import { formatTime } from "./time.ts";

/** The run form's "Run on" choice: the hub's workers, or one of the viewer's devices (with its state). */
export interface DeviceChoice {
  name: string;
  state: "online" | "draining" | "offline" | "never connected" | "revoked";
  lastSeenAt: string | null;
}

/** What a device's state means for a run sent to it now. */
function stateNote(d: DeviceChoice, wait: string): string | null {
  switch (d.state) {
    case "online":
      return null;
    case "draining":
      return `${d.name} is stopping and takes no new run: a run sent to it waits until its agent starts again, at most ${wait}, then ends failed.`;
    case "offline":
      return `${d.name} is offline (last seen ${formatTime(d.lastSeenAt)} UTC): a run sent to it waits until its agent connects, at most ${wait}, then ends failed.`;
    case "never connected":
      return `${d.name} has never connected: start its agent (lev agent) first. A run sent to it waits at most ${wait}, then ends failed.`;
    case "revoked":
      return null;
  }
}

export function DeviceSelect({ devices, wait, error }: { devices: DeviceChoice[]; wait: string; error?: string }) {
  const usable = devices.filter((d) => d.state !== "revoked");
  const [chosen, setChosen] = useState("");
  const device = usable.find((d) => d.name === chosen);
  const note = device ? stateNote(device, wait) : null;
  return (
    <div>
      <label htmlFor="field-device" className="label">Run on</label>
      <select
        id="field-device"
        name="device"
        value={chosen}
        onChange={(e) => setChosen(e.target.value)}
        className="input mt-1 max-w-sm"
        aria-invalid={error ? true : undefined}
        aria-describedby="field-device-hint"
      >
        <option value="">the hub&apos;s workers</option>
        {usable.map((d) => (
          <option key={d.name} value={d.name}>
            my device {d.name} ({d.state})
          </option>
        ))}
      </select>
      <p id="field-device-hint" className="hint">
        {note ? (
          <span role="status" className="font-medium text-amber-800">{note}</span>
        ) : usable.length ? (
          "A device runs the run on its own Docker engine, with the same grants."
        ) : (
          <>Add a device in <a href="/settings/devices">Settings → My devices</a> to run on your own machine.</>
        )}
      </p>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}
