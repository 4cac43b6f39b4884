import assert from "node:assert/strict";
import { test } from "node:test";
import { pyprojectDependencies, pyprojectName, pyprojectVersion } from "./metadata.ts";

test("pyproject name and version come from [project] only", () => {
  const text = `[tool.x]\nversion = "9"\n[project]\nname = "lev.a.b" # the package\nversion = '1.2.3'\n`;
  assert.equal(pyprojectName(text), "lev.a.b");
  assert.equal(pyprojectVersion(text), "1.2.3");
  assert.equal(pyprojectVersion("[project]\nname = 'x'\n"), null);
  assert.equal(pyprojectVersion('[tool.poetry]\nversion = "1"\n'), null);
});

test("pyproject dependencies: a multi-line list with comments, both quotes and a trailing comma", () => {
  const text = `[project]\nname = "lev.a.b"\ndependencies = [\n  "levrt>=0.1", # the runtime\n  'lev.joe.jsfuck>=1.0',\n  "requests (>=2) ; python_version > \\"3\\"",\n]\n[tool.pdm]\ndependencies = ["x"]\n`;
  assert.deepEqual(pyprojectDependencies(text), { dependencies: ["levrt>=0.1", "lev.joe.jsfuck>=1.0", 'requests (>=2) ; python_version > "3"'] });
  assert.deepEqual(pyprojectDependencies(`[project]\ndependencies = []\n`), { dependencies: [] });
  assert.deepEqual(pyprojectDependencies(`[project]\nname = "x"\n`), { dependencies: [] });
  assert.deepEqual(pyprojectDependencies(`[tool.x]\ndependencies = ["lev.a.b"]\n`), { dependencies: [] });
  assert.deepEqual(pyprojectDependencies(`[project]\ndependencies = ["a" "b"]\n`), { problem: "pyproject.toml [project] dependencies must be a list of strings" });
  assert.ok("problem" in pyprojectDependencies(`[project]\ndependencies = "lev.a.b"\n`));
  assert.ok("problem" in pyprojectDependencies(`[project]\ndependencies = ["lev.a.b"\n`));
  assert.ok("problem" in pyprojectDependencies(`[project]\ndependencies = [1]\n`));
  assert.ok("problem" in pyprojectDependencies(`[project]\ndependencies = ["a",,]\n`));
});
