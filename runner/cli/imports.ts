/**
 * `lev import <project> <file> --format nmap|nuclei|sarif`: a report uploaded to the project
 * (`POST /api/files`, streamed) and imported (`POST /api/projects/{slug}/imports`: a run of the hub's
 * importer). The hub checks the format, the project and the file; its errors are shown as they come.
 */
import { parseArgs } from "node:util";
import { api, CliError, loadConfig, type HubConfig } from "./hub.ts";
import { progressPrinter, uploadFile } from "./hub-files.ts";

export const IMPORT_USAGE = `  lev import <project> <file> --format nmap|nuclei|sarif [--json]
      Imports a report (nmap -oX XML, nuclei -jsonl, SARIF 2.1.0) into the project: the file is
      uploaded, then parsed by the hub's importer in a sandbox; its hosts, services and findings
      join the project's (lev assets, lev findings). Prints the import's run.`;

export class ImportUsageError extends Error {}

interface RunRow {
  id: string;
  number: number;
  status: string;
}

export async function importCommand(args: string[], out: (v: unknown) => void, cfg?: HubConfig, stderr?: { write: (s: string) => void; tty: boolean }): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { format: { type: "string" }, json: { type: "boolean", default: false } } });
  if (positionals.length !== 2) throw new ImportUsageError("import takes <project> <file>");
  if (!values.format) throw new ImportUsageError("--format nmap|nuclei|sarif is required");
  const [project, file] = positionals;
  const hub = cfg ?? (await loadConfig());
  const up = await uploadFile(hub, file, { project, onProgress: stderr ? progressPrinter(stderr.write, stderr.tty) : undefined });
  const run = await api<RunRow>(hub, "POST", `/api/projects/${encodeURIComponent(project)}/imports`, { format: values.format, file: up.id });
  if (!run || typeof run.id !== "string") throw new CliError("the hub did not answer with the import's run");
  out(values.json ? run : `importing ${up.name} into ${project}: run #${run.number} (${run.id}), ${run.status}; see lev runs --project ${project}, lev assets --project ${project}`);
  return 0;
}
