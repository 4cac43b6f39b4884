/**
 * Masking a run's secrets wherever its output goes (logs, documents, errors): the runner applies it
 * before anything leaves it, and the hub again at ingest (defence in depth). Pure.
 *
 * A secret is looked for in the forms a tool is likely to print it in: as it is, JSON-escaped
 * (JavaScript's and Python's `ensure_ascii`), URL-encoded, hex (both cases), and base64 and
 * base64url at each of the three alignments it can have inside a longer encoded text (only the
 * characters that depend on the secret alone); a value of several lines also without its line
 * breaks and line by line. Every occurrence becomes `••••(secret NAME)`.
 *
 * Output arrives in lines, and a tool may split a secret across them (base64 wrapped at 76
 * characters, a value printed in pieces). A `LineMasker` reads one stream's consecutive lines as
 * one text: a line that ends with the beginning of a secret form is held until the next line says
 * whether the rest follows (then both parts are masked) or not; released without a next line (the
 * stream ended, the holder's patience ran out) a held beginning of MIN_PARTIAL characters or more
 * is masked anyway. Matching is Knuth-Morris-Pratt over every form, so the state carried from line
 * to line is one number per form.
 *
 * What masking cannot do: a package that is given a secret can always disclose it in a form not
 * listed here (reversed, encrypted, one character per line, over the network). Masking keeps a
 * secret out of logs, documents and pages by accident; it is not a barrier against the code the
 * user chose to run with it (SECURITY.md).
 */

export interface MaskedSecret {
  name: string;
  value: string;
}

/** What stands in for a secret wherever it was found. */
export function maskLabel(name: string): string {
  return `••••(secret ${name})`;
}

/** Forms shorter than this are not looked for (only `lev exec`'s local values may be that short). */
export const MIN_FORM_CHARS = 4;
/** A held beginning of a secret at least this long is masked even when its rest never follows. */
export const MIN_PARTIAL_CHARS = 6;
/** Lines of a multi-line value at least this long are looked for on their own. */
const MIN_LINE_FORM_CHARS = 12;

/** Python's `json.dumps` (ensure_ascii): every non-ASCII code unit as `\uXXXX`. */
function asciiJsonEscaped(v: string): string {
  return JSON.stringify(v)
    .slice(1, -1)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The characters of `bytes`' base64 at offset k (0..2) inside a longer text that depend on those bytes alone. */
function base64Cores(bytes: Buffer, encoding: "base64" | "base64url"): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString(encoding);
    out.push(enc.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6)));
  }
  return out;
}

/** Every form of one value that is looked for (distinct, long enough). */
export function secretForms(value: string): string[] {
  const bases = [value];
  if (/[\r\n]/.test(value)) {
    bases.push(value.replace(/\r?\n|\r/g, ""));
    for (const line of value.split(/\r?\n|\r/)) if (line.trim().length >= MIN_LINE_FORM_CHARS) bases.push(line.trim());
  }
  const forms = new Set<string>();
  for (const v of bases) {
    const bytes = Buffer.from(v, "utf8");
    forms.add(v);
    forms.add(JSON.stringify(v).slice(1, -1));
    forms.add(asciiJsonEscaped(v));
    forms.add(encodeURIComponent(v));
    forms.add(bytes.toString("hex"));
    forms.add(bytes.toString("hex").toUpperCase());
    for (const f of base64Cores(bytes, "base64")) forms.add(f);
    for (const f of base64Cores(bytes, "base64url")) forms.add(f);
  }
  return [...forms].filter((f) => f.length >= MIN_FORM_CHARS);
}

interface Form {
  text: string;
  label: string;
  /** KMP failure table: fail[i] = length of the longest proper border of text[0..i] */
  fail: Int32Array;
}

function failureTable(p: string): Int32Array {
  const fail = new Int32Array(p.length);
  let k = 0;
  for (let i = 1; i < p.length; i++) {
    while (k > 0 && p[i] !== p[k]) k = fail[k - 1];
    if (p[i] === p[k]) k++;
    fail[i] = k;
  }
  return fail;
}

interface Range {
  start: number;
  end: number;
  label: string;
}

/** Masks `text`, whose first character is at `offset` of the window the ranges are in. */
function applyRanges(text: string, offset: number, ranges: Range[]): string {
  let out = "";
  let at = 0;
  for (const r of ranges) {
    const s = Math.max(r.start - offset, 0);
    const e = Math.min(r.end - offset, text.length);
    if (e <= 0 || s >= text.length || e <= at) continue;
    out += text.slice(at, Math.max(s, at)) + r.label;
    at = e;
  }
  return out + text.slice(at);
}

/** Overlapping or touching ranges as one (the first one's label). */
function mergeRanges(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** A run's secrets, ready to be masked in any text it produces. */
export class SecretMasker {
  private readonly forms: Form[];

  constructor(secrets: readonly MaskedSecret[]) {
    const seen = new Set<string>();
    this.forms = [];
    // longer values first: where two secrets overlap, the longer names the mask
    for (const s of [...secrets].sort((a, b) => b.value.length - a.value.length)) {
      for (const text of secretForms(s.value)) {
        if (seen.has(text)) continue;
        seen.add(text);
        this.forms.push({ text, label: maskLabel(s.name), fail: failureTable(text) });
      }
    }
  }

  /** No secret to mask: every method returns what it was given. */
  get empty(): boolean {
    return this.forms.length === 0;
  }

  /** A window over consecutive lines of one stream; each line comes out masked through `emit`. */
  lines(emit: (line: string) => void): LineMasker {
    return new LineMasker(this.forms, emit);
  }

  /** One text on its own (an error message, a system line). */
  text(s: string): string {
    if (this.empty || s.length === 0) return s;
    let out = "";
    const w = this.lines((line) => (out = line));
    w.push(s);
    w.end();
    return out;
  }

  /**
   * A JSON value (a document) with every string — values and keys — masked, read in order as one
   * window, so a secret split across consecutive strings (a list of pieces) is found too.
   */
  json<T>(value: T): T {
    if (this.empty) return value;
    const strings: string[] = [];
    const collect = (v: unknown): void => {
      if (typeof v === "string") strings.push(v);
      else if (Array.isArray(v)) v.forEach(collect);
      else if (v !== null && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          strings.push(k);
          collect(x);
        }
      }
    };
    collect(value);
    const masked: string[] = [];
    const w = this.lines((line) => masked.push(line));
    for (const s of strings) w.push(s);
    w.end();
    let i = 0;
    const rebuild = (v: unknown): unknown => {
      if (typeof v === "string") return masked[i++];
      if (Array.isArray(v)) return v.map(rebuild);
      if (v !== null && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [, x] of Object.entries(v)) {
          const key = masked[i++];
          out[key] = rebuild(x);
        }
        return out;
      }
      return v;
    };
    return rebuild(value) as T;
  }
}

interface PendingLine {
  text: string;
  /** appended after masking (the log sink's "line cut" note) */
  suffix: string;
}

/**
 * One stream's lines through the masker: `push` each line, `release` to let held lines out (their
 * trailing beginning of a secret masked), `end` when the stream ends.
 */
export class LineMasker {
  private pending: PendingLine[] = [];
  /** per form: how many of its first characters the text already let out ends with */
  private states: Int32Array;

  constructor(
    private readonly forms: Form[],
    private readonly emit: (line: string) => void,
  ) {
    this.states = new Int32Array(forms.length);
  }

  /** Lines held because they end with the beginning of a secret. */
  get holding(): boolean {
    return this.pending.length > 0;
  }

  push(line: string, suffix = ""): void {
    if (this.forms.length === 0) return this.emit(line + suffix);
    this.pending.push({ text: line, suffix });
    this.process(false);
  }

  /** Lets every held line out now; a beginning of a secret they end with is masked when long enough. */
  release(): void {
    if (this.pending.length) this.process(true);
  }

  /** The stream ended. */
  end(): void {
    this.release();
    this.states = new Int32Array(this.forms.length);
  }

  private process(final: boolean): void {
    const ranges: Range[] = [];
    const states = Int32Array.from(this.states);
    const boundaries: Int32Array[] = [];
    let pos = 0;
    for (const line of this.pending) {
      const t = line.text;
      for (let f = 0; f < this.forms.length; f++) {
        const { text: p, fail, label } = this.forms[f];
        let st = states[f];
        for (let i = 0; i < t.length; i++) {
          const c = t[i];
          while (st > 0 && c !== p[st]) st = fail[st - 1];
          if (c === p[st]) st++;
          if (st === p.length) {
            ranges.push({ start: pos + i + 1 - p.length, end: pos + i + 1, label });
            st = fail[st - 1];
          }
        }
        states[f] = st;
      }
      pos += t.length;
      boundaries.push(Int32Array.from(states));
    }
    const total = pos;
    let hold = total;
    for (let f = 0; f < this.forms.length; f++) {
      if (states[f] === 0) continue;
      if (final) {
        if (states[f] >= MIN_PARTIAL_CHARS) ranges.push({ start: total - states[f], end: total, label: this.forms[f].label });
      } else hold = Math.min(hold, total - states[f]);
    }
    const merged = mergeRanges(ranges);
    let released = 0;
    let offset = 0;
    for (const line of this.pending) {
      const end = offset + line.text.length;
      // a line is held while a beginning of a secret reaches into it (empty lines after it too)
      if (!final && (end > hold || (hold < total && offset >= hold))) break;
      this.emit(applyRanges(line.text, offset, merged) + line.suffix);
      offset = end;
      released++;
    }
    if (released === 0) return;
    this.states = boundaries[released - 1];
    this.pending = this.pending.slice(released);
  }
}
