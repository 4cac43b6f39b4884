import { test } from "node:test";
import assert from "node:assert/strict";
import type { ManifestFunction, ManifestParam } from "../runner/src/manifest/introspect.ts";
import { ParamValidationError, validateArgs } from "../runner/src/manifest/params.ts";
import { initialValue, rawValues } from "./run-form.tsx";
import { widgetFor } from "./param-field.tsx";

const p = (name: string, type: string, dflt: unknown, required = dflt === undefined): ManifestParam => ({ name, type, required, default: dflt ?? null, desc: null, holder: null });

const fn: ManifestFunction = {
  name: "scan",
  qualified: "tool.scan",
  module: "lev.x.y.tool",
  kind: "mode",
  desc: "",
  description: "",
  example: null,
  doc: "",
  params: [p("ip", "str", undefined), p("count", "int", 3), p("ratio", "float", 0.5), p("verbose", "bool", false), p("ports", "list[str]", ["22", "80"]), p("extra", "dict", { a: 1 })],
  cats: { attck: [], blackarch: [] },
  tags: [],
};

test("widgetFor picks the widget from the parameter's type", () => {
  assert.deepEqual(
    fn.params.map(widgetFor),
    ["text", "int", "float", "bool", "list", "json"],
  );
  assert.equal(widgetFor(p("x", "Optional[int]", 1)), "int");
  assert.equal(widgetFor(p("x", "List[str]", [])), "list");
  assert.equal(widgetFor(p("x", "", 1)), "text");
});

test("initialValue writes defaults in each widget's notation and leaves required fields empty", () => {
  assert.deepEqual(fn.params.map(initialValue), ["", "3", "0.5", "false", "22\n80", '{\n  "a": 1\n}']);
});

test("the untouched form validates to the defaults once the required field is filled", () => {
  const values = Object.fromEntries(fn.params.map((x) => [x.name, initialValue(x)]));
  assert.throws(() => validateArgs(fn, rawValues(fn, values)), (e: unknown) => e instanceof ParamValidationError && e.errors.ip === "is required");
  values.ip = "127.0.0.1";
  assert.deepEqual(validateArgs(fn, rawValues(fn, values)), { ip: "127.0.0.1", count: 3, ratio: 0.5, verbose: false, ports: ["22", "80"], extra: { a: 1 } });
});

test("bad values are reported per field, all at once", () => {
  const values = { ip: "127.0.0.1", count: "2.5", ratio: "abc", verbose: "true", ports: "", extra: "{not json" };
  assert.throws(
    () => validateArgs(fn, rawValues(fn, values)),
    (e: unknown) => e instanceof ParamValidationError && e.errors.count === "must be a whole number" && e.errors.ratio === "must be a number" && e.errors.extra === "is not valid JSON" && !("verbose" in e.errors),
  );
});

test("a file parameter: its field holds the reference id, sent as a typed reference; empty is absent", () => {
  const withFile: ManifestFunction = { ...fn, params: [p("f", "file", null, false), p("g", "file", undefined)] };
  assert.deepEqual(withFile.params.map(widgetFor), ["file", "file"]);
  assert.equal(initialValue({ ...withFile.params[0], default: { $lev: "file", id: "wordlist-0123456789ab" } }), "wordlist-0123456789ab");
  assert.equal(initialValue({ ...withFile.params[0], default: "not a reference" }), "");
  assert.deepEqual(rawValues(withFile, { f: "", g: "wordlist-0123456789ab" }), { g: { $lev: "file", id: "wordlist-0123456789ab" } });
  assert.throws(() => validateArgs(withFile, rawValues(withFile, { f: "", g: "" })), (e: unknown) => e instanceof ParamValidationError && e.errors.g === "is required");
  assert.deepEqual(validateArgs(withFile, rawValues(withFile, { f: "", g: "wordlist-0123456789ab" })), { g: { $lev: "file", id: "wordlist-0123456789ab" } });
});
