/**
 * `lev report` and `lev evidence`: a project's or a run's engagement report (PDF, HTML or
 * Markdown) and a run's evidence bundle, downloaded from the hub's report API to a file (written
 * to `<out>.part` and renamed once whole, so a broken download never looks finished) or stdout.
 */
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { parseArgs } from "node:util";
import { CliError, hubError, loadConfig, runPath, type HubConfig } from "./hub.ts";

export const REPORT_USAGE = `  lev report <project-slug | run> [--run] [--format pdf|html|md] [--since YYYY-MM-DD] [--out FILE]
      A project's engagement report (scope, what ran, assets, findings by severity with
      evidence, changes since a date), or a run's: a run is its number (18, #18) or, with
      --run, its id. PDF by default; to FILE, or to stdout.
  lev evidence <run> [--out FILE]
      A run's evidence bundle (tar.gz: its record, its documents as canonical JSON with their
      sha256, SHA256SUMS); verify with: tar xzf FILE && sha256sum -c SHA256SUMS`;

export class ReportUsageError extends Error {}

export const CLI_REPORT_FORMATS = ["pdf", "html", "md"] as const;

/** Where a report is: a run's when the target is a run number (slugs start with a letter) or `--run` says so. */
export function reportPath(target: string, opts: { run?: boolean; format?: string; since?: string }): string {
  const format = opts.format ?? "pdf";
  if (!(CLI_REPORT_FORMATS as readonly string[]).includes(format)) throw new ReportUsageError(`--format is one of ${CLI_REPORT_FORMATS.join(", ")}, not '${format}'`);
  const q = new URLSearchParams({ format });
  if (opts.since) q.set("since", opts.since);
  const isRun = opts.run || /^#?\d+$/.test(target.trim());
  const base = isRun ? `${runPath(target)}/report` : `/api/projects/${encodeURIComponent(target.trim().toLowerCase())}/report`;
  return `${base}?${q}`;
}

/** Streams `route` from the hub to `out` (a file, whole or not at all) or `stdout`. */
export async function download(cfg: HubConfig, route: string, out: string | undefined, stdout: Writable): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`${cfg.url}${route}`, { headers: { authorization: `Bearer ${cfg.token}` } });
  } catch (err) {
    throw new CliError(`cannot reach the hub at ${cfg.url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok || !res.body) throw hubError(res, await res.text());
  const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  if (!out) {
    await pipeline(body, stdout, { end: false });
    return;
  }
  const part = `${out}.part`;
  try {
    await pipeline(body, createWriteStream(part, { mode: 0o644 }));
    await rename(part, out);
  } catch (err) {
    await rm(part, { force: true });
    throw new CliError(`the download broke off: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function reportCommand(args: string[], say: (s: string) => void, cfg?: HubConfig, stdout: Writable = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { run: { type: "boolean" }, format: { type: "string" }, since: { type: "string" }, out: { type: "string" } } });
  if (positionals.length !== 1) throw new ReportUsageError("report takes one project (its slug) or one run (18, #18, or an id with --run)");
  const route = reportPath(positionals[0], values);
  await download(cfg ?? (await loadConfig()), route, values.out, stdout);
  if (values.out) say(`wrote ${values.out}`);
  return 0;
}

export async function evidenceCommand(args: string[], say: (s: string) => void, cfg?: HubConfig, stdout: Writable = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: "string" } } });
  if (positionals.length !== 1) throw new ReportUsageError("evidence takes one run (18, #18 or its id)");
  await download(cfg ?? (await loadConfig()), `${runPath(positionals[0])}/evidence`, values.out, stdout);
  if (values.out) say(`wrote ${values.out}`);
  return 0;
}
