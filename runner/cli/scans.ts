/**
 * `lev scan …` and `lev rerun`: saved scans and re-runs through the hub's HTTP API. Flags mirror
 * the API's fields; the hub checks everything and its JSON errors are shown as they come.
 */
import { parseArgs } from "node:util";
import type { RunStatus } from "../src/status.ts";
import { api, CliError, loadConfig, runPath, splitTarget, type HubConfig, type RunView } from "./hub.ts";
import { paramsWithFiles } from "./hub-files.ts";
import type { ManifestFunction } from "../src/manifest/introspect.ts";

/** where an upload's progress goes (stderr); none: uploads are silent */
export interface ProgressSink {
  write: (s: string) => void;
  tty: boolean;
}
const SILENT: ProgressSink = { write: () => undefined, tty: false };

export const SCAN_USAGE = `  lev scan list [--all] [--json]
  lev scan create <name> <ns>.<name>.<function> [--param k=v]… [--version V] [--project SLUG] [--cron "0 3 * * *"] [--tz ZONE] [--disabled] [--json]
      Saves a run configuration as a named scan; --cron runs it on a schedule (5 fields, in --tz,
      UTC by default), without it the scan runs by hand. No --version: always the latest.
      --project: its runs go to that project (default: your personal project).
      A file parameter takes @path: uploaded once, every run of the scan uses that file.
  lev scan run|enable|disable|delete <scan-id>
  lev rerun <run> [--latest] [--param k=v]… [--json]
      Runs it again: the same version (--latest: the package's latest) and the same arguments
      (the same files), with each --param replacing one of them (a file parameter: @path).`;

interface ScanView {
  id: string;
  name: string;
  package: string;
  version: string | null;
  function: string;
  cron: string | null;
  timezone: string;
  schedule: string | null;
  enabled: boolean;
  nextRunAt: string | null;
  lastRun: { id: string; number: number; status: RunStatus } | null;
  lastError: { message: string } | null;
}


const SCAN_COMMANDS = ["list", "create", "run", "enable", "disable", "delete"] as const;

export type ParamParser = (values: string[]) => Record<string, string | string[]>;

export class ScanUsageError extends Error {}

const id = (s: string | undefined, what: string): string => {
  if (!s) throw new ScanUsageError(`${what} is missing`);
  return encodeURIComponent(s);
};

/** One line per scan: id, name, what it runs, the schedule, when next, how it last went. */
export function scanLine(s: ScanView): string {
  const schedule = s.cron ? `${s.schedule} (${s.cron}${s.timezone === "UTC" ? "" : ` ${s.timezone}`})` : "by hand";
  const last = s.lastError ? `last firing failed: ${s.lastError.message}` : s.lastRun ? `last #${s.lastRun.number} ${s.lastRun.status}` : "never ran";
  return [s.id, s.name, `${s.package}.${s.function}@${s.version ?? "latest"}`, s.enabled ? schedule : `${schedule}, disabled`, `next ${s.nextRunAt ?? "—"}`, last].join("  ");
}

const runLine = (r: RunView) => `run ${r.id} (#${r.number}) ${r.status}: ${r.package}.${r.function} ${r.packageVersion}`;

export async function scanCommand(args: string[], parseParams: ParamParser, out: (v: unknown) => void, cfg?: HubConfig, stderr: ProgressSink = SILENT): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      param: { type: "string", multiple: true, short: "p", default: [] },
      version: { type: "string" },
      project: { type: "string" },
      cron: { type: "string" },
      tz: { type: "string" },
      disabled: { type: "boolean", default: false },
      all: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  if (!SCAN_COMMANDS.includes(sub as (typeof SCAN_COMMANDS)[number])) {
    throw new ScanUsageError(sub ? `unknown scan command '${sub}'` : `scan needs a command: ${SCAN_COMMANDS.join(", ")}`);
  }
  const hub = cfg ?? (await loadConfig());
  switch (sub) {
    case "list": {
      const scans = await api<ScanView[]>(hub, "GET", `/api/scans${values.all ? "" : "?all=false"}`);
      if (values.json) out(scans);
      else out(scans.length ? scans.map(scanLine).join("\n") : "no scans");
      return 0;
    }
    case "create": {
      if (positionals.length !== 2) throw new ScanUsageError("scan create takes <name> <ns>.<name>.<function>");
      const target = splitTarget(positionals[1]);
      const body = {
        name: positionals[0],
        ...(values.project ? { project: values.project } : {}),
        ...target,
        version: values.version ?? null,
        args: await paramsWithFiles(hub, parseParams(values.param ?? []), { target: positionals[1], version: values.version, project: values.project }, stderr),
        cron: values.cron ?? null,
        ...(values.tz ? { timezone: values.tz } : {}),
        enabled: !values.disabled,
      };
      const s = await api<ScanView>(hub, "POST", "/api/scans", body);
      out(values.json ? s : `saved scan ${scanLine(s)}`);
      return 0;
    }
    case "run": {
      const r = await api<RunView>(hub, "POST", `/api/scans/${id(positionals[0], "the scan id")}/run`, {});
      out(values.json ? r : runLine(r));
      return 0;
    }
    case "enable":
    case "disable": {
      const s = await api<ScanView>(hub, "PATCH", `/api/scans/${id(positionals[0], "the scan id")}`, { enabled: sub === "enable" });
      out(values.json ? s : scanLine(s));
      return 0;
    }
    case "delete": {
      await api(hub, "DELETE", `/api/scans/${id(positionals[0], "the scan id")}`);
      out(`deleted scan ${positionals[0]}`);
      return 0;
    }
  }
  throw new ScanUsageError(`unknown scan command '${sub}'`);
}

/** `lev rerun <run>` (its number or id): each --param replaces one argument of the run; the hub checks them all again. */
export async function rerunCommand(args: string[], parseParams: ParamParser, out: (v: unknown) => void, cfg?: HubConfig, stderr: ProgressSink = SILENT): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      latest: { type: "boolean", default: false },
      param: { type: "string", multiple: true, short: "p", default: [] },
      json: { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 1) throw new ScanUsageError("rerun takes one run (its number, 18 or #18, or its id)");
  const hub = cfg ?? (await loadConfig());
  const run = runPath(positionals[0]);
  const edits = parseParams(values.param ?? []);
  let body: { latest?: boolean; args?: Record<string, unknown> } = values.latest ? { latest: true } : {};
  if (Object.keys(edits).length) {
    const before = await api<RunView & { fn?: ManifestFunction | null; project?: { slug: string } }>(hub, "GET", run);
    if (!before.args) throw new CliError("the hub did not send the run's arguments");
    // a new file for a file parameter goes to the run's project, like the run
    const given = await paramsWithFiles(hub, edits, { fn: before.fn ?? null, project: before.project?.slug }, stderr);
    body = { ...body, args: { ...before.args, ...given } };
  }
  const r = await api<RunView>(hub, "POST", `${run}/rerun`, body);
  out(values.json ? r : runLine(r));
  return 0;
}
