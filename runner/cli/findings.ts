/**
 * `lev assets`, `lev findings`, `lev triage`: a project's asset inventory and findings through the
 * hub's HTTP API. The hub checks every filter and state (its closed sets live there); the CLI only
 * passes them on and prints what comes back.
 */
import { parseArgs } from "node:util";
import { api, CliError, loadConfig, type HubConfig } from "./hub.ts";

export const FINDINGS_USAGE = `  lev assets --project <slug> [--search <address|network|text>] [--port <n>] [--json]
      The project's hosts: address, names, services, open findings, last run.
  lev findings --project <slug> [--severity high,critical] [--state open|new,confirmed,…] [--tool <ns.name>] [--json]
      The project's findings, worst first, with their number, state and asset.
  lev triage --project <slug> <number…> --state <state> [--note <text>] [--json]
      Sets the state of findings (new, confirmed, false_positive, accepted_risk, fixed), all or nothing.`;

export class FindingsUsageError extends Error {}

interface RunRef {
  number: number;
}
interface HostRow {
  address: string;
  names: string[];
  serviceCount: number;
  openFindings: number;
  lastRun: RunRef | null;
}
interface FindingRow {
  id: string;
  title: string;
  severity: string;
  state: string;
  stateBy: string | null;
  asset: { label: string } | null;
  tool: string;
}
interface Page<T> {
  items: T[];
  next: string | null;
}

/** A page of hosts as lines: `10.0.0.1  (web.example)  3 services  1 open finding  run #4`. */
export function hostsText(page: Page<HostRow>): string {
  if (!page.items.length) return "no hosts";
  const lines = page.items.map((h) => {
    const names = h.names.length ? `  (${h.names.join(", ")})` : "";
    const run = h.lastRun ? `  run #${h.lastRun.number}` : "";
    return `${h.address}${names}  ${h.serviceCount} service${h.serviceCount === 1 ? "" : "s"}  ${h.openFindings} open finding${h.openFindings === 1 ? "" : "s"}${run}`;
  });
  if (page.next) lines.push(`… more: --after ${page.next}`);
  return lines.join("\n");
}

/** A page of findings as lines: `#12  high  new  127.0.0.1:2375/tcp  Docker Engine API …`. */
export function findingsText(page: Page<FindingRow>): string {
  if (!page.items.length) return "no findings";
  const lines = page.items.map((f) => `#${f.id}  ${f.severity}  ${f.state}${f.stateBy ? ` (${f.stateBy})` : ""}  ${f.asset?.label ?? "the project"}  ${f.title}  [${f.tool}]`);
  if (page.next) lines.push(`… more: --after ${page.next}`);
  return lines.join("\n");
}

/** The project's API path; the hub judges the slug (a bad one is its 422, an unknown one its 404). */
function projectPath(project: string | undefined): string {
  if (!project) throw new FindingsUsageError("--project <slug> is required");
  return `/api/projects/${encodeURIComponent(project)}`;
}

function query(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== "") params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : "";
}

export async function assetsCommand(args: string[], out: (v: unknown) => void, cfg?: HubConfig): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { project: { type: "string" }, search: { type: "string" }, port: { type: "string" }, after: { type: "string" }, json: { type: "boolean", default: false } },
  });
  if (positionals.length) throw new FindingsUsageError("assets takes no arguments, only options");
  const base = projectPath(values.project);
  const page = await api<Page<HostRow>>(cfg ?? (await loadConfig()), "GET", `${base}/assets/hosts${query({ q: values.search, port: values.port, after: values.after })}`);
  out(values.json ? page : hostsText(page));
  return 0;
}

export async function findingsCommand(args: string[], out: (v: unknown) => void, cfg?: HubConfig): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      project: { type: "string" },
      severity: { type: "string" },
      state: { type: "string" },
      tool: { type: "string" },
      after: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (positionals.length) throw new FindingsUsageError("findings takes no arguments, only options");
  const base = projectPath(values.project);
  const page = await api<Page<FindingRow>>(cfg ?? (await loadConfig()), "GET", `${base}/findings${query({ severity: values.severity, state: values.state, tool: values.tool, after: values.after })}`);
  out(values.json ? page : findingsText(page));
  return 0;
}

export async function triageCommand(args: string[], out: (v: unknown) => void, cfg?: HubConfig): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { project: { type: "string" }, state: { type: "string" }, note: { type: "string", default: "" }, json: { type: "boolean", default: false } },
  });
  const base = projectPath(values.project);
  if (!values.state) throw new FindingsUsageError("--state <state> is required");
  if (!positionals.length) throw new FindingsUsageError("triage needs the numbers of the findings (as lev findings lists them)");
  const ids = positionals.map((p) => p.replace(/^#/, ""));
  for (const id of ids) if (!/^\d{1,18}$/.test(id)) throw new FindingsUsageError(`'${id}' is not a finding's number`);
  const result = await api<{ changed: number; unchanged: number }>(cfg ?? (await loadConfig()), "PATCH", `${base}/findings`, { ids, state: values.state, note: values.note });
  if (!result || typeof result.changed !== "number") throw new CliError("the hub did not answer with what it changed");
  out(values.json ? result : `${result.changed} changed${result.unchanged ? `, ${result.unchanged} already so` : ""}`);
  return 0;
}
