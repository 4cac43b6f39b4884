/**
 * The numeric settings the policy page edits: where each lives in HubSettings and the unit the
 * form shows it in. One list for the page (current values) and the action (parsing the form).
 */
export interface NumberField {
  /** dotted path in HubSettings, e.g. "run.tool.memoryBytes"; also the form field's name */
  path: string;
  label: string;
  unit: "MiB" | "KiB" | "s" | "CPUs" | "";
  /** stored value = shown value × factor */
  factor: number;
}

const MiB = 1024 * 1024;

export const BUILD_FIELDS: NumberField[] = [
  { path: "build.memoryBytes", label: "Build memory", unit: "MiB", factor: MiB },
  { path: "build.timeoutMs", label: "Build time limit", unit: "s", factor: 1000 },
];

export const RUN_FIELDS: NumberField[] = [
  { path: "run.maxTasks", label: "Tasks per run", unit: "", factor: 1 },
  { path: "run.maxConcurrentTasks", label: "Tasks at once per run", unit: "", factor: 1 },
  { path: "run.runTimeoutMs", label: "Run time limit", unit: "s", factor: 1000 },
  { path: "run.taskTimeoutMs", label: "Task time limit", unit: "s", factor: 1000 },
  { path: "run.tool.memoryBytes", label: "Tool container memory", unit: "MiB", factor: MiB },
  { path: "run.tool.nanoCpus", label: "Tool container CPUs", unit: "CPUs", factor: 1e9 },
  { path: "run.tool.pids", label: "Tool container processes", unit: "", factor: 1 },
  { path: "run.workflow.memoryBytes", label: "Workflow container memory", unit: "MiB", factor: MiB },
  { path: "run.workflow.nanoCpus", label: "Workflow container CPUs", unit: "CPUs", factor: 1e9 },
  { path: "run.workflow.pids", label: "Workflow container processes", unit: "", factor: 1 },
  { path: "run.docBytes", label: "Largest stored document", unit: "MiB", factor: MiB },
  { path: "run.taskLogBytes", label: "Log kept per task", unit: "MiB", factor: MiB },
  { path: "run.logLineBytes", label: "Longest log line", unit: "KiB", factor: 1024 },
  { path: "run.tmpBytes", label: "Tool /tmp size", unit: "MiB", factor: MiB },
  { path: "run.dockerLogBytes", label: "Docker log per container", unit: "MiB", factor: MiB },
];

export const ARG_FIELDS: NumberField[] = [
  { path: "args.fieldBytes", label: "One argument", unit: "KiB", factor: 1024 },
  { path: "args.totalBytes", label: "All arguments of a run", unit: "KiB", factor: 1024 },
];

export const DEBUG_FIELDS: NumberField[] = [{ path: "debug.idleTimeoutMs", label: "Debug terminal idle timeout", unit: "s", factor: 1000 }];

export const FILE_FIELDS: NumberField[] = [
  { path: "files.maxBytes", label: "One file given to a run", unit: "MiB", factor: MiB },
  { path: "files.quotaBytes", label: "Files one user may keep", unit: "MiB", factor: MiB },
];

export const NUMBER_FIELDS = [...BUILD_FIELDS, ...RUN_FIELDS, ...ARG_FIELDS, ...FILE_FIELDS, ...DEBUG_FIELDS];

export function readPath(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
}

export function writePath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys.at(-1)!] = value;
}

/** A stored value as the form shows it (rounded to what the unit can say). */
export function shown(field: NumberField, stored: unknown): string {
  return typeof stored === "number" ? String(Math.round((stored / field.factor) * 1000) / 1000) : "";
}
