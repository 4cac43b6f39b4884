import { test } from "node:test";
import assert from "node:assert/strict";
import { withoutFacts } from "./inline-text.tsx";

test("withoutFacts drops only the fact lines that are shown as facts", () => {
  const doc = "greet: says hello.\n\nHomepage: https://lev.zone\nType: example\nNote: keep me";
  assert.equal(withoutFacts(doc, { Homepage: "https://lev.zone", Type: "example" }), "greet: says hello.\n\nNote: keep me");
  assert.equal(withoutFacts(doc, {}), doc);
});
