import type { TaskView } from "../lib/types.ts";
import { StatusBadge } from "./status-badge.tsx";
import { formatDuration, formatTime } from "./time.ts";

/** Every task of a run in start order, with image, collection, times and exit code (one card per task on a phone). */
export function TaskTimeline({ tasks }: { tasks: TaskView[] }) {
  if (tasks.length === 0) return <p className="text-sm text-zinc-500">No task has started yet.</p>;
  return (
    <div className="overflow-x-auto rounded-md border border-zinc-200 bg-white">
      <table className="table-dense table-stack" aria-label="Tasks">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Status</th>
            <th scope="col">Image</th>
            <th scope="col">Collection</th>
            <th scope="col">Start</th>
            <th scope="col">End</th>
            <th scope="col">Duration</th>
            <th scope="col">Exit code</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <tr key={t.number} data-task={t.number}>
              <td data-label="Task" className="tabular-nums text-zinc-500">{t.number === 0 ? "0 (workflow)" : t.number}</td>
              <td data-label="Status">
                <StatusBadge status={t.status} />
                {t.error && <div className="mt-1 max-w-xs text-xs text-red-700">{t.error.type}: {t.error.message}</div>}
              </td>
              <td data-label="Image" data-wide className="font-mono text-xs">
                {t.image}
                {t.resolvedImage && <div className="text-zinc-500" title="the image that ran: an admin's alias or the pulled image's pinned digest">→ {t.resolvedImage}</div>}
              </td>
              <td data-label="Collection" data-wide className="font-mono text-xs">{t.coll || "—"}</td>
              <td data-label="Start" className="whitespace-nowrap text-xs tabular-nums">{formatTime(t.startedAt)}</td>
              <td data-label="End" className="whitespace-nowrap text-xs tabular-nums">{t.endedAt ? formatTime(t.endedAt) : "—"}</td>
              <td data-label="Duration" className="whitespace-nowrap text-xs tabular-nums">{formatDuration(t.startedAt, t.endedAt)}</td>
              <td data-label="Exit code" className="font-mono text-xs">{t.exitCode ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
