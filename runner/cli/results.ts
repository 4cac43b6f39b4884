/**
 * `lev results` and `lev diff`: a run's documents streamed from the hub's export API, and what
 * changed between two runs, from the compare API. Talks to the hub like the other hub commands.
 */
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { api, CliError, hubError, loadConfig, runPath } from "./hub.ts";
import { plural } from "../src/plural.ts";

export const RESULT_FORMATS = ["json", "ndjson", "csv"] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

export function resultsPath(runId: string, opts: { format: ResultFormat; coll?: string }): string {
  const q = new URLSearchParams({ run: runId, format: opts.format });
  if (opts.coll) q.set("coll", opts.coll);
  return `/api/results/export?${q}`;
}

/**
 * Streams a run's documents (`--format`, `--coll`) to `out` (a file, written to `<out>.part` and
 * renamed once complete, so a broken download never looks finished) or to `stdout`.
 */
export async function streamResults(ref: string, opts: { format: ResultFormat; coll?: string; out?: string }, stdout: Writable = process.stdout): Promise<void> {
  if (!RESULT_FORMATS.includes(opts.format)) throw new CliError(`--format is one of ${RESULT_FORMATS.join(", ")}, not '${opts.format}'`);
  const cfg = await loadConfig();
  // the run first (its number or id): one the caller may not see is "run not found", not an empty export
  const runId = (await api<{ id: string }>(cfg, "GET", runPath(ref))).id;
  let res: Response;
  try {
    res = await fetch(`${cfg.url}${resultsPath(runId, opts)}`, { headers: { authorization: `Bearer ${cfg.token}` } });
  } catch (err) {
    throw new CliError(`cannot reach the hub at ${cfg.url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok || !res.body) throw hubError(res, await res.text());
  const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  if (!opts.out) {
    await pipeline(body, stdout, { end: false });
    return;
  }
  const part = `${opts.out}.part`;
  try {
    await pipeline(body, createWriteStream(part, { mode: 0o644 }));
    await rename(part, opts.out);
  } catch (err) {
    await rm(part, { force: true });
    throw new CliError(`the download of run ${runId}'s results broke off: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface FieldChange {
  op: "added" | "removed" | "changed";
  path: string;
  before?: unknown;
  after?: unknown;
}

/** What `GET /api/runs/compare` answers (the fields the CLI shows). */
export interface Comparison {
  a: { id: string; number: number; package: string; function: string };
  b: { id: string; number: number; package: string; function: string };
  diff: {
    collections: {
      coll: string;
      keys: string[];
      /** fields left out (hubs before ignore lists answer without it) */
      ignored?: string[];
      added: { label: string }[];
      removed: { label: string }[];
      changed: { label: string; changes: FieldChange[]; omitted: number }[];
      unchanged: number;
      tooLarge: string | null;
      notes: string[];
    }[];
    totals: { new: number; gone: number; changed: number; unchangedDocuments: number };
    partial: boolean;
  };
}

/** The compare API's address; `ignore` (even empty) replaces the fields the package ignores. */
export function comparePath(a: string | null, b: string, ignore?: readonly string[]): string {
  const q = new URLSearchParams(a ? { a, b } : { b, previous: "true" });
  if (ignore) q.set("ignore", ignore.join(","));
  return `/api/runs/compare?${q}`;
}

export async function compare(a: string | null, b: string, ignore?: readonly string[]): Promise<Comparison> {
  const cfg = await loadConfig();
  return api<Comparison>(cfg, "GET", comparePath(a, b, ignore));
}

/** `--ignore a --ignore b,c` → [a, b, c]; `--ignore ''` → [] (ignore nothing); no flag → undefined (the package's). */
export function ignoreFlags(values: readonly string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return [...new Set(values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean))];
}

const MARK: Record<FieldChange["op"], string> = { added: "+", removed: "-", changed: "~" };

function short(v: unknown, max = 100): string {
  const s = JSON.stringify(v) ?? "undefined";
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function changeLine(c: FieldChange): string {
  if (c.op === "added") return `${MARK.added} ${c.path}  ${short(c.after)}`;
  if (c.op === "removed") return `${MARK.removed} ${c.path}  ${short(c.before)}`;
  return `${MARK.changed} ${c.path}  ${short(c.before)} → ${short(c.after)}`;
}

/** A comparison as text for a terminal: the totals, then per collection what is new, gone and changed. */
export function formatComparison(c: Comparison): string {
  const t = c.diff.totals;
  const lines = [
    `${c.b.package} ${c.b.function}: run #${c.a.number} → run #${c.b.number}`,
    `${t.new} new, ${t.gone} gone, ${t.changed} changed; ${plural(t.unchangedDocuments, "document")} unchanged${c.diff.partial ? " (partly compared)" : ""}`,
  ];
  for (const coll of c.diff.collections) {
    lines.push("", `${coll.coll}  (${coll.keys.length ? `keys: ${coll.keys.join(", ")}` : "matched by content"}${coll.ignored?.length ? `; ignoring ${coll.ignored.join(", ")}` : ""})`);
    if (coll.tooLarge) lines.push(`  ! ${coll.tooLarge}`);
    for (const d of coll.added) lines.push(`  + ${d.label}`);
    for (const d of coll.removed) lines.push(`  - ${d.label}`);
    for (const d of coll.changed) {
      lines.push(`  ~ ${d.label}`);
      for (const ch of d.changes) lines.push(`      ${changeLine(ch)}`);
      if (d.omitted) lines.push(`      … ${plural(d.omitted, "more change", "more changes")}`);
    }
    for (const n of coll.notes) lines.push(`  note: ${n}`);
    if (!coll.tooLarge && !coll.added.length && !coll.removed.length && !coll.changed.length) lines.push("  no change");
  }
  return lines.join("\n");
}
