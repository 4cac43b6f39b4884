"use client";

import { useState, useSyncExternalStore } from "react";
import { inZone } from "./zoned-time.tsx";

const noSubscribe = () => () => undefined;

/** `2026-12-01T10:00` (a datetime-local value) in the browser's zone → the UTC instant's ISO text. */
function toIso(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

function WindowEnd({ name, label, initial, error }: { name: string; label: string; initial: string | null; error?: string }) {
  const zone = useSyncExternalStore(noSubscribe, () => Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC", () => "UTC");
  const [edited, setEdited] = useState<string | null>(null);
  // the stored instant shown in the browser's zone until the user types another
  const local = edited ?? (initial ? inZone(initial, zone).replace(" ", "T") : "");
  const id = `field-${name}`;
  return (
    <div>
      <label htmlFor={id} className="label">{label}</label>
      <input id={id} type="datetime-local" value={local} onChange={(e) => setEdited(e.target.value)} className="input mt-1" aria-invalid={error ? true : undefined} aria-describedby={`${id}-hint`} />
      <input type="hidden" name={name} value={local ? toIso(local) : ""} />
      <p id={`${id}-hint`} className="hint">In your time zone, {zone}; empty: no {name === "windowStart" ? "start" : "end"}.</p>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}

/**
 * The authorised window's two ends, typed in the browser's own time zone and sent as UTC instants
 * (the hidden fields): the server never guesses a zone.
 */
export function WindowFields({ start, end, errors }: { start: string | null; end: string | null; errors: Record<string, string> }) {
  return (
    <fieldset className="grid gap-3 sm:grid-cols-2">
      <legend className="label mb-1">Authorised window</legend>
      <WindowEnd name="windowStart" label="Starts" initial={start} error={errors.windowStart} />
      <WindowEnd name="windowEnd" label="Ends" initial={end} error={errors.windowEnd} />
    </fieldset>
  );
}
