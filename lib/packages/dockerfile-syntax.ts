/**
 * Dockerfile syntax exactly as the hub's builder reads it, and back. Pure.
 *
 * The hub builds with Docker's classic builder (the engine's `/build` API without BuildKit;
 * Debian's docker.io 20.10), whose parser is BuildKit's `frontend/dockerfile/parser` v0.8:
 * `parser.go` (lines, BOM, parser directives, comments, line continuations) and
 * `split_command.go` (the instruction word, its `--flags`, the rest). This module follows those
 * rules one for one, so the instructions the hub checks are the ones that engine would run;
 * `serialiseDockerfile` writes instructions back as one line each, which this parser (and
 * Docker) read back into the same instructions. What each instruction's arguments mean is left to
 * the engine: they are kept verbatim.
 */

export type EscapeToken = "\\" | "`";

/** One instruction as Docker's parser produces it (a node of its AST). */
export interface Instruction {
  /** the first physical line, 1-based, for messages */
  line: number;
  /** the instruction word, lower-case (Docker dispatches on it lower-cased); kept as written when not ASCII letters */
  keyword: string;
  /** the `--flag` words before the arguments, with the quotes and backslashes Docker removes removed */
  flags: string[];
  /** the rest of the logical line, trimmed */
  args: string;
  /** a flag held a non-ASCII byte, which Docker's flag reader takes apart byte by byte */
  nonAsciiFlags: boolean;
}

/** A `# key=value` line Docker's parser looked at as a possible parser directive. */
export interface DirectiveLine {
  line: number;
  /** lower-case */
  key: string;
  value: string;
}

export interface ParsedDockerfile {
  escape: EscapeToken;
  /** the directive block: every `# key=value` line before anything else; an unknown key is its last */
  directives: DirectiveLine[];
  /** comments after the block that name a directive Docker knows: it reads them as plain comments */
  ignoredDirectives: DirectiveLine[];
  instructions: Instruction[];
}

export type ParseOutcome = { ok: true; dockerfile: ParsedDockerfile } | { ok: false; problem: string };

/** `bufio.Scanner`'s default limit: a longer line fails Docker's parse. */
export const MAX_LINE_BYTES = 65_535;

/** Go's `unicode.IsSpace`: what `strings.TrimSpace` and `bytes.TrimLeftFunc(…, unicode.IsSpace)` trim. */
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_SPACE = new RegExp(`^[${GO_SPACE}]+`);
const ONE_SPACE = new RegExp(`^[${GO_SPACE}]$`);
export const isGoSpace = (c: string): boolean => ONE_SPACE.test(c);
export const trimLeftGo = (s: string): string => s.replace(LEADING_SPACE, "");
// trailing characters are trimmed by a loop: an unanchored `[…]+$` is quadratic on a long run of spaces
export const trimSpaceGo = (s: string): string => trimEnd(trimLeftGo(s), isGoSpace);
function trimEnd(s: string, drop: (c: string) => boolean): string {
  let end = s.length;
  while (end > 0 && drop(s[end - 1])) end--;
  return s.slice(0, end);
}
const isBlank = (c: string) => c === " " || c === "\t";

/** Go's `\s` in reDirectives: [\t\n\f\r ] */
const isDirectiveSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r";

/** `reDirectives` up to the `=`, with Go's `\s` ([\t\n\f\r ]) spelled out; the value is read by `directiveValue`. */
const RE_DIRECTIVE_KEY = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=/;

/**
 * What `=\s*(.+?)\s*$` captures after the `=` (without the regex, which backtracks quadratically
 * on long runs of spaces): the text between leading and trailing spaces; when the rest is only
 * spaces, its last one (the lazy group must take a character); nothing when there is no rest.
 */
function directiveValue(rest: string): string | null {
  if (!rest) return null;
  let start = 0;
  while (start < rest.length && isDirectiveSpace(rest[start])) start++;
  if (start === rest.length) return rest[rest.length - 1];
  return trimEnd(rest.slice(start), isDirectiveSpace);
}

/** `reDirectives.FindStringSubmatch`: the key and value of a `# key=value` line, or null. */
function matchDirective(line: string): { key: string; value: string } | null {
  const m = RE_DIRECTIVE_KEY.exec(line);
  const value = m ? directiveValue(line.slice(m[0].length)) : null;
  return m && value !== null ? { key: m[1], value } : null;
}
/** the directives Docker 20.10 knows; any other key ends the directive block */
const KNOWN_DIRECTIVES = new Set(["escape", "syntax"]);
/** `reWhitespace`: what separates the instruction word from the rest, and FROM's words */
export const RE_WHITESPACE = /[\t\v\f\r ]+/;

const isComment = (line: string) => trimLeftGo(line).startsWith("#");

/**
 * `trimContinuationCharacter`: Docker's regex `([^E])E[ \t]*$|^E[ \t]*$` for escape E. An escape
 * at the end continues the line unless another escape precedes it (`foo \\` does not continue).
 */
export function trimContinuation(line: string, escape: EscapeToken): { text: string; continues: boolean } {
  const body = trimEnd(line, isBlank);
  if (!body.endsWith(escape)) return { text: line, continues: false };
  if (body.length === 1) return { text: "", continues: true };
  if (body[body.length - 2] === escape) return { text: line, continues: false };
  return { text: body.slice(0, -1), continues: true };
}

/** `bufio.ScanLines`: split at `\n`, drop one `\r` before it; a final empty piece is no line. */
function scanLines(text: string): { lines: string[]; tooLong: number | null } {
  const pieces = text.split("\n");
  if (pieces[pieces.length - 1] === "") pieces.pop();
  let tooLong: number | null = null;
  const lines = pieces.map((p, i) => {
    if (tooLong === null && Buffer.byteLength(p, "utf8") > MAX_LINE_BYTES) tooLong = i + 1;
    return p.endsWith("\r") ? p.slice(0, -1) : p;
  });
  return { lines, tooLong };
}

/**
 * Parses a Dockerfile as the hub's builder does. Bytes must be UTF-8 (Go would carry invalid bytes
 * through where this module could not follow them exactly, so they are refused).
 */
export function parseDockerfile(source: Uint8Array | string): ParseOutcome {
  let text: string;
  if (typeof source === "string") text = source;
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(source);
    } catch {
      return { ok: false, problem: "the Dockerfile is not UTF-8 text" };
    }
  }
  const { lines, tooLong } = scanLines(text);
  if (tooLong !== null) return { ok: false, problem: `line ${tooLong} is longer than ${MAX_LINE_BYTES} bytes (Docker's limit)` };

  let escape: EscapeToken = "\\";
  let done = false;
  const seen = new Set<string>();
  const directives: DirectiveLine[] = [];
  const ignoredDirectives: DirectiveLine[] = [];
  const instructions: Instruction[] = [];

  /** `possibleParserDirective`: null, or the parse error Docker reports */
  const directive = (token: string, line: number): string | null => {
    const m = matchDirective(token);
    const found = m ? { line, key: m.key.toLowerCase(), value: m.value } : null;
    if (done) {
      if (found && KNOWN_DIRECTIVES.has(found.key)) ignoredDirectives.push(found);
      return null;
    }
    if (!found) {
      done = true;
      return null;
    }
    directives.push(found);
    if (!KNOWN_DIRECTIVES.has(found.key)) {
      done = true;
      return null;
    }
    if (seen.has(found.key)) return `line ${line}: only one ${found.key} parser directive can be used`;
    seen.add(found.key);
    if (found.key === "escape") {
      if (found.value !== "`" && found.value !== "\\") return `line ${line}: invalid escape token '${found.value}' (only \` or \\)`;
      escape = found.value;
    }
    return null;
  };

  let i = 0;
  while (i < lines.length) {
    const first = i === 0 && lines[0].startsWith("\uFEFF") ? lines[0].slice(1) : lines[i];
    const start = ++i;
    const token = trimLeftGo(first);
    const error = directive(token, start);
    if (error) return { ok: false, problem: error };
    let { text: line, continues } = trimContinuation(token.startsWith("#") ? "" : token, escape);
    if (!continues && line === "") continue;
    while (continues && i < lines.length) {
      const next = lines[i++];
      directive(trimLeftGo(next), i);
      // a comment or a blank line inside a continuation is skipped; the instruction goes on
      if (isComment(next) || trimLeftGo(next) === "") continue;
      const part = trimContinuation(next, escape);
      line += part.text;
      continues = part.continues;
    }
    instructions.push({ line: start, ...splitCommand(line) });
  }
  if (!instructions.length) return { ok: false, problem: "the Dockerfile has no instructions" };
  return { ok: true, dockerfile: { escape, directives, ignoredDirectives, instructions } };
}

/** `splitCommand` + `extractBuilderFlags`: the instruction word, its flags and the rest. */
export function splitCommand(line: string): Omit<Instruction, "line"> {
  const trimmed = trimSpaceGo(line);
  const sep = RE_WHITESPACE.exec(trimmed);
  const word = sep ? trimmed.slice(0, sep.index) : trimmed;
  // Go's ToLower and JavaScript's disagree beyond ASCII: such a word is kept as written (unknown)
  const keyword = /^[A-Za-z]+$/.test(word) ? word.toLowerCase() : word;
  if (!sep) return { keyword, flags: [], args: "", nonAsciiFlags: false };
  const { rest, flags, nonAscii } = extractBuilderFlags(trimmed.slice(sep.index + sep[0].length));
  return { keyword, flags, args: trimSpaceGo(rest), nonAsciiFlags: nonAscii };
}

/** Go's `unicode.IsSpace(rune(b))` for one byte, as `extractBuilderFlags` asks it. */
const isSpaceByte = (b: number) => (b >= 0x09 && b <= 0x0d) || b === 0x20 || b === 0x85 || b === 0xa0;

/**
 * `extractBuilderFlags`, byte for byte as Docker runs it (it reads bytes, not characters: a
 * non-ASCII byte in a flag would be mangled, so `nonAscii` says whether one was read).
 */
function extractBuilderFlags(line: string): { rest: string; flags: string[]; nonAscii: boolean } {
  const bytes = Buffer.from(line, "utf8");
  const words: string[] = [];
  let phase: "spaces" | "word" | "quote" = "spaces";
  let word = "";
  let quote = 0;
  let blankOK = false;
  let nonAscii = false;
  const restFrom = (pos: number) => ({ rest: bytes.subarray(pos).toString("utf8"), flags: words, nonAscii });
  for (let pos = 0; pos <= bytes.length; pos++) {
    const ch = pos < bytes.length ? bytes[pos] : -1;
    if (phase === "spaces") {
      if (pos === bytes.length) break;
      if (isSpaceByte(ch)) {
        if (ch >= 0x80) nonAscii = true;
        continue;
      }
      if (ch !== 0x2d || pos + 1 === bytes.length || bytes[pos + 1] !== 0x2d) return restFrom(pos);
      phase = "word";
    }
    if (pos === bytes.length) {
      if (word !== "--" && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (ch >= 0x80) nonAscii = true;
    if (phase === "word") {
      if (isSpaceByte(ch)) {
        phase = "spaces";
        if (word === "--") return restFrom(pos);
        if (blankOK || word.length > 0) words.push(word);
        word = "";
        blankOK = false;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOK = true;
        phase = "quote";
        continue;
      }
      let c = ch;
      if (c === 0x5c) {
        if (pos + 1 === bytes.length) continue;
        c = bytes[++pos];
        if (c >= 0x80) nonAscii = true;
      }
      word += String.fromCharCode(c);
      continue;
    }
    // in quotes
    if (ch === quote) {
      phase = "word";
      continue;
    }
    let c = ch;
    if (c === 0x5c) {
      if (pos + 1 === bytes.length) {
        phase = "word";
        continue;
      }
      c = bytes[++pos];
      if (c >= 0x80) nonAscii = true;
    }
    word += String.fromCharCode(c);
  }
  return { rest: "", flags: words, nonAscii };
}

/** A flag word written so that `extractBuilderFlags` reads it back unchanged. */
function writeFlag(flag: string): string {
  return `--${flag.slice(2).replace(/[\t\n\v\f\r '"\\]/g, "\\$&")}`;
}

/** One instruction on one line: the word upper-case, its flags, `--` when the rest looks like a flag. */
export function serialiseInstruction(ins: Pick<Instruction, "keyword" | "flags" | "args">): string {
  const parts = [ins.keyword.toUpperCase(), ...ins.flags.map(writeFlag)];
  if (ins.args) parts.push(ins.args.startsWith("--") ? `-- ${ins.args}` : ins.args);
  return parts.join(" ");
}

/**
 * The instructions as a Dockerfile: an escape directive only when it is the backtick, then one
 * instruction per line; no comments, no continuations. Whether it reads back into the same
 * instructions is for the caller to verify (`sameInstructions`): some arguments cannot stand on
 * one line (one ending in the escape token would continue onto the next).
 */
export function serialiseDockerfile(dockerfile: Pick<ParsedDockerfile, "escape" | "instructions">): string {
  const head = dockerfile.escape === "`" ? "# escape=`\n" : "";
  return head + dockerfile.instructions.map(serialiseInstruction).join("\n") + "\n";
}

/** The index of the first instruction that differs (keyword, flags, arguments), or -1 when none does. */
export function firstDifference(a: readonly Instruction[], b: readonly Instruction[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y || x.keyword !== y.keyword || x.args !== y.args || x.flags.length !== y.flags.length || x.flags.some((f, j) => f !== y.flags[j])) {
      return i;
    }
  }
  return -1;
}
