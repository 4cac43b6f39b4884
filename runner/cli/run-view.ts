/**
 * `lev runs <run>` without `--json`: a run as a person reads it in a terminal — what ran, with which
 * arguments, where, when, its tasks and why it failed — instead of the API's JSON. Pure.
 */
import { plural } from "../src/plural.ts";
import type { RunView } from "./hub.ts";

/** `2026-01-02 03:04:05 UTC`, or a dash. */
function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "—" : `${d.toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** An argument's value as JSON (so a string and a number stay apart), cut to a line. */
function arg(v: unknown): string {
  const s = JSON.stringify(v) ?? "null";
  return s.length > 200 ? `${s.slice(0, 199)}…` : s;
}

/** How many tasks ended how: "2 tasks: 1 succeeded, 1 cancelled". */
export function taskCounts(tasks: NonNullable<RunView["tasks"]>): string {
  if (!tasks.length) return "none started";
  const by = new Map<string, number>();
  for (const t of tasks) by.set(t.status, (by.get(t.status) ?? 0) + 1);
  return `${plural(tasks.length, "task")}: ${[...by.entries()].map(([status, n]) => `${n} ${status.replace("_", " ")}`).join(", ")}`;
}

/** The run as lines of `label  value`, then one line per task. */
export function formatRun(r: RunView): string {
  const lines: string[] = [];
  const place = r.status === "queued" && r.queuePosition ? ` (${r.queuePosition === 1 ? "next in line" : `number ${r.queuePosition} in line`})` : "";
  lines.push(`run #${r.number}  ${r.status.replace("_", " ")}${place}`);
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(9)} ${value}`);
  row("package", `${r.package} ${r.packageVersion}`);
  row("function", r.function);
  const args = Object.entries(r.args ?? {});
  if (args.length) args.forEach(([k, v], i) => row(i === 0 ? "args" : "", `${k}=${arg(v)}`));
  else row("args", "none");
  if (r.owner) row("owner", r.owner);
  if (r.device) row("runs on", `device ${r.device}`);
  else if (r.worker) row("runs on", `worker ${r.worker}`);
  row("created", when(r.createdAt));
  if (r.startedAt) row("started", when(r.startedAt));
  if (r.endedAt) row("ended", `${when(r.endedAt)}${typeof r.durationMs === "number" ? ` (${duration(r.durationMs)})` : ""}`);
  if (r.exitCode !== undefined && r.exitCode !== null) row("exit code", String(r.exitCode));
  if (r.error) row("error", `${r.error.type}: ${r.error.message}`);
  if (r.tasks) {
    row("tasks", taskCounts(r.tasks));
    for (const t of r.tasks) {
      const took = t.endedAt ? ` ${duration(Math.max(0, Date.parse(t.endedAt) - Date.parse(t.startedAt)))}` : "";
      const exit = t.exitCode !== null && t.exitCode !== undefined ? ` exit ${t.exitCode}` : "";
      lines.push(`    ${t.number === 0 ? "0 (workflow)" : String(t.number)}  ${t.status.replace("_", " ")}  ${t.image}${t.coll ? ` → ${t.coll}` : ""}${exit}${took}`);
      if (t.error) lines.push(`       ${t.error.type}: ${t.error.message}`);
    }
  }
  if (r.collections?.length) row("stored in", r.collections.join(", "));
  lines.push("", `documents: lev results ${r.number}   logs and everything else: lev runs ${r.number} --json`);
  return lines.join("\n");
}
