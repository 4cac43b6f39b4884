"use client";

import { useSyncExternalStore } from "react";
import { formatTime } from "../time.ts";

const noSubscribe = () => () => undefined;

/** The browser's IANA time zone (the server renders UTC, which the first paint shows). */
function useBrowserZone(): string | null {
  return useSyncExternalStore(noSubscribe, () => Intl.DateTimeFormat().resolvedOptions().timeZone ?? null, () => null);
}

/** `2026-12-01 10:00` in `zone`. */
export function inZone(iso: string, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/**
 * An instant in the viewer's own time zone, naming it ("2026-12-01 10:00 Europe/Paris"); UTC
 * (named so) until the browser says which zone it is in. The UTC instant is in the title.
 */
export function ZonedTime({ iso }: { iso: string }) {
  const zone = useBrowserZone();
  return (
    <time dateTime={iso} title={`${formatTime(iso)} UTC`} className="tabular-nums">
      {zone ? `${inZone(iso, zone)} ${zone}` : `${formatTime(iso).slice(0, 16)} UTC`}
    </time>
  );
}
