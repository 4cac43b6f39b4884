/**
 * How the hub's builder reads the words inside an instruction's arguments, for the few places the
 * hub must know them: ARG values and FROM's image (`shell/lex.go`, `parseWords` of
 * `line_parsers.go`) and the JSON form (`parseJSON`). Pure; ported rule for rule from BuildKit
 * v0.8, which Docker 20.10's classic builder vendors.
 */
import { isGoSpace, trimLeftGo, type EscapeToken } from "./dockerfile-syntax.ts";

/**
 * `parseWords`: ARG's words, split at spaces outside quotes. Quotes and escapes stay in the
 * words (the lexer removes them later), as in Docker.
 */
export function parseWords(rest: string, escape: EscapeToken): string[] {
  const chars = Array.from(rest);
  const words: string[] = [];
  let phase: "spaces" | "word" | "quote" = "spaces";
  let word = "";
  let quote = "";
  let blankOK = false;
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = chars[pos];
    if (phase === "spaces") {
      if (pos === chars.length) break;
      if (isGoSpace(ch)) continue;
      phase = "word";
    }
    if (pos === chars.length) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === "word") {
      if (isGoSpace(ch)) {
        phase = "spaces";
        if (blankOK || word.length > 0) words.push(word);
        word = "";
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = "quote";
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue;
        word += ch;
        ch = chars[++pos];
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = "word";
    if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = "word";
        continue;
      }
      word += ch;
      ch = chars[++pos];
    }
    word += ch;
  }
  return words;
}

export class LexError extends Error {}

const MAX_NESTING = 64;

const EOF = null;

/**
 * `Lex.ProcessWord`: quotes removed, escapes applied, `$NAME`, `${NAME}`, `${NAME:-word}`,
 * `${NAME:+word}`, `${NAME?word}`, `${NAME:?word}` expanded from `env`. Throws LexError where
 * Docker reports an error.
 */
export function processWord(word: string, env: ReadonlyMap<string, string>, escape: EscapeToken): string {
  const chars = Array.from(word);
  // text/scanner skips a byte order mark at the start
  let pos = chars[0] === "\uFEFF" ? 1 : 0;
  const peek = () => (pos < chars.length ? chars[pos] : EOF);
  const next = () => (pos < chars.length ? chars[pos++] : EOF);

  let depth = 0;
  const stopOn = (stop: string | null): string => {
    // Go's stack grows where JavaScript's overflows: deep `${A:-${A:-…}}` nesting is refused instead
    if (++depth > MAX_NESTING) throw new LexError(`substitutions nested deeper than ${MAX_NESTING}`);
    let result = "";
    for (let ch = peek(); ch !== EOF; ch = peek()) {
      if (stop !== null && ch === stop) {
        next();
        depth--;
        return result;
      }
      if (ch === "'") result += singleQuoted();
      else if (ch === '"') result += doubleQuoted();
      else if (ch === "$") result += dollar();
      else {
        let c = next();
        if (c === escape) {
          c = next();
          if (c === EOF) break;
        }
        result += c;
      }
    }
    if (stop !== null) throw new LexError(`unexpected end of statement while looking for matching ${stop}`);
    depth--;
    return result;
  };

  const singleQuoted = (): string => {
    next();
    let result = "";
    for (;;) {
      const c = next();
      if (c === EOF) throw new LexError("unexpected end of statement while looking for matching single-quote");
      if (c === "'") return result;
      result += c;
    }
  };

  const doubleQuoted = (): string => {
    next();
    let result = "";
    for (;;) {
      const p = peek();
      if (p === EOF) throw new LexError("unexpected end of statement while looking for matching double-quote");
      if (p === '"') {
        next();
        return result;
      }
      if (p === "$") {
        result += dollar();
        continue;
      }
      let c = next()!;
      if (c === escape) {
        const after = peek();
        if (after === EOF) continue;
        if (after === '"' || after === "$" || after === escape) c = next()!;
      }
      result += c;
    }
  };

  const name = (): string => {
    let out = "";
    for (let ch = peek(); ch !== EOF; ch = peek()) {
      if (out === "" && /^\p{Nd}$/u.test(ch)) {
        while (peek() !== EOF && /^\p{Nd}$/u.test(peek()!)) out += next();
        return out;
      }
      if (out === "" && "@*#?-$!0".includes(ch)) return next()!;
      if (!/^[\p{L}\p{Nd}_]$/u.test(ch)) break;
      out += next();
    }
    return out;
  };

  const braced = (): string => {
    const p = peek();
    if (p === EOF) throw new LexError("syntax error: missing '}'");
    if (p === "{" || p === "}" || p === ":") throw new LexError("syntax error: bad substitution");
    const n = name();
    const value = env.get(n);
    const ch = next();
    if (ch === "}") return value ?? "";
    if (ch === "?" || ch === ":") {
      const modifier = ch === ":" ? next() : "?";
      let w: string;
      try {
        w = stopOn("}");
      } catch (err) {
        if (peek() === EOF) throw new LexError("syntax error: missing '}'");
        throw err;
      }
      if (ch === "?") {
        if (value === undefined) throw new LexError(`${n}: ${w || "is not allowed to be unset"}`);
        return value;
      }
      if (modifier === "+") return value ? w : "";
      if (modifier === "-") return value ? value : w;
      if (modifier === "?") {
        if (value === undefined) throw new LexError(`${n}: ${w || "is not allowed to be unset"}`);
        if (value === "") throw new LexError(`${n}: ${w || "is not allowed to be empty"}`);
        return value;
      }
      throw new LexError(`unsupported modifier (${modifier ?? ""}) in substitution`);
    }
    throw new LexError("missing ':' in substitution");
  };

  const dollar = (): string => {
    next();
    if (peek() !== "{") {
      const n = name();
      return n === "" ? "$" : (env.get(n) ?? "");
    }
    next();
    return braced();
  };

  return stopOn(null);
}

/**
 * `parseJSON` for the JSON form (`["a", "b"]`), as far as the hub relies on it: the arguments,
 * after leading spaces, start with `[` and the first JSON value is an array of plain strings;
 * Docker ignores what follows it. "not-json" when they do not start with `[`; "unclear" for
 * anything else (a syntax error, other values, escaped surrogates), which Docker might read
 * differently from JSON.parse, so callers that depend on the words refuse it.
 */
export function jsonStringArray(args: string): string[] | "not-json" | "unclear" {
  const text = trimLeftGo(args);
  if (!text.startsWith("[")) return "not-json";
  const ws = "[ \\t\\n\\r]*";
  const str = '"(?:[^"\\\\\\u0000-\\u001f]|\\\\["\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4})*"';
  const m = new RegExp(`^\\[${ws}(?:${str}(?:${ws},${ws}${str})*)?${ws}\\]`).exec(text);
  // Go decodes an escaped lone surrogate to U+FFFD, JSON.parse keeps it: surrogate escapes are unclear
  if (!m || /\\u[dD][89a-fA-F]/.test(m[0])) return "unclear";
  return JSON.parse(m[0]) as string[];
}
