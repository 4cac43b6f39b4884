import { ZonedTime } from "./zoned-time.tsx";

/** A project's window as the page computed it at render time (lib/access/project-window.ts `windowState`). */
export type WindowBadgeState = { state: "always" } | { state: "open"; closesAt: string | null } | { state: "not-yet"; opensAt: string } | { state: "closed"; closedAt: string };

/** "in 3 days", "in 5 h", "in 12 min" — how far an instant is from `now`. */
export function untilText(iso: string, nowIso: string): string {
  const ms = new Date(iso).getTime() - new Date(nowIso).getTime();
  const min = Math.max(1, Math.round(ms / 60_000));
  if (min < 90) return `in ${min} min`;
  const h = Math.round(min / 60);
  if (h < 48) return `in ${h} h`;
  return `in ${Math.round(h / 24)} days`;
}

const STYLE = {
  always: "border-zinc-300 bg-zinc-50 text-zinc-700",
  open: "border-emerald-200 bg-emerald-50 text-emerald-800",
  "not-yet": "border-amber-200 bg-amber-50 text-amber-800",
  closed: "border-red-200 bg-red-50 text-red-800",
} as const;

/** Open / closed / opens in …: whether runs may run in the project now. */
export function WindowBadge({ window: w, now }: { window: WindowBadgeState; now: string }) {
  const text = w.state === "always" ? "no window set" : w.state === "open" ? (w.closesAt ? `open · closes ${untilText(w.closesAt, now)}` : "open") : w.state === "not-yet" ? `opens ${untilText(w.opensAt, now)}` : "closed";
  return (
    <span data-window={w.state} className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium ${STYLE[w.state]}`}>
      {w.state === "open" && <span aria-hidden className="size-1.5 rounded-full bg-emerald-500" />}
      {text}
    </span>
  );
}

/** The window's two ends in the viewer's zone; an open end says so. */
export function WindowRange({ start, end }: { start: string | null; end: string | null }) {
  if (!start && !end) return <span className="text-zinc-500">any time (no authorised window set)</span>;
  return (
    <span className="break-words">
      {start ? <ZonedTime iso={start} /> : "any time"} <span aria-hidden>→</span> {end ? <ZonedTime iso={end} /> : "no end"}
    </span>
  );
}
