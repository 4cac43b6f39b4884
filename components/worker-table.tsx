import type { WorkerView } from "../lib/queue/workers.ts";
import { formatTime } from "./time.ts";

const STATE_STYLE: Record<WorkerView["state"], string> = {
  online: "badge border-emerald-200 bg-emerald-50 text-emerald-800",
  draining: "badge border-sky-200 bg-sky-50 text-sky-800",
  lost: "badge border-red-200 bg-red-50 text-red-800",
  stopped: "badge",
};

/** Worker processes: each registration is a row (a restarted worker is a new instance). */
export function WorkerTable({ workers }: { workers: WorkerView[] }) {
  if (workers.length === 0) return <p className="text-sm text-zinc-500">No worker has registered yet. Runs wait in the queue until one does.</p>;
  return (
    <div className="card overflow-x-auto">
      <table className="table-dense" aria-label="Workers">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">State</th>
            <th scope="col">Runs</th>
            <th scope="col">Labels</th>
            <th scope="col">Engine</th>
            <th scope="col">Credential</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {workers.map((w) => (
            <tr key={w.id}>
              <td title={`instance ${w.instance}, version ${w.version}`}>{w.name}</td>
              <td><span className={STATE_STYLE[w.state]}>{w.state}</span></td>
              <td className="tabular-nums">{w.running} / {w.capacity}</td>
              <td className="text-xs">{Object.entries(w.labels).filter(([, v]) => v).map(([k]) => k).join(", ") || "—"}</td>
              <td className="text-xs">
                {w.engineHost} ({w.engineVersion})
                {w.hubMachine && (
                  <span className="block text-zinc-500" title="its engine runs on the hub's machine: grants of the host's network are refused there unless the unsafe setting (Admin → Policy) is on">
                    on the hub&apos;s machine
                  </span>
                )}
              </td>
              <td className="text-xs">{w.credential}</td>
              <td className="text-xs tabular-nums">{formatTime(w.lastSeenAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
