import assert from "node:assert/strict";
import { test } from "node:test";
import { pyprojectName, pyprojectVersion } from "./metadata.ts";

test("pyproject name and version come from [project] only", () => {
  const text = `[tool.x]\nversion = "9"\n[project]\nname = "lev.a.b" # the package\nversion = '1.2.3'\n`;
  assert.equal(pyprojectName(text), "lev.a.b");
  assert.equal(pyprojectVersion(text), "1.2.3");
  assert.equal(pyprojectVersion("[project]\nname = 'x'\n"), null);
  assert.equal(pyprojectVersion('[tool.poetry]\nversion = "1"\n'), null);
});
