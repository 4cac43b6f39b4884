import { test } from "node:test";
import assert from "node:assert/strict";
import { argsText, argValueText } from "./args-text.ts";

test("argsText: name=JSON pairs, cut with an ellipsis for lists", () => {
  assert.equal(argsText({ ip: "127.0.0.1", ports: [22, 80], fast: true }), 'ip="127.0.0.1" ports=[22,80] fast=true');
  assert.equal(argsText({}), "");
  assert.equal(argsText({ target: "x".repeat(50) }, 20), 'target="xxxxxxxxxxx…');
  assert.equal(argsText({ target: "x".repeat(50) }, 20).length, 20);
});

test("argValueText: a file reference the page knows reads as its name and size; anything else as JSON", () => {
  const files = [{ id: "wordlist-0123456789ab", name: "words.txt", size: 2048 }];
  assert.equal(argValueText({ $lev: "file", id: "wordlist-0123456789ab" }, files), "file words.txt (2 KiB)");
  assert.equal(argValueText({ $lev: "file", id: "someone-elses-file-00" }, files), '{"$lev":"file","id":"someone-elses-file-00"}');
  assert.equal(argValueText("127.0.0.1", files), '"127.0.0.1"');
  assert.equal(argValueText([1, 2], files), "[1,2]");
  assert.equal(argValueText(null, []), "null");
});
