import { test } from "node:test";
import assert from "node:assert/strict";
import { plural } from "./plural.ts";

test("plural: one is singular, everything else plural, an irregular plural when given", () => {
  assert.equal(plural(1, "item"), "1 item");
  assert.equal(plural(0, "item"), "0 items");
  assert.equal(plural(2, "item"), "2 items");
  assert.equal(plural(1, "entry", "entries"), "1 entry");
  assert.equal(plural(5, "entry", "entries"), "5 entries");
});
