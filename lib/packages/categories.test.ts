import { test } from "node:test";
import assert from "node:assert/strict";
import { ATTCK_TACTICS, BLACKARCH_CATEGORIES, normalizeCategory } from "./categories.ts";

test("category lists hold every member of levrt's Attck and BlackArch", () => {
  assert.equal(ATTCK_TACTICS.length, 16);
  assert.equal(BLACKARCH_CATEGORIES.length, 48);
  assert.equal(new Set(BLACKARCH_CATEGORIES.map((c) => c.key)).size, 48);
});

test("normalizeCategory matches member names, keys, ids and labels loosely", () => {
  assert.equal(normalizeCategory("attck", "Reconnaissance"), "Reconnaissance");
  assert.equal(normalizeCategory("attck", "TA0011"), "CommandandControl");
  assert.equal(normalizeCategory("attck", "Command and Control"), "CommandandControl");
  assert.equal(normalizeCategory("blackarch", "Scanner"), "scanner");
  assert.equal(normalizeCategory("blackarch", "CodeAudit"), "code-audit");
  assert.equal(normalizeCategory("blackarch", "AntiForensic"), "anti-forensic");
  assert.equal(normalizeCategory("blackarch", "Teleport"), null);
});
