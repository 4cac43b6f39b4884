/** When a worker printed lines of a kind, per run, on this process's clock (the bench's view of the runner's own moments). */
import type { WorkerProcess } from "../../lib/testing/queue-cluster.ts";

/** `pattern`'s first group is the run id; the first time each run's line was seen is kept. */
export function lineTimes(worker: WorkerProcess, pattern: RegExp): Map<string, number> {
  const seen = new Map<string, number>();
  let buf = "";
  worker.child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const m = pattern.exec(line);
      if (m && !seen.has(m[1])) seen.set(m[1], Date.now());
    }
  });
  return seen;
}
