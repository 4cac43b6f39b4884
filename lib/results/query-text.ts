/**
 * The text form of a field query, e.g. `ports.port = 8080 and state = "open"`,
 * `service ~ http`, `hosts[].address = "127.0.0.1"`, `not (ttl < 64 or banner exists)`,
 * `hosts[].ports[] {port = 22 and state = open}`, `tags[] {@ >= 80 and @ < 85}`.
 *
 *   query      := or
 *   or         := and ("or" and)*
 *   and        := unary ("and" unary)*
 *   unary      := "not" unary | "(" or ")" | list "{" or "}" | path ("exists" | op value)
 *   op         := = | != | < | <= | > | >= | ~          (~ is a case-insensitive substring)
 *   value      := "json string" | number | true | false | null | bare word (a string)
 *   path       := name("[]")? ("." name("[]")?)*       name: letters, digits, _ and -
 *   list       := a path ending in "[]"
 *
 * `list {…}` is an element group: one item of the list satisfies everything inside, where paths
 * are relative to the item and `@` is the item itself. Keywords are case-insensitive. Errors name
 * the 1-based character position. Pure.
 */
import { QUERY_LIMITS } from "../schemas/results.ts";
import { checkSize, FIELD_NAME, pathText, queryError, type PathSegment, type QueryNode, type Scalar } from "./query-ast.ts";

type Token =
  | { kind: "lparen" | "rparen" | "lbrace" | "rbrace"; pos: number }
  | { kind: "op"; op: "=" | "!=" | "<" | "<=" | ">" | ">=" | "~"; pos: number }
  | { kind: "string"; value: string; pos: number }
  | { kind: "word"; text: string; pos: number };

const OPS = ["<=", ">=", "!=", "=", "<", ">", "~"] as const;
const WORD = /[^\s(){}"=!<>~]+/y;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const pos = i + 1;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === "{" || c === "}") {
      out.push({ kind: ({ "(": "lparen", ")": "rparen", "{": "lbrace", "}": "rbrace" } as const)[c], pos });
      i++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) throw queryError(`position ${pos}`, "a string is not closed with \"");
      let value: unknown;
      try {
        value = JSON.parse(text.slice(i, end + 1));
      } catch {
        throw queryError(`position ${pos}`, "a string has an invalid escape (strings use JSON escapes)");
      }
      out.push({ kind: "string", value: value as string, pos });
      i = end + 1;
    } else {
      const op = OPS.find((o) => text.startsWith(o, i));
      if (op) {
        out.push({ kind: "op", op, pos });
        i += op.length;
        continue;
      }
      WORD.lastIndex = i;
      const m = WORD.exec(text);
      if (!m) throw queryError(`position ${pos}`, `unexpected '${c}'`);
      out.push({ kind: "word", text: m[0], pos });
      i += m[0].length;
    }
  }
  return out;
}

/** The index of the quote closing the string opened at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** The item itself inside an element group (`tags[] {@ >= 80}`): the empty path. */
const ITSELF = "@";

/**
 * A dotted path; `@` (the empty path, an element group's item itself) only when `itself` allows it.
 */
export function parsePath(text: string, where: string, itself = false): PathSegment[] {
  if (text === ITSELF) {
    if (itself) return [];
    throw queryError(where, "@ stands for a list's item itself: use it inside an element group, as in `tags[] {@ >= 80}`");
  }
  const parts = text.split(".");
  if (parts.length > QUERY_LIMITS.pathSegments) throw queryError(where, `a field path has more than ${QUERY_LIMITS.pathSegments} parts`);
  return parts.map((part) => {
    const each = part.endsWith("[]");
    const key = each ? part.slice(0, -2) : part;
    if (!FIELD_NAME.test(key)) {
      throw queryError(where, `'${truncate(text)}' is not a field path (names use letters, digits, _ and -, joined by '.', an array marked with [])`);
    }
    return { key, each };
  });
}

function truncate(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

const KEYWORDS = new Set(["and", "or", "not", "exists"]);
const isKeyword = (t: Token | undefined, kw: string) => t?.kind === "word" && t.text.toLowerCase() === kw;

class Parser {
  private i = 0;
  /** how many element groups enclose the current position (`@` needs one) */
  private groups = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private where(t: Token | undefined = this.peek()): string {
    return t ? `position ${t.pos}` : `position ${this.length + 1} (the end)`;
  }

  parse(): QueryNode {
    if (!this.tokens.length) throw queryError("position 1", "the query is empty");
    const node = this.or(0);
    const rest = this.peek();
    if (rest) throw queryError(this.where(rest), this.stray(rest) ?? "expected 'and', 'or' or the end of the query");
    return node;
  }

  private stray(t: Token): string | null {
    if (t.kind === "rparen") return "')' without a matching '('";
    if (t.kind === "rbrace") return "'}' without a matching '{'";
    return null;
  }

  private or(depth: number): QueryNode {
    const items = [this.and(depth)];
    while (isKeyword(this.peek(), "or")) {
      this.i++;
      items.push(this.and(depth));
    }
    return items.length === 1 ? items[0] : { op: "or", items };
  }

  private and(depth: number): QueryNode {
    const items = [this.unary(depth)];
    while (isKeyword(this.peek(), "and")) {
      this.i++;
      items.push(this.unary(depth));
    }
    return items.length === 1 ? items[0] : { op: "and", items };
  }

  private unary(depth: number): QueryNode {
    const t = this.peek();
    if (depth > QUERY_LIMITS.depth) throw queryError(this.where(t), `nested deeper than ${QUERY_LIMITS.depth} levels`);
    if (!t) throw queryError(this.where(), "expected a comparison such as `port = 80`");
    if (isKeyword(t, "not")) {
      this.i++;
      return { op: "not", item: this.unary(depth + 1) };
    }
    if (t.kind === "lparen") {
      this.i++;
      const node = this.or(depth + 1);
      const close = this.peek();
      if (close?.kind !== "rparen") throw queryError(this.where(close), close?.kind === "rbrace" ? "expected ')' before '}'" : "expected ')'");
      this.i++;
      return node;
    }
    if (t.kind !== "word" || KEYWORDS.has(t.text.toLowerCase())) throw queryError(this.where(t), "expected a field path");
    this.i++;
    const path = parsePath(t.text, this.where(t), this.groups > 0);
    const next = this.peek();
    if (next?.kind === "lbrace") return this.group(path, t, next, depth);
    if (isKeyword(next, "exists")) {
      this.i++;
      return { op: "cmp", path, cmp: "exists", value: true };
    }
    if (next?.kind !== "op") throw queryError(this.where(next), "expected an operator (= != < <= > >= ~) or 'exists'");
    this.i++;
    const value = this.value(next.op);
    if (next.op === "~") {
      if (typeof value !== "string") throw queryError(this.where(), "~ looks for text: give it a string");
      return { op: "cmp", path, cmp: "contains", value };
    }
    const cmp = ({ "=": "eq", "!=": "ne", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte" } as const)[next.op];
    return { op: "cmp", path, cmp, value };
  }

  /** `list {…}`: the conditions inside hold for one item of the list. */
  private group(path: PathSegment[], at: Token, open: Token, depth: number): QueryNode {
    if (!path.length || !path[path.length - 1].each) {
      throw queryError(this.where(at), `an element group follows a list path ending in [] (\`${path.length ? `${pathText(path)}[]` : "ports[]"} {…}\`)`);
    }
    this.i++;
    if (this.peek()?.kind === "rbrace") throw queryError(this.where(this.peek()), "an element group needs a condition inside {…}");
    this.groups++;
    const item = this.or(depth + 1);
    this.groups--;
    const close = this.peek();
    if (close?.kind !== "rbrace") throw queryError(this.where(close), close?.kind === "rparen" ? "expected '}' before ')'" : `expected '}' closing the group opened at position ${open.pos}`);
    this.i++;
    return { op: "elem", path, item };
  }

  private value(op: string): Scalar {
    const t = this.peek();
    if (t?.kind !== "string" && t?.kind !== "word") throw queryError(this.where(t), `expected a value after '${op}'`);
    this.i++;
    const value = t.kind === "string" ? t.value : wordValue(t.text);
    if (typeof value === "string" && value.length > QUERY_LIMITS.stringLength) {
      throw queryError(this.where(t), `a value is longer than ${QUERY_LIMITS.stringLength} characters`);
    }
    if (typeof value === "number" && !Number.isFinite(value)) throw queryError(this.where(t), "a number is out of range");
    return value;
  }
}

function wordValue(text: string): Scalar {
  if (NUMBER.test(text)) return Number(text);
  const lower = text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (lower === "null") return null;
  return text;
}

/** Parses the text form into the intermediate form; a clear 422 naming the position otherwise. */
export function parseTextQuery(text: string): QueryNode {
  if (text.length > QUERY_LIMITS.textLength) throw queryError(`position ${QUERY_LIMITS.textLength + 1}`, `the query is longer than ${QUERY_LIMITS.textLength} characters`);
  const node = new Parser(tokenize(text), text.length).parse();
  checkSize(node);
  return node;
}
