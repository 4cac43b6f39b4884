import assert from "node:assert/strict";
import { test } from "node:test";
import type { ManifestFunction, ManifestParam } from "./introspect.ts";
import { coerce, ParamValidationError, refKindOf, validateArgs } from "./params.ts";

const p = (name: string, type: string, required = true, def: unknown = null): ManifestParam => ({
  name,
  type,
  required,
  default: def,
  desc: null,
  holder: null,
});

const fn: ManifestFunction = {
  name: "scan",
  qualified: "tool.scan",
  module: "lev.a.b.tool",
  kind: "mode",
  desc: "",
  description: "",
  example: null,
  doc: "",
  params: [p("ip", "str"), p("count", "int", false, 3), p("ratio", "float", false, 0.5), p("fast", "bool", false, false), p("hosts", "list[str]", false, []), p("opts", "dict", false, {})],
  cats: { attck: [], blackarch: [] },
  tags: [],
};

test("coerce converts form and command-line text to each type", () => {
  assert.equal(coerce(p("n", "int"), "42"), 42);
  assert.equal(coerce(p("f", "float"), "1.5"), 1.5);
  assert.equal(coerce(p("b", "bool"), "yes"), true);
  assert.equal(coerce(p("b", "bool"), "off"), false);
  assert.deepEqual(coerce(p("l", "list[str]"), "a\n b \n\nc"), ["a", "b", "c"]);
  assert.deepEqual(coerce(p("l", "list[str]"), '["x","y"]'), ["x", "y"]);
  assert.deepEqual(coerce(p("l", "list[int]"), ["1", "2"]), [1, 2]);
  assert.deepEqual(coerce(p("d", "dict"), '{"a":1}'), { a: 1 });
  assert.equal(coerce(p("s", "str"), 5), "5");
});

test("coerce rejects values of the wrong type with a readable reason", () => {
  assert.throws(() => coerce(p("n", "int"), "4.5"), /whole number/);
  assert.throws(() => coerce(p("n", "int"), "abc"), /whole number/);
  assert.throws(() => coerce(p("b", "bool"), "maybe"), /true or false/);
  assert.throws(() => coerce(p("d", "dict"), "[1]"), /JSON object/);
  assert.throws(() => coerce(p("d", "dict"), "{nope"), /valid JSON/);
  assert.throws(() => coerce(p("l", "list[int]"), ["1", "x"]), /item 2/);
});

test("validateArgs reports every problem at once", () => {
  try {
    validateArgs(fn, { count: "many", bogus: "1" });
    assert.fail("expected an error");
  } catch (e) {
    assert.ok(e instanceof ParamValidationError);
    assert.deepEqual(Object.keys(e.errors).sort(), ["bogus", "count", "ip"]);
    assert.match(e.errors.ip, /required/);
    assert.match(e.errors.bogus, /unknown parameter/);
  }
});

test("validateArgs returns typed arguments and leaves defaults to the runtime", () => {
  assert.deepEqual(validateArgs(fn, { ip: "127.0.0.1", count: "2", hosts: ["a"] }), {
    ip: "127.0.0.1",
    count: 2,
    hosts: ["a"],
  });
});

test("a file parameter takes a file reference only; other parameters never take '$lev'", () => {
  const ID = "abcdefghijklmnop0123";
  const withFile: ManifestFunction = { ...fn, params: [p("hashes", "file", false), p("opts", "dict", false, {}), p("any", "any", false), p("ip", "str", false)] };
  assert.deepEqual(validateArgs(withFile, { hashes: { $lev: "file", id: ID } }), { hashes: { $lev: "file", id: ID } });
  assert.deepEqual(validateArgs(withFile, {}), {}, "left empty: no file");
  const errors = (raw: Record<string, unknown>) => {
    try {
      validateArgs(withFile, raw);
    } catch (e) {
      if (e instanceof ParamValidationError) return e.errors;
    }
    return {};
  };
  assert.match(errors({ hashes: "/etc/passwd" }).hashes ?? "", /must be a file/);
  assert.match(errors({ hashes: { $lev: "file", id: ID, path: "/etc/passwd" } }).hashes ?? "", /must be a file/);
  assert.match(errors({ hashes: { $lev: "secret", id: ID } }).hashes ?? "", /must be a file/);
  assert.match(errors({ opts: { nested: [{ $lev: "file", id: ID }] } }).opts ?? "", /may not contain the key '\$lev'/);
  assert.match(errors({ opts: '{"$lev": "file", "id": "abcdefghijklmnop0123"}' }).opts ?? "", /'\$lev'/, "JSON text too");
  assert.match(errors({ any: { $lev: "file", id: ID } }).any ?? "", /'\$lev'/);
  assert.deepEqual(validateArgs(withFile, { ip: "$lev" }), { ip: "$lev" }, "a string is only a string");
  const required: ManifestFunction = { ...fn, params: [p("hashes", "file")] };
  assert.throws(() => validateArgs(required, {}), (e: unknown) => e instanceof ParamValidationError && e.errors.hashes === "is required");
});

test("a secret parameter takes a secret reference only, never a value", () => {
  const ID = "abcdefghijklmnop0123";
  const withSecret: ManifestFunction = { ...fn, params: [p("key", "secret"), p("maybe", "Optional[secret]", false), p("opts", "dict", false, {})] };
  assert.deepEqual(validateArgs(withSecret, { key: { $lev: "secret", id: ID } }), { key: { $lev: "secret", id: ID } });
  assert.deepEqual(validateArgs(withSecret, { key: JSON.stringify({ $lev: "secret", id: ID }) }), { key: { $lev: "secret", id: ID } }, "the form's picker sends the reference as JSON text");
  const errors = (raw: Record<string, unknown>) => {
    try {
      validateArgs(withSecret, raw);
    } catch (e) {
      if (e instanceof ParamValidationError) return e.errors;
    }
    return {};
  };
  assert.match(errors({ key: "sk_live_the_value" }).key ?? "", /must be one of the project's secrets/, "a value typed as text is refused");
  assert.match(errors({ key: '{"not": "a reference"}' }).key ?? "", /must be one of the project's secrets/);
  assert.match(errors({ key: "{broken" }).key ?? "", /must be one of the project's secrets/);
  assert.match(errors({ key: { $lev: "file", id: ID } }).key ?? "", /must be one of the project's secrets/);
  assert.match(errors({ key: { $lev: "secret", id: ID, value: "x" } }).key ?? "", /must be one of the project's secrets/);
  assert.match(errors({ key: { $lev: "secret", id: ID }, maybe: "plain" }).maybe ?? "", /must be one of the project's secrets/);
  assert.match(errors({ key: { $lev: "secret", id: ID }, opts: { k: { $lev: "secret", id: ID } } }).opts ?? "", /'\$lev'/);
  assert.equal(errors({}).key, "is required");
  assert.equal(refKindOf(p("k", "Optional[secret]")), "secret");
  assert.equal(refKindOf(p("k", "file")), "file");
  assert.equal(refKindOf(p("k", "str")), null);
});
