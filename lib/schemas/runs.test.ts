import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRunRef, runParamsSchema } from "./runs.ts";

test("parseRunRef: #N and N are numbers, anything else of a sane length an id", () => {
  assert.deepEqual(parseRunRef("#12"), { number: 12 });
  assert.deepEqual(parseRunRef("12"), { number: 12 });
  assert.deepEqual(parseRunRef(" #7 "), { number: 7 });
  assert.deepEqual(parseRunRef("cmh1x2y3z0000abcd"), { id: "cmh1x2y3z0000abcd" });
  assert.deepEqual(parseRunRef("2147483647"), { number: 2147483647 });
});

test("parseRunRef names no run with what cannot be one", () => {
  for (const bad of ["", "  ", "#", "#0", "0", "2147483648", "99999999999", "#abc", "x".repeat(65)]) assert.equal(parseRunRef(bad), null, JSON.stringify(bad));
});

test("runParamsSchema keeps the text for lib to resolve", () => {
  assert.deepEqual(runParamsSchema.parse({ id: "#3" }), { id: "#3" });
  assert.equal(runParamsSchema.safeParse({ id: "" }).success, false);
});
