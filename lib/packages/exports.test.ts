import assert from "node:assert/strict";
import { test } from "node:test";
import type { Manifest, ManifestFunction } from "../../runner/src/index.ts";
import { exportRows, functionFacets } from "./exports.ts";

const cats = (attck: string[] = [], blackarch: string[] = []) => ({
  attck: attck.map((key) => ({ key, label: key })),
  blackarch: blackarch.map((key) => ({ key, label: key })),
});
const fn = (qualified: string, over: Partial<ManifestFunction> = {}): ManifestFunction => ({
  name: qualified.split(".").at(-1)!,
  qualified,
  module: "lev.a.b",
  kind: "mode",
  desc: "",
  description: "",
  example: null,
  doc: "",
  params: [],
  cats: cats(),
  tags: [],
  ...over,
});

test("a mode without categories or tags takes its tool's, per family; the package's are always added", () => {
  const tool = { cats: cats(["CredentialAccess"], ["cracker"]), tags: ["John", "password"] };
  const pkg = { cats: cats(["Impact"]), tags: ["pkg"] };
  assert.deepEqual(functionFacets(fn("t.m"), tool, pkg), {
    tags: ["john", "password", "pkg"],
    attck: ["CredentialAccess", "Impact"],
    blackarch: ["cracker"],
  });
  // its own ATT&CK tactics replace the tool's; the tool's BlackArch category still applies
  assert.deepEqual(functionFacets(fn("t.m", { cats: cats(["Discovery"]), tags: ["own"] }), tool, pkg), {
    tags: ["own", "pkg"],
    attck: ["Discovery", "Impact"],
    blackarch: ["cracker"],
  });
  // a workflow (no tool) and a tool from a manifest older than tool categories
  assert.deepEqual(functionFacets(fn("wf"), null, pkg), { tags: ["pkg"], attck: ["Impact"], blackarch: [] });
  assert.deepEqual(functionFacets(fn("t.m"), {}, pkg), { tags: ["pkg"], attck: ["Impact"], blackarch: [] });
  // keys are normalised; unknown ones dropped (the upload refuses them anyway)
  assert.deepEqual(functionFacets(fn("t.m"), { cats: cats(["credential-access", "Nope"], ["Code Audit"]) }, { cats: cats(), tags: [] }), {
    tags: [],
    attck: ["CredentialAccess"],
    blackarch: ["code-audit"],
  });
});

test("every function of a manifest gets one row with its tool's facets", () => {
  const manifest = {
    package: "lev.wild.cracker",
    cats: cats(),
    tags: [],
    tools: [{ name: "john", module: "lev.wild.cracker.john", desc: "", doc: "", facts: {}, cats: cats(["CredentialAccess"], ["cracker"]), tags: ["john"], modes: [fn("john.raw"), fn("john.crack")] }],
    modes: [],
    workflows: [fn("crack_file", { kind: "workflow" })],
  } as unknown as Manifest;
  const rows = exportRows(manifest);
  assert.deepEqual(
    rows.map((r) => [r.qualified, r.tool, r.attck, r.blackarch, r.tags]),
    [
      ["john.raw", "john", ["CredentialAccess"], ["cracker"], ["john"]],
      ["john.crack", "john", ["CredentialAccess"], ["cracker"], ["john"]],
      ["crack_file", null, [], [], []],
    ],
  );
});
