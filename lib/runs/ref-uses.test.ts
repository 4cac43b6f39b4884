import assert from "node:assert/strict";
import test from "node:test";
import { refUses } from "./ref-uses.ts";

const a = "aaaaaaaaaaaaaaaaaaaaaaaa";
const b = "bbbbbbbbbbbbbbbbbbbbbbbb";

test("refUses: each reference with the parameter it stands in, at any depth, once per parameter", () => {
  const uses = refUses({
    f: { $lev: "file", id: a },
    many: [{ $lev: "file", id: b }, { nested: { $lev: "file", id: a } }, { $lev: "file", id: b }],
    port: 80,
    none: null,
  });
  assert.deepEqual(uses.file, [
    { id: a, param: "f" },
    { id: b, param: "many" },
    { id: a, param: "many" },
  ]);
});

test("refUses: no references, or only look-alikes (a bad id, an unknown kind, an extra key), give none", () => {
  assert.deepEqual(refUses({}).file, []);
  const lookAlikes = refUses({
    short: { $lev: "file", id: "short" },
    sha: { $lev: "file", id: "0".repeat(64) },
    kind: { $lev: "blob", id: a },
    extra: { $lev: "file", id: a, path: "/etc/passwd" },
    text: `{"$lev": "file", "id": "${a}"}`,
  });
  assert.deepEqual(lookAlikes.file, []);
});
