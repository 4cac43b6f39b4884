import { test } from "node:test";
import assert from "node:assert/strict";
import { argsText } from "./args-text.ts";

test("argsText: name=JSON pairs, cut with an ellipsis for lists", () => {
  assert.equal(argsText({ ip: "127.0.0.1", ports: [22, 80], fast: true }), 'ip="127.0.0.1" ports=[22,80] fast=true');
  assert.equal(argsText({}), "");
  assert.equal(argsText({ target: "x".repeat(50) }, 20), 'target="xxxxxxxxxxx…');
  assert.equal(argsText({ target: "x".repeat(50) }, 20).length, 20);
});
