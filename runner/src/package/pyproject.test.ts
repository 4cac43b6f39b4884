import assert from "node:assert/strict";
import { test } from "node:test";
import { addRequirement, normalizeName, projectKey, PyprojectError, requirementName } from "./pyproject.ts";

const REQ = "lev.joe.jsfuck==1.2.0";

test("an existing one-line array gets the requirement; the rest of the file is untouched", () => {
  const text = `# my tool\n[project]\nname = "lev.me.flow"  # keep me\ndependencies = ["levrt", "requests>=2"]\nversion = "0.1.0"\n\n[tool.pdm]\nx = 1\n`;
  assert.equal(addRequirement(text, REQ), text.replace(`"requests>=2"]`, `"requests>=2", "lev.joe.jsfuck==1.2.0"]`));
});

test("a multi-line array keeps its layout and indentation", () => {
  const text = `[project]\nname = "x"\ndependencies = [\n  "levrt",\n  "lev.joe.other>=1",\n]\n`;
  assert.equal(addRequirement(text, REQ), `[project]\nname = "x"\ndependencies = [\n  "levrt",\n  "lev.joe.other>=1",\n  "lev.joe.jsfuck==1.2.0",\n]\n`);
});

test("an earlier requirement of the same package is replaced, whatever its spelling", () => {
  const text = `[project]\ndependencies = ['lev.joe.jsfuck>=1.0', "levrt", "LEV-Joe_JSFuck[x] ; python_version>'3'"]\n`;
  assert.equal(addRequirement(text, REQ), `[project]\ndependencies = ["levrt", "lev.joe.jsfuck==1.2.0"]\n`);
  assert.equal(addRequirement(addRequirement(text, REQ), REQ), addRequirement(text, REQ), "idempotent");
});

test("no dependencies key: one is added to [project], not to another table", () => {
  const text = `[build-system]\nrequires = ["x"]\n\n[project]\nname = "x"\n\n[tool.x]\ndependencies = ["no"]\n`;
  assert.equal(addRequirement(text, REQ), `[build-system]\nrequires = ["x"]\n\n[project]\ndependencies = ["lev.joe.jsfuck==1.2.0"]\nname = "x"\n\n[tool.x]\ndependencies = ["no"]\n`);
});

test("comments and ']' inside strings do not confuse the array", () => {
  const text = `[project]\ndependencies = [\n    "a[b]>=1",  # extras\n    # a comment ]\n]\nversion = "1"\n`;
  const out = addRequirement(text, REQ);
  assert.match(out, /"a\[b\]>=1",\n {4}"lev\.joe\.jsfuck==1\.2\.0",\n\]\nversion = "1"\n$/);
});

test("refused: no [project], a dependencies value that is not an array of strings", () => {
  assert.throws(() => addRequirement(`[tool.x]\na = 1\n`, REQ), PyprojectError);
  assert.throws(() => addRequirement(`[project]\ndependencies = "levrt"\n`, REQ), /not an array/);
  assert.throws(() => addRequirement(`[project]\ndependencies = [1, 2]\n`, REQ), /array of strings/);
  assert.throws(() => addRequirement(`[project]\ndependencies = ["unterminated\n`, REQ), /array/);
});

test("names: PEP 503 normalisation, a requirement's distribution, [project] keys", () => {
  assert.equal(normalizeName("lev.Joe.JS_fuck"), "lev-joe-js-fuck");
  assert.equal(requirementName("lev.joe.jsfuck>=1,<2"), "lev.joe.jsfuck");
  assert.equal(requirementName("  x[y] ; extra"), "x");
  assert.equal(projectKey(`[project]\nversion = "1.2.0"\n`, "version"), "1.2.0");
  assert.equal(projectKey(`[tool]\nversion = "1"\n`, "version"), null);
});
