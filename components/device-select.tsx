/** The run form's "Run on" choice: the hub's workers, or one of the viewer's devices (with its state). */
export interface DeviceChoice {
  name: string;
  state: string;
}

export function DeviceSelect({ devices, error }: { devices: DeviceChoice[]; error?: string }) {
  const usable = devices.filter((d) => d.state !== "revoked");
  return (
    <div>
      <label htmlFor="field-device" className="label">Run on</label>
      <select id="field-device" name="device" defaultValue="" className="input mt-1 max-w-sm" aria-invalid={error ? true : undefined} aria-describedby="field-device-hint">
        <option value="">the hub&apos;s workers</option>
        {usable.map((d) => (
          <option key={d.name} value={d.name}>
            my device {d.name} ({d.state})
          </option>
        ))}
      </select>
      <p id="field-device-hint" className="hint">
        {usable.length ? "A device runs the run on its own Docker engine, with the same grants." : <>Add a device in <a href="/settings/devices">Settings → My devices</a> to run on your own machine.</>}
      </p>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}
