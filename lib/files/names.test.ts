import assert from "node:assert/strict";
import { test } from "node:test";
import { displayName } from "./names.ts";

test("a file's display name: the last path segment, no control or format characters, bounded, never empty", () => {
  const cases: [string, string][] = [
    ["words.txt", "words.txt"],
    ["../../etc/passwd", "passwd"],
    ["C:\\Users\\alice\\hashes.txt", "hashes.txt"],
    ["dir/", "file"],
    ["..", "file"],
    [".", "file"],
    ["", "file"],
    ["a\u0000b\nc\r\td.txt", "abcd.txt"],
    // a right-to-left override would show "evil\u202Etxt.exe" as "evilexe.txt"
    ["evil\u202Etxt.exe", "eviltxt.exe"],
    ["zero\u200Bwidth\uFEFF.txt", "zerowidth.txt"],
    ["  many   spaces\u00A0 here  ", "many spaces here"],
    ["line\u2028sep", "linesep"],
    ["résumé 履歴書.pdf", "résumé 履歴書.pdf"],
  ];
  for (const [raw, want] of cases) assert.equal(displayName(raw), want, JSON.stringify(raw));
  assert.equal(displayName("a".repeat(300)).length, 255);
  // 200 astral characters are 400 UTF-16 units: cut at 127 whole characters, never half of one
  const astral = displayName("😀".repeat(200));
  assert.equal(astral.length, 254);
  assert.doesNotMatch(astral, /[\ud800-\udbff](?![\udc00-\udfff])/);
});
