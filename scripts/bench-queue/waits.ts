/** What every part of bench:queue waits on and reduces with: runs ending, workers registering, percentiles. */
import { isTerminal } from "../../runner/src/status.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

export interface Ended {
  status: Map<string, string>;
  errors: string[];
  /** the last run's end, ms since the epoch (the hub's clock) */
  lastEnd: number;
}

/** Waits until every run is terminal; their statuses, distinct error messages and last end. */
export async function waitAll(ids: string[], ms: number): Promise<Ended> {
  const { db } = await import("../../lib/platform/db.ts");
  const until = Date.now() + ms;
  for (;;) {
    const rows = await db().run.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, endedAt: true, error: true } });
    const done = rows.filter((r) => isTerminal(r.status));
    if (done.length === ids.length) {
      const errors = [...new Set(rows.filter((r) => r.error).map((r) => (r.error as { message?: string }).message ?? JSON.stringify(r.error)))];
      return { status: new Map(rows.map((r) => [r.id, r.status])), errors, lastEnd: Math.max(...rows.map((r) => r.endedAt?.getTime() ?? 0)) };
    }
    if (Date.now() > until) throw new Error(`${ids.length - done.length} of ${ids.length} runs not finished after ${ms / 1000} s`);
    await sleep(200);
  }
}

/** Waits until the hub counts every named worker online. */
export async function waitWorkers(names: string[]): Promise<void> {
  const { db } = await import("../../lib/platform/db.ts");
  for (let i = 0; i < 600; i++) {
    const online = await db().worker.count({ where: { name: { in: names }, state: "online" } });
    if (online === names.length) return;
    await sleep(100);
  }
  throw new Error(`workers ${names.join(", ")} did not register`);
}

/** "98 succeeded, 2 failed; errors: …" */
export const summary = ({ status, errors }: Pick<Ended, "status" | "errors">) => {
  const counts = new Map<string, number>();
  for (const s of status.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
  const text = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
  return errors.length ? `${text}; errors: ${errors.slice(0, 3).join(" | ").slice(0, 300)}` : text;
};
