/**
 * What the hub keeps of one run's report, whatever its worker sends: the caps per run, the one
 * place their figures live (the worker's own cuts are runner/worker/protocol.ts REPORT_BOUNDS, the
 * same numbers). Pure. A worker, and above all a user's device, is not trusted to keep within
 * them: past a cap on what a run may be (collections, tasks) the hub ends the run (QuotaExceeded,
 * through the lifecycle); past a cap on what is kept of it (log lines and bytes, texts) the rest is
 * counted and dropped.
 */
import { defaultRunLimits, type RunLimits } from "../../runner/src/policy/policy.ts";
import { REPORT_BOUNDS } from "../../runner/worker/protocol.ts";

const MiB = 1024 * 1024;

export const RUN_REPORT_LIMITS = {
  /** collections one run may write (its documents in the results store, `Run.collections`) */
  collections: REPORT_BOUNDS.collections,
  /** log lines kept per run, and their bytes: a line past either is counted, not stored, and so is every later one */
  logLines: 10_000,
  logBytes: 16 * MiB,
  /** characters kept of one log line, of an error's message or traceback, of a task's image or collection */
  lineChars: REPORT_BOUNDS.logLineChars,
  messageChars: REPORT_BOUNDS.messageChars,
  textChars: REPORT_BOUNDS.textChars,
  /** characters of a collection's name */
  collectionChars: 512,
} as const;

/** The limits a run was started with; a run from before policies travelled with runs gets today's defaults. */
export function runLimitsOf(policy: unknown): RunLimits {
  const limits = (policy as { limits?: Partial<RunLimits> } | null)?.limits;
  return { ...defaultRunLimits(), ...(limits && typeof limits === "object" ? limits : {}) };
}

/** A collection a run may name: `ns|…|schema` parts without `$` or NUL, never the hub's own (`_levhub…`, `system.…`). */
export function storableCollection(coll: string): boolean {
  if (coll.length < 1 || coll.length > RUN_REPORT_LIMITS.collectionChars || /[$\0]/.test(coll)) return false;
  if (coll.startsWith("_levhub") || coll.startsWith("system.")) return false;
  return coll.split("|").every((p) => p.length > 0);
}

/**
 * Why a task number is past the run's quota, or null. The runner numbers tasks from 1 and refuses
 * to start more than `maxTasks`, so an honest worker never reports a higher number; task numbers
 * are unique per run, so this bounds a run's task rows too.
 */
export function taskOverQuota(number: number, limits: Pick<RunLimits, "maxTasks">): string | null {
  if (number <= limits.maxTasks) return null;
  return `the worker reported task ${number}; this run may start at most ${limits.maxTasks} tasks`;
}

/** Why a run naming `count` collections is past its quota, or null. */
export function collectionsOverQuota(count: number): string | null {
  if (count <= RUN_REPORT_LIMITS.collections) return null;
  return `the run wrote to more than ${RUN_REPORT_LIMITS.collections} collections, the most one run may write`;
}

/** What a run's log holds so far: lines reported (the hub's seq), lines of those not kept, bytes kept. */
export interface LogTally {
  lines: number;
  dropped: number;
  bytes: number;
}

/**
 * Counts one reported line of `bytes` and says whether it is kept. The kept log is always the
 * beginning of what was reported: once one line is dropped, every later one is too.
 */
export function tallyLine(t: LogTally, bytes: number): { tally: LogTally; keep: boolean } {
  const kept = t.lines - t.dropped;
  const keep = t.dropped === 0 && kept < RUN_REPORT_LIMITS.logLines && t.bytes + bytes <= RUN_REPORT_LIMITS.logBytes;
  return keep ? { tally: { lines: t.lines + 1, dropped: t.dropped, bytes: t.bytes + bytes }, keep } : { tally: { ...t, lines: t.lines + 1, dropped: t.dropped + 1 }, keep };
}

/** The system line a run's log ends with when lines were dropped. */
export function droppedLinesNotice(dropped: number): string {
  return `${dropped} more log line${dropped === 1 ? " was" : "s were"} not kept (a run keeps at most ${RUN_REPORT_LIMITS.logLines} lines and ${RUN_REPORT_LIMITS.logBytes / MiB} MiB of log)`;
}
