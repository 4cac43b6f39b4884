/**
 * multipart/form-data read as it streams (RFC 7578): each file part goes straight to a file of its
 * own in a staging directory while it is counted and hashed, so a 64 MiB upload never sits in
 * memory; the other fields are kept in memory under a cap of their own. Everything a client sends
 * is bounded — the number of parts and of files, a part's header block, the fields' bytes (the
 * whole body is capped by the caller) — and anything malformed is refused with a 422 naming what
 * is wrong. On any refusal the files staged so far are removed; on success the caller removes
 * them once done (`removeStaged`), whatever it kept having been moved away.
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, openAsBlob, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { AppError, validation } from "../errors.ts";

export interface MultipartLimits {
  /** parts of any kind */
  parts: number;
  /** file parts */
  files: number;
  /** one part's header block */
  headerBytes: number;
  /** the values of the non-file fields, together (they are held in memory) */
  fieldBytes: number;
}

export const MULTIPART_LIMITS: MultipartLimits = { parts: 64, files: 16, headerBytes: 8 * 1024, fieldBytes: 64 * 1024 };

/**
 * A file part as it was staged: a `File` (so `z.file()` checks it and its name is checked like any
 * upload's) backed by the staged file on disk, with where that is and the content's sha256.
 */
export class StagedFile extends File {
  constructor(
    blob: Blob,
    name: string,
    type: string,
    /** the staged copy: the caller may move it away, anything left is removed after the request */
    readonly path: string,
    readonly sha256: string,
  ) {
    super([blob], name, { type });
  }
}

export interface ParsedMultipart {
  /** the non-file fields, in order (a name may repeat) */
  fields: [string, string][];
  /** the file parts, in order, each under its field name */
  files: [string, StagedFile][];
}

/** RFC 2046: 1 to 70 of these, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/** The boundary of a `multipart/form-data; boundary=…` type, or a validation error. */
export function boundaryOf(contentType: string): string {
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  const boundary = m ? (m[1] ?? m[2]) : null;
  if (!boundary || !BOUNDARY.test(boundary)) throw validation("the multipart body names no valid boundary (1 to 70 characters, RFC 2046)");
  return boundary;
}

const malformed = (what: string) => validation(`the multipart body is malformed: ${what}`);

/** A header's parameters (`; name="x"; filename*=UTF-8''a%20b`), quoted strings unescaped; keys lower case. */
export function headerParams(value: string): { type: string; params: Map<string, string> } {
  const typeEnd = value.indexOf(";");
  const type = (typeEnd < 0 ? value : value.slice(0, typeEnd)).trim().toLowerCase();
  const params = new Map<string, string>();
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/gy;
  let at = typeEnd < 0 ? value.length : typeEnd;
  re.lastIndex = at;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) {
    const key = m[1].toLowerCase();
    const v = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3].trim();
    // a parameter given twice is ambiguous: which one a reader picks decides what is stored
    if (params.has(key)) throw malformed(`a part's header repeats the parameter '${key}'`);
    params.set(key, v);
    at = re.lastIndex;
  }
  if (value.slice(at).trim() !== "") throw malformed("a part's Content-Disposition cannot be read");
  return { type, params };
}

/** RFC 5987 `UTF-8''percent-encoded` (browsers send the plain form; other clients this one). */
function extValue(v: string): string {
  const m = /^utf-8'[^']*'(.*)$/i.exec(v);
  if (!m) throw malformed("a filename* that is not UTF-8''…");
  try {
    return decodeURIComponent(m[1]);
  } catch {
    throw malformed("a filename* whose percent-encoding is broken");
  }
}

interface PartHead {
  name: string;
  /** undefined: a field; a string (possibly empty): a file part */
  filename: string | undefined;
  contentType: string;
}

function readHead(block: Buffer): PartHead {
  const lines = new TextDecoder().decode(block).split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0 || /^[ \t]/.test(line)) throw malformed("a part's header line cannot be read");
    const key = line.slice(0, colon).trim().toLowerCase();
    if (headers.has(key)) throw malformed(`a part repeats its '${key}' header`);
    headers.set(key, line.slice(colon + 1).trim());
  }
  const disposition = headers.get("content-disposition");
  if (disposition === undefined) throw malformed("a part without Content-Disposition");
  const { type, params } = headerParams(disposition);
  if (type !== "form-data") throw malformed(`a part whose Content-Disposition is '${type}', not form-data`);
  const name = params.get("name");
  if (name === undefined || name === "") throw malformed("a part without a field name");
  const star = params.get("filename*");
  const filename = star !== undefined ? extValue(star) : params.get("filename");
  return { name, filename, contentType: headers.get("content-type") ?? (filename !== undefined ? "application/octet-stream" : "text/plain") };
}

/** One file part being written: counted, hashed, written with back-pressure. */
class FileSink {
  readonly hash = createHash("sha256");
  size = 0;
  private readonly out: WriteStream;
  private failed: Error | null = null;

  constructor(readonly file: string) {
    // `wx`: a new file of this process's own, never one planted under the same name
    this.out = createWriteStream(file, { flags: "wx", mode: 0o600 });
    this.out.on("error", (err) => (this.failed = err));
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failed) throw this.failed;
    this.size += chunk.length;
    this.hash.update(chunk);
    if (!this.out.write(chunk)) await new Promise<void>((resolve, reject) => {
      this.out.once("drain", resolve);
      this.out.once("error", reject);
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.out.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  destroy(): void {
    this.out.destroy();
  }
}

const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * Reads a multipart body from `chunks` (already capped by the caller), staging file parts in
 * `stageDir` (which must exist, the caller's own). A file part with an empty file name and no
 * content is a file input left empty: it is dropped, like a field never sent.
 */
export async function parseMultipart(chunks: AsyncIterable<Uint8Array>, boundary: string, stageDir: string, limits: MultipartLimits = MULTIPART_LIMITS): Promise<ParsedMultipart> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const keep = delimiter.length - 1;
  const out: ParsedMultipart = { fields: [], files: [] };
  const staged: string[] = [];
  // the body's first line is the boundary itself: a CRLF in front lets one delimiter find every one
  let buf: Buffer = Buffer.from(CRLF);
  let state = "preamble" as "preamble" | "boundary" | "head" | "body" | "done";
  let parts = 0;
  let fieldBytes = 0;
  let head: PartHead | null = null;
  let field: Buffer[] = [];
  let sink: FileSink | null = null;

  const emit = async (data: Buffer) => {
    if (!data.length) return;
    if (sink) return sink.write(data);
    fieldBytes += data.length;
    if (fieldBytes > limits.fieldBytes) throw new AppError("too_large", `the multipart body's fields hold more than ${limits.fieldBytes} bytes`, { fieldErrors: { [head!.name]: "too large" } });
    field.push(data);
  };

  const endPart = async () => {
    const h = head!;
    if (sink) {
      const s = sink;
      sink = null;
      await s.close();
      // a file input left empty: no file was chosen
      if (h.filename === "" && s.size === 0) return void (await rm(s.file, { force: true }));
      const blob = await openAsBlob(s.file);
      out.files.push([h.name, new StagedFile(blob, h.filename ?? "", h.contentType, s.file, s.hash.digest("hex"))]);
    } else {
      out.fields.push([h.name, Buffer.concat(field).toString("utf8")]);
      field = [];
    }
    head = null;
  };

  const startPart = (h: PartHead) => {
    if (++parts > limits.parts) throw malformed(`more than ${limits.parts} parts`);
    head = h;
    if (h.filename === undefined) return;
    if (out.files.length + 1 > limits.files) throw malformed(`more than ${limits.files} files`);
    const file = path.join(stageDir, `part-${randomBytes(12).toString("hex")}`);
    staged.push(file);
    sink = new FileSink(file);
  };

  /** Consumes what `buf` holds; returns when it needs more bytes (or the closing boundary came). */
  const drain = async () => {
    for (;;) {
      if (state === "preamble") {
        const at = buf.indexOf(delimiter);
        if (at < 0) {
          buf = buf.subarray(Math.max(0, buf.length - keep));
          return;
        }
        buf = buf.subarray(at + delimiter.length);
        state = "boundary";
      } else if (state === "boundary") {
        if (buf.length < 2) return;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = "done";
          return;
        }
        // the rest of the boundary line: transport padding (spaces, tabs) only
        const eol = buf.indexOf(CRLF);
        if (eol < 0) {
          if (buf.length > 256) throw malformed("a boundary line goes on");
          return;
        }
        if (!/^[ \t]*$/.test(buf.subarray(0, eol).toString("latin1"))) throw malformed("a boundary is followed by text on its line");
        buf = buf.subarray(eol + 2);
        state = "head";
      } else if (state === "head") {
        if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) throw malformed("a part without headers");
        const end = buf.indexOf(HEAD_END);
        if (end < 0 || end > limits.headerBytes) {
          if (end > limits.headerBytes || buf.length > limits.headerBytes + HEAD_END.length) throw malformed(`a part's headers are over ${limits.headerBytes} bytes`);
          return;
        }
        startPart(readHead(buf.subarray(0, end)));
        buf = buf.subarray(end + HEAD_END.length);
        state = "body";
      } else if (state === "body") {
        const at = buf.indexOf(delimiter);
        if (at < 0) {
          // all but what may be the start of the next delimiter
          const upTo = buf.length - keep;
          if (upTo > 0) {
            await emit(buf.subarray(0, upTo));
            buf = buf.subarray(upTo);
          }
          return;
        }
        await emit(buf.subarray(0, at));
        await endPart();
        buf = buf.subarray(at + delimiter.length);
        state = "boundary";
      } else return;
    }
  };

  try {
    for await (const chunk of chunks) {
      // copied: a reader may hand out views into a buffer it reuses
      buf = buf.length ? Buffer.concat([buf, chunk]) : Buffer.from(chunk);
      await drain();
      // what follows the closing boundary (an epilogue) is not read
      if (state === "done") break;
    }
    if (state !== "done") throw malformed("it ends before its closing boundary");
    return out;
  } catch (err) {
    (sink as FileSink | null)?.destroy();
    await removeStaged(staged);
    throw err;
  }
}

/** Removes staged files (those moved away meanwhile are simply gone). */
export async function removeStaged(files: readonly string[]): Promise<void> {
  await Promise.all(files.map((f) => rm(f, { force: true })));
}

/** The staged files' paths of a parsed body. */
export const stagedPaths = (parsed: ParsedMultipart): string[] => parsed.files.map(([, f]) => f.path);
