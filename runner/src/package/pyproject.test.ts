import assert from "node:assert/strict";
import { test } from "node:test";
import { addRequirement, MAX_PYPROJECT_BYTES, normalizeName, PyprojectError, readPyproject, requirementName } from "./pyproject.ts";

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
  assert.throws(() => addRequirement(`[project]\ndependencies = ["unterminated\n`, REQ), (e: unknown) => e instanceof PyprojectError && e.line === 2 && /not valid TOML/.test(e.message));
});

test("refused rather than guessed: a layout the text edit cannot change alone", () => {
  // dotted keys are valid TOML, but there is no `dependencies = [` under a `[project]` header to edit
  assert.throws(() => addRequirement(`project.name = "x"\nproject.dependencies = ["a"]\n`, REQ), /write \[project\] dependencies/);
  assert.throws(() => addRequirement(`project = { name = "x" }\n`, REQ), /write \[project\] dependencies/);
});

test("strings with escapes, brackets and multi-line strings in the array are read by the parser", () => {
  const text = `[project]\ndependencies = ["a \\"]\\" ]", '''b]''', """c\n]"""]\nname = "x"\n`;
  assert.deepEqual(readPyproject(text).dependencies, ['a "]" ]', "b]", "c\n]"]);
  const out = addRequirement(text, REQ);
  assert.deepEqual(readPyproject(out), { name: "x", version: null, dependencies: ['a "]" ]', "b]", "c\n]", REQ] });
  assert.ok(out.endsWith(`\nname = "x"\n`));
});

test("names: PEP 503 normalisation, a requirement's distribution, [project] keys", () => {
  assert.equal(normalizeName("lev.Joe.JS_fuck"), "lev-joe-js-fuck");
  assert.equal(requirementName("lev.joe.jsfuck>=1,<2"), "lev.joe.jsfuck");
  assert.equal(requirementName("  x[y] ; extra"), "x");
  assert.equal(readPyproject(`[project]\nversion = "1.2.0"\n`).version, "1.2.0");
  assert.equal(readPyproject(`[tool]\nversion = "1"\n`).version, null);
});

// the hub's own reader (lib/packages/metadata.ts) had the cases below; the one reader answers them all

test("pyproject name and version come from [project] only", () => {
  const text = `[tool.x]\nversion = "9"\n[project]\nname = "lev.a.b" # the package\nversion = '1.2.3'\n`;
  assert.equal(readPyproject(text).name, "lev.a.b");
  assert.equal(readPyproject(text).version, "1.2.3");
  assert.equal(readPyproject("[project]\nname = 'x'\n").version, null);
  assert.equal(readPyproject('[tool.poetry]\nversion = "1"\n').version, null);
  assert.equal(readPyproject('[tool.x]\nversion = "9"\n[project]\nname = "lev.a.b"\nversion = "0.1.2" # c\n').version, "0.1.2");
  assert.equal(readPyproject('[project]\nname = "x"\n').version, null);
});

test("pyproject dependencies: a multi-line list with comments, both quotes and a trailing comma", () => {
  const text = `[project]\nname = "lev.a.b"\ndependencies = [\n  "levrt>=0.1", # the runtime\n  'lev.joe.jsfuck>=1.0',\n  "requests (>=2) ; python_version > \\"3\\"",\n]\n[tool.pdm]\ndependencies = ["x"]\n`;
  assert.deepEqual(readPyproject(text).dependencies, ["levrt>=0.1", "lev.joe.jsfuck>=1.0", 'requests (>=2) ; python_version > "3"']);
  assert.deepEqual(readPyproject(`[project]\ndependencies = []\n`).dependencies, []);
  assert.deepEqual(readPyproject(`[project]\nname = "x"\n`).dependencies, []);
  assert.deepEqual(readPyproject(`[tool.x]\ndependencies = ["lev.a.b"]\n`).dependencies, []);
  const bad = (text: string, re: RegExp, line?: number) =>
    assert.throws(() => readPyproject(text), (e: unknown) => e instanceof PyprojectError && re.test(e.message) && e.line === line, text);
  bad(`[project]\ndependencies = ["a" "b"]\n`, /^pyproject\.toml:2: not valid TOML: .+ \(column 21\)$/, 2);
  bad(`[project]\ndependencies = "lev.a.b"\n`, /dependencies is a string, not an array of strings/);
  bad(`[project]\ndependencies = ["lev.a.b"\n`, /not valid TOML/, 3);
  bad(`[project]\ndependencies = [1]\n`, /must be an array of strings; item 1 is a number/);
  bad(`[project]\ndependencies = ["a",,]\n`, /not valid TOML/, 2);
});

test("bad TOML anywhere is an error with its line and column; so are [project] keys of the wrong type", () => {
  assert.throws(() => readPyproject(`[project]\nname = "a"\n[project]\n`), (e: unknown) => e instanceof PyprojectError && e.line === 3 && e.column === 2);
  assert.throws(() => readPyproject(`[project]\nversion = 1.0\n`), /version is a number, not a string/);
  assert.throws(() => readPyproject(`project = "x"\n`), /project is a string, not a table/);
  assert.throws(() => readPyproject(`# ${"x".repeat(MAX_PYPROJECT_BYTES)}\n`), /larger than 1024 KiB/);
});
