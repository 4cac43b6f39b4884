import assert from "node:assert/strict";
import { test } from "node:test";
import { textProblem, unsafeText } from "./safe-text.ts";

test("NUL and unpaired surrogates are problems; everything else, astral characters included, is fine", () => {
  assert.equal(textProblem("plain ünïcödé 🐙"), null);
  assert.match(textProblem("a\u0000b")!, /NUL/);
  assert.match(textProblem("\ud800")!, /unpaired/);
  assert.match(textProblem("x\udc00y")!, /unpaired/);
  assert.equal(textProblem("\ud83d\udc19"), null);
});

test("the first unsafe string is named by its path, keys and file names included", () => {
  assert.equal(unsafeText({ a: "ok", b: [1, "fine", null] }), null);
  assert.deepEqual(unsafeText("a\u0000"), { path: "_", problem: "must not contain the NUL character (\\u0000)" });
  assert.equal(unsafeText({ args: { port: ["1", "2\u0000"] } })?.path, "args.port.1");
  const key = unsafeText({ args: { "p\u0000": 1 } });
  assert.equal(key?.path, "args.p\ufffd");
  assert.match(key!.problem, /^field name/);
  assert.equal(unsafeText({ function: "\uda41x" })?.path, "function");
  const file = unsafeText({ file: new File(["x"], "a\u0000.zip") });
  assert.equal(file?.path, "file");
  assert.match(file!.problem, /^file name/);
});

test("deep nesting is no stack overflow, and the string at the bottom is found", () => {
  let v: unknown = "a\u0000";
  for (let i = 0; i < 20_000; i++) v = [v];
  assert.equal(unsafeText(v)?.path.split(".").length, 20_000);
});
