/**
 * `lev run … --param wordlist=@words.txt` (and `lev scan create`, `lev rerun`): a file for a file
 * parameter (`levrt.File`) is uploaded to the hub first (`POST /api/files`, streamed from disk,
 * with its progress for large files) and the run gets a reference to it (`{"$lev": "file", "id"}`),
 * never the bytes. Which parameters take files the function's manifest says; `@` means nothing
 * to any other parameter (`--param handle=@alice` stays text).
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { findFunction, type Manifest, type ManifestFunction, type ManifestParam } from "../src/manifest/introspect.ts";
import { isTypedRef, REF_KEY } from "../src/refs.ts";
import { api, CliError, hubError, splitTarget, type HubConfig } from "./hub.ts";

/** An uploaded file as the hub answers (`FileView`), as far as the CLI reads it. */
export interface UploadedFile {
  id: string;
  name: string;
  size: number;
  sha256: string;
}

export type UploadProgress = (sent: number, total: number, name: string) => void;

const isFileParam = (p: ManifestParam) => p.type.replace(/^Optional\[(.+)\]$/, "$1") === "file";

/** A multipart field name or file name as a header can carry it. */
const quoted = (s: string) => s.replace(/[\r\n"\\]/g, (c) => encodeURIComponent(c));

/**
 * Uploads `file` (streamed, never read into memory) to the caller's project `project` (absent:
 * their personal project); `onProgress` sees the bytes sent so far.
 */
export async function uploadFile(cfg: HubConfig, file: string, opts: { project?: string; onProgress?: UploadProgress } = {}): Promise<UploadedFile> {
  const st = await stat(file).catch(() => null);
  if (!st) throw new CliError(`${file}: no such file`);
  if (!st.isFile()) throw new CliError(`${file} is not a regular file`);
  const name = path.basename(file);
  const boundary = `lev-${randomBytes(12).toString("hex")}`;
  const head = Buffer.from(
    (opts.project ? `--${boundary}\r\nContent-Disposition: form-data; name="project"\r\n\r\n${opts.project}\r\n` : "") +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(name)}"; filename*=UTF-8''${encodeURIComponent(name)}\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  let sent = 0;
  async function* body() {
    yield head;
    for await (const chunk of createReadStream(file)) {
      sent += (chunk as Buffer).length;
      opts.onProgress?.(sent, st!.size, name);
      yield chunk as Buffer;
    }
    yield tail;
  }
  let res: Response;
  try {
    res = await fetch(`${cfg.url}/api/files`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${cfg.token}`,
        accept: "application/json",
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": String(head.length + st.size + tail.length),
      },
      body: Readable.toWeb(Readable.from(body())) as ReadableStream<Uint8Array>,
      duplex: "half",
    } as RequestInit);
  } catch (err) {
    throw new CliError(`cannot upload ${file} to the hub at ${cfg.url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  if (!res.ok) throw hubError(res, text);
  return JSON.parse(text) as UploadedFile;
}

/** The function `target` names, as the hub's manifest of `version` (absent: the latest) has it. */
export async function hubFunction(cfg: HubConfig, target: { package: string; function: string }, version?: string | null): Promise<ManifestFunction> {
  const [ns, name] = target.package.split(".");
  const q = version ? `?version=${encodeURIComponent(version)}` : "";
  const pkg = await api<{ current: { manifest: Manifest } }>(cfg, "GET", `/api/packages/${encodeURIComponent(ns)}/${encodeURIComponent(name)}${q}`);
  const fn = findFunction(pkg.current.manifest, target.function);
  if (!fn) throw new CliError(`${target.package} has no function '${target.function}'`);
  return fn;
}

/**
 * The arguments with each file parameter's `@path` uploaded and replaced by a reference to it.
 * A file parameter may also be given a reference itself (`--param f='{"$lev": "file", "id": "…"}'`,
 * a file uploaded before); anything else given to one is an error before anything is uploaded.
 */
export async function withUploadedFiles(
  cfg: HubConfig,
  params: readonly ManifestParam[],
  raw: Record<string, unknown>,
  opts: { project?: string; onProgress?: UploadProgress; onUploaded?: (f: UploadedFile) => void } = {},
): Promise<Record<string, unknown>> {
  const args: Record<string, unknown> = { ...raw };
  const files: [string, string][] = [];
  const problems: string[] = [];
  for (const p of params.filter(isFileParam)) {
    const v = raw[p.name];
    if (v === undefined) continue;
    if (typeof v === "string" && v.startsWith("@") && v.length > 1) files.push([p.name, v.slice(1)]);
    else if (typeof v === "string" && isTypedRef(parseJson(v), "file")) args[p.name] = parseJson(v);
    else problems.push(`--param ${p.name}: is a file: give it as --param ${p.name}=@path`);
  }
  if (problems.length) throw new CliError(problems.join("\n"));
  for (const [param, file] of files) {
    const up = await uploadFile(cfg, file, { project: opts.project, onProgress: opts.onProgress });
    opts.onUploaded?.(up);
    args[param] = { [REF_KEY]: "file", id: up.id };
  }
  return args;
}

function parseJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** Whether any value asks for a file (`@path`): only then is the function's manifest fetched. */
export const asksForFiles = (raw: Record<string, unknown>): boolean => Object.values(raw).some((v) => typeof v === "string" && v.startsWith("@"));

/**
 * What the CLI shows of an upload on stderr: for a file of at least 1 MiB, its progress on one line
 * (redrawn on a terminal, every 25% otherwise).
 */
export function progressPrinter(write: (s: string) => void, tty: boolean): UploadProgress {
  let lastQuarter = -1;
  return (sent, total, name) => {
    if (total < 1024 * 1024) return;
    const pct = Math.floor((sent / total) * 100);
    const line = `uploading ${name}: ${(sent / 1048576).toFixed(1)} of ${(total / 1048576).toFixed(1)} MiB (${pct}%)`;
    if (tty) write(`\r${line}${sent === total ? "\n" : ""}`);
    else if (Math.floor(pct / 25) > lastQuarter) {
      lastQuarter = Math.floor(pct / 25);
      write(`${line}\n`);
    }
  };
}

/**
 * `--param` values as `lev run`, `lev scan create` and `lev rerun` send them: when one asks for a
 * file (`@path`), the function's parameters are read from the hub (`fn` when the caller has them)
 * and each file parameter's file is uploaded to `project`, its progress on stderr.
 */
export async function paramsWithFiles(
  cfg: HubConfig,
  raw: Record<string, unknown>,
  where: { target?: string; version?: string | null; fn?: ManifestFunction | null; project?: string },
  stderr: { write: (s: string) => void; tty: boolean },
): Promise<Record<string, unknown>> {
  if (!asksForFiles(raw)) return raw;
  const fn = where.fn ?? (where.target ? await hubFunction(cfg, splitTarget(where.target), where.version) : null);
  if (!fn) throw new CliError("the hub did not say which parameters of the function take files");
  return withUploadedFiles(cfg, fn.params, raw, {
    project: where.project,
    onProgress: progressPrinter(stderr.write, stderr.tty),
    onUploaded: (f) => stderr.write(`uploaded ${f.name} (${f.size} bytes) as file ${f.id}\n`),
  });
}
