import type { DeliveryView, NotifyRuleView } from "../../lib/notify/types.ts";
import { formatTime } from "../time.ts";

/** The delivery log: per delivery its rule, event, status, attempts, last code and the next retry. Never a response body (the hub keeps none). */
export function DeliveryLog({ deliveries }: { deliveries: DeliveryView[] }) {
  if (!deliveries.length) return <p className="text-sm text-zinc-500">Nothing delivered yet.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="table-dense w-full" aria-label="Delivery log">
        <thead>
          <tr>
            <th>When</th><th>Rule</th><th>Event</th><th>Status</th><th>Attempts</th><th>Last code</th><th>Next retry</th><th>Error</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} data-status={d.status}>
              <td className="whitespace-nowrap">{formatTime(d.createdAt)}</td>
              <td>{d.rule}</td>
              <td>{d.test ? "test" : d.eventType}</td>
              <td>{d.status}</td>
              <td>{d.attempts}</td>
              <td>{d.lastStatusCode ?? "—"}{d.lastResponseBytes ? ` · ${d.lastResponseBytes} B` : ""}</td>
              <td className="whitespace-nowrap">{d.status === "retrying" ? formatTime(d.nextAttemptAt) : "—"}</td>
              <td className="break-all text-red-700">{d.lastError ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ruleSummary(r: NotifyRuleView): string {
  return `${r.events.join(", ")}${r.minSeverity ? ` (findings ≥ ${r.minSeverity})` : ""}`;
}
