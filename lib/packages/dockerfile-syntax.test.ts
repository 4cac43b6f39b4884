import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_LINE_BYTES, parseDockerfile, serialiseDockerfile, splitCommand, trimContinuation, type ParsedDockerfile } from "./dockerfile-syntax.ts";

/** The instructions as [keyword, flags, args]. */
function parse(text: string | Uint8Array): ParsedDockerfile & { rows: [string, string[], string][] } {
  const r = parseDockerfile(text);
  assert.ok(r.ok, `parses: ${JSON.stringify(r)}`);
  return { ...r.dockerfile, rows: r.dockerfile.instructions.map((i) => [i.keyword, i.flags, i.args]) };
}
const rows = (text: string) => parse(text).rows;
const problem = (text: string | Uint8Array) => {
  const r = parseDockerfile(text);
  assert.ok(!r.ok, `refused: ${JSON.stringify(text)}`);
  return r.problem;
};

test("lines: LF, CRLF, a final line without a newline; a lone CR stays inside its line", () => {
  const table: [string, [string, string[], string][]][] = [
    ["FROM a\nRUN b\n", [["from", [], "a"], ["run", [], "b"]]],
    ["FROM a\r\nRUN b\r\n", [["from", [], "a"], ["run", [], "b"]]],
    ["FROM a\nRUN b", [["from", [], "a"], ["run", [], "b"]]],
    ["FROM a\rRUN b\n", [["from", [], "a\rRUN b"]]],
    ["FROM a\r\r\nRUN b\n", [["from", [], "a"], ["run", [], "b"]]],
    ["\n\n  \t\nFROM a\n\n", [["from", [], "a"]]],
  ];
  for (const [text, want] of table) assert.deepEqual(rows(text), want, JSON.stringify(text));
});

test("instruction words: any case, leading spaces (Unicode too) ignored, words split by ASCII blanks only", () => {
  const table: [string, [string, string[], string][]][] = [
    ["  from\ta", [["from", [], "a"]]],
    ["\u00a0\u3000FrOm a  ", [["from", [], "a"]]],
    ["FROM\va\fAS\rb", [["from", [], "a\fAS\rb"]]],
    ["FROM\u00a0a", [["FROM\u00a0a", [], ""]]],
    ["RUN", [["run", [], ""]]],
    // Go's ToLower and JavaScript's disagree beyond ASCII: the word is kept as written
    ["RU\u212A x", [["RU\u212A", [], "x"]]],
  ];
  for (const [text, want] of table) assert.deepEqual(rows(text), want, JSON.stringify(text));
});

test("a byte order mark is dropped at the start of the file only", () => {
  assert.deepEqual(rows("\uFEFFFROM a"), [["from", [], "a"]]);
  assert.deepEqual(parse(Buffer.from("\uFEFF# escape=`\nFROM a `\n b\n")).rows, [["from", [], "a  b"]]);
  assert.deepEqual(rows("FROM a\n\uFEFFRUN b"), [["from", [], "a"], ["\uFEFFRUN", [], "b"]]);
  assert.deepEqual(rows("\uFEFF\uFEFFFROM a"), [["\uFEFFFROM", [], "a"]]);
});

test("parser directives: only at the very top; an unknown one, a comment, a blank line or an instruction ends them", () => {
  const escapeOf = (text: string) => parse(text).escape;
  assert.equal(escapeOf("# escape=`\nFROM a"), "`");
  assert.equal(escapeOf("  #  ESCAPE  =  `  \nFROM a"), "`");
  assert.equal(escapeOf("#escape=\\\nFROM a"), "\\");
  assert.equal(escapeOf("# syntax=x\n# escape=`\nFROM a"), "`", "syntax is a known directive: the block goes on");
  for (const ends of ["# x=y", "# check=skip=all", "# a comment", "", "FROM a", "#", "# escape"]) {
    const p = parse(`${ends}\n# escape=\`\nFROM a\n`);
    assert.equal(p.escape, "\\", JSON.stringify(ends));
    assert.deepEqual(p.ignoredDirectives, [{ line: 2, key: "escape", value: "`" }], JSON.stringify(ends));
  }
  const p = parse("# X=y\n# syntax=z\nFROM a\n# escape=`\nRUN b \\\n# syntax=q\n c\n");
  assert.deepEqual(p.directives, [{ line: 1, key: "x", value: "y" }]);
  assert.deepEqual(p.ignoredDirectives, [
    { line: 2, key: "syntax", value: "z" },
    { line: 4, key: "escape", value: "`" },
    { line: 6, key: "syntax", value: "q" },
  ]);
  assert.deepEqual(p.rows, [["from", [], "a"], ["run", [], "b  c"]]);
});

test("parser directive errors are Docker's: a repeated directive, an escape other than \\ or `", () => {
  assert.equal(problem("# escape=`\n# escape=\\\nFROM a"), "line 2: only one escape parser directive can be used");
  assert.equal(problem("# syntax=a\n# Syntax=b\nFROM a"), "line 2: only one syntax parser directive can be used");
  assert.equal(problem("# escape=x\nFROM a"), "line 1: invalid escape token 'x' (only ` or \\)");
  assert.equal(problem("# escape=``\nFROM a"), "line 1: invalid escape token '``' (only ` or \\)");
  // the value is what `=\s*(.+?)\s*$` captures: spaces only leave their last one (measured on the engine)
  assert.equal(problem("# escape= \nFROM a"), "line 1: invalid escape token ' ' (only ` or \\)");
  assert.equal(problem("# escape=`  x\nFROM a"), "line 1: invalid escape token '`  x' (only ` or \\)");
  assert.deepEqual(parse("# escape=\n# escape=`\nFROM a").directives, [], "no value: a comment, which ends the block");
});

test("continuations: the escape at the end, unless escaped itself; spaces and tabs after it, nothing else", () => {
  const table: [string, string | null][] = [
    ["a \\", "a "],
    ["a \\ \t ", "a "],
    ["a\\\\", null],
    ["a\\\\\\", null],
    ["\\", ""],
    ["  \\  ", "  "],
    ["a \\\f", null],
    ["a \\\u00a0", null],
    ["a`", null],
  ];
  for (const [line, want] of table) {
    const r = trimContinuation(line, "\\");
    assert.deepEqual(r, want === null ? { text: line, continues: false } : { text: want, continues: true }, JSON.stringify(line));
  }
  assert.deepEqual(trimContinuation("a `", "`"), { text: "a ", continues: true });
  assert.deepEqual(trimContinuation("a \\", "`"), { text: "a \\", continues: false });
});

test("inside a continuation: comments and blank lines are skipped, leading spaces kept, the file may end", () => {
  const table: [string, [string, string[], string][]][] = [
    ["RUN a \\\n  b", [["run", [], "a   b"]]],
    ["RUN a \\\n# c\n  # d \\\n\n \t \n  b\nRUN e", [["run", [], "a   b"], ["run", [], "e"]]],
    ["RUN a \\", [["run", [], "a"]]],
    ["RUN a \\\n", [["run", [], "a"]]],
    ["RUN a \\\n\n", [["run", [], "a"]]],
    ["RUN a\\\\\nRUN b", [["run", [], "a\\\\"], ["run", [], "b"]]],
    ["\\\nFROM a", [["from", [], "a"]]],
    ["\\", [["", [], ""]]],
    ["RUN a \\\n b \\\n c", [["run", [], "a  b  c"]]],
    ["RUN a \\\r\n b\r\n", [["run", [], "a  b"]]],
  ];
  for (const [text, want] of table) assert.deepEqual(rows(text), want, JSON.stringify(text));
  assert.deepEqual(parse("# escape=`\nRUN a `\n b \\\nRUN c\\\\`\n d").rows, [["run", [], "a  b \\"], ["run", [], "c\\\\ d"]]);
});

test("flags: `--` words before the arguments, with quotes and backslashes removed as Docker removes them", () => {
  const table: [string, string[], string][] = [
    ["COPY --from=a --chown=1:1 x y", ["--from=a", "--chown=1:1"], "x y"],
    ['COPY --chown="a b" x', ["--chown=a b"], "x"],
    ["COPY --chown='a\"b' x", ['--chown=a"b'], "x"],
    ["COPY --chown=a\\ b\\\\c x", ["--chown=a b\\c"], "x"],
    ['COPY --x="" y', ["--x="], "y"],
    ["COPY --from=a", ["--from=a"], ""],
    ["RUN -- --x y", [], "--x y"],
    ["RUN --a -- --x", ["--a"], "--x"],
    ["RUN -x", [], "-x"],
    ["RUN - -x", [], "- -x"],
    ["RUN --a\t\v--b  c", ["--a", "--b"], "c"],
    ["RUN --a --", ["--a"], ""],
  ];
  for (const [line, flags, args] of table) {
    const c = splitCommand(line);
    assert.deepEqual([c.flags, c.args, c.nonAsciiFlags], [flags, args, false], line);
  }
  // Docker reads flags byte by byte: a no-break space's second byte splits a word
  assert.equal(splitCommand("COPY --chown=a\u00a0b x").nonAsciiFlags, true);
  assert.equal(splitCommand("COPY --from=\u00e9 x").nonAsciiFlags, true);
  assert.deepEqual(splitCommand("COPY --from=a \u00e9 x"), { keyword: "copy", flags: ["--from=a"], args: "\u00e9 x", nonAsciiFlags: false });
});

test("refused: not UTF-8, a line over Docker's 65535 bytes, no instruction at all", () => {
  assert.equal(problem(Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x20, 0xff])), "the Dockerfile is not UTF-8 text");
  assert.equal(problem(`FROM a\nRUN ${"x".repeat(MAX_LINE_BYTES)}\n`), `line 2 is longer than ${MAX_LINE_BYTES} bytes (Docker's limit)`);
  assert.deepEqual(rows(`RUN ${"x".repeat(MAX_LINE_BYTES - 4)}`)[0][0], "run");
  for (const empty of ["", "\n", "# c\n\n", "# escape=`"]) assert.equal(problem(empty), "the Dockerfile has no instructions", JSON.stringify(empty));
});

test("long runs of blanks and long lines parse in one pass", () => {
  const n = 60_000;
  assert.deepEqual(rows(`FROM a\nRUN ${" ".repeat(n)}x\nRUN b\\${"\t".repeat(n)}\n c`), [["from", [], "a"], ["run", [], "x"], ["run", [], "b c"]]);
  assert.deepEqual(parse(`# k=v${" ".repeat(n)}\nFROM a`).directives, [{ line: 1, key: "k", value: "v" }]);
  assert.deepEqual(rows(`FROM a\nRUN ${"--a ".repeat(n / 4)}`)[1][1].length, n / 4);
});

/** Every tricky layout the parser follows: written back one instruction per line, each reads back the same. */
const TRICKY: string[] = [
  "\uFEFF# escape=`\nFROM a\nRUN b `\n  c\n",
  "# x=y\n# escape=`\nFROM a\nRUN b `\nRUN c\n",
  "FROM a\nRUN b \\\\\nCOPY --from=x / /\n",
  "# escape=`\nFROM a\nRUN dir C:\\ `\n  && echo `\n",
  "FROM a\r\nRUN b \\\r\n  c\r\n",
  "FROM\ta\nRUN\tb\t\\\n\tc\n",
  "FROM a\nRUN b \\\n\n  \n c\n",
  "FROM a\nRUN b \\\n# comment\n  # comment \\\n c\n",
  "FROM a\nRUN b \\",
  "\\\nFROM a\n",
  "from a as B\ncopy --from=b --chown=\"x y\" s d\nrun -- --flag\n",
  'FROM a\nCMD ["x", "y"] trailing\nHEALTHCHECK --interval=5s CMD ["z"]\n',
  "FROM a\nONBUILD RUN b \\\n c\nONBUILD   COPY x y   \n",
  "FROM a\nLABEL a=1\rb=2\nENV c=\u00a0d\n",
  "FROM a\nCOPY --chown='a\\'b' x y\nCOPY --chown=a\\\\ x y\n",
];

test("round trip: parse(serialise(parse(x))) == parse(x) for every tricky layout", () => {
  for (const text of TRICKY) {
    const first = parse(text);
    const written = serialiseDockerfile(first);
    const again = parse(written);
    assert.equal(again.escape, first.escape, JSON.stringify(text));
    assert.deepEqual(again.rows, first.rows, `${JSON.stringify(text)}\n${written}`);
    assert.ok(!/\n[ \t]*#/.test(`\n${written}`.replace("# escape=`\n", "")), "no comments");
    assert.equal(written.split("\n").length, first.instructions.length + (first.escape === "`" ? 2 : 1), "one line per instruction");
  }
});

test("writing back: upper-case words, quoted flags, `--` before arguments that look like flags, the backtick kept", () => {
  assert.equal(serialiseDockerfile(parse('from a\ncopy --chown="x y" --from=b s d\nrun -- --f\n')), 'FROM a\nCOPY --chown=x\\ y --from=b s d\nRUN -- --f\n');
  assert.equal(serialiseDockerfile(parse("# escape=`\n# syntax=x\nFROM a\n")), "# escape=`\nFROM a\n");
  // an argument ending in the escape (a form feed after it was trimmed) would continue onto the next line
  const lossy = parse("FROM a\nRUN b \\\f\nRUN c\n");
  assert.deepEqual(lossy.rows, [["from", [], "a"], ["run", [], "b \\"], ["run", [], "c"]]);
  assert.notDeepEqual(parse(serialiseDockerfile(lossy)).rows, lossy.rows);
});
