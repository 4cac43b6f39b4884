import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonStringArray, LexError, parseWords, processWord } from "./dockerfile-words.ts";

const env = new Map([
  ["A", "alpha"],
  ["E", ""],
  ["B_2", "two"],
]);

test("processWord: quotes, escapes and variables as Docker's lexer reads them", () => {
  const table: [string, string][] = [
    ["plain", "plain"],
    ["'$A x'", "$A x"],
    ['"$A x"', "alpha x"],
    ["a\\$A", "a$A"],
    ["a\\\\b", "a\\b"],
    ["a\\", "a"],
    ["a\\b", "ab"],
    ['"a\\"b"', 'a"b'],
    ['"a\\b"', "a\\b"],
    ['"a\\$A"', "a$A"],
    ["$A$B_2", "alphatwo"],
    ["${A}x", "alphax"],
    ["$Ax", ""],
    ["$", "$"],
    ["$-", ""],
    ["$1x", "x"],
    ["${Z:-def}", "def"],
    ["${E:-def}", "def"],
    ["${A:-def}", "alpha"],
    ["${A:+alt}", "alt"],
    ["${E:+alt}", ""],
    ["${Z:+alt}", ""],
    ["${Z:-$A}", "alpha"],
    ["${Z:-'q'}", "q"],
    ["${A?msg}", "alpha"],
    ["\uFEFFbom", "bom"],
    ["sc\u00e9ne", "sc\u00e9ne"],
  ];
  for (const [word, want] of table) assert.equal(processWord(word, env, "\\"), want, word);
});

test("processWord under the backtick escape: backslashes are plain characters", () => {
  const table: [string, string][] = [
    ["C:\\path", "C:\\path"],
    ["a`$A", "a$A"],
    ['"a`"b"', 'a"b'],
    ['"a\\"', "a\\"],
    ["``", "`"],
  ];
  for (const [word, want] of table) assert.equal(processWord(word, env, "`"), want, word);
});

test("processWord errors where Docker's lexer errors", () => {
  for (const word of ["'open", '"open', "${A", "${}", "${:x}", "${{A}}", "${A:x}", "${A%x}", "${Z?}", "${Z:?gone}", "${E:?}", '"${A"']) {
    assert.throws(() => processWord(word, env, "\\"), LexError, word);
  }
  assert.throws(() => processWord("${Z:?gone}", env, "\\"), /Z: gone/);
  assert.throws(() => processWord("${E:?}", env, "\\"), /E: is not allowed to be empty/);
  // Go's stack grows; JavaScript's would overflow: deep nesting is refused as a LexError, not a crash
  assert.equal(processWord(`${"${Z:-".repeat(60)}x${"}".repeat(60)}`, env, "\\"), "x");
  assert.throws(() => processWord(`${"${Z:-".repeat(10_000)}x`, env, "\\"), /nested deeper than 64/);
});

test("parseWords: ARG's words split at spaces outside quotes, quotes and escapes kept", () => {
  const table: [string, string[]][] = [
    ["a=1 b=2", ["a=1", "b=2"]],
    ['a="x y" b', ['a="x y"', "b"]],
    ["a='x \"y' b", ["a='x \"y'", "b"]],
    ["a=x\\ y", ["a=x\\ y"]],
    ["a=x\\", ["a=x"]],
    ['a="x\\"y"', ['a="x\\"y"']],
    ["a=''", ["a=''"]],
    ["  a\u00a0b\u3000c  ", ["a", "b", "c"]],
    ["", []],
  ];
  for (const [rest, want] of table) assert.deepEqual(parseWords(rest, "\\"), want, rest);
  assert.deepEqual(parseWords("a=C:\\x b=`\"q", "`"), ["a=C:\\x", 'b=`"q']);
});

test("jsonStringArray: the first value when it is an array of plain strings, else not-json or unclear", () => {
  const table: [string, string[] | "not-json" | "unclear"][] = [
    ['["a", "b"]', ["a", "b"]],
    [' \u00a0["a"] trailing ["b"]', ["a"]],
    ["[]", []],
    ['[ "a" ,\t"b" ]', ["a", "b"]],
    ['["\\u0068ttp://x", "/y"]', ["http://x", "/y"]],
    ['["a\\/b"]', ["a/b"]],
    ["a b", "not-json"],
    ['"[a]"', "not-json"],
    ['["a", 1]', "unclear"],
    ['[["a"]]', "unclear"],
    ["['a']", "unclear"],
    ['["a",]', "unclear"],
    ['["a" "b"]', "unclear"],
    ['["a\tb"]', "unclear"],
    ['["\\x"]', "unclear"],
    ['["\\ud800"]', "unclear"],
    ['["a"', "unclear"],
    ["[ x", "unclear"],
  ];
  for (const [args, want] of table) assert.deepEqual(jsonStringArray(args), want, args);
});
