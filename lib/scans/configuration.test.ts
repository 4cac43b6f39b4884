import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalJson, sameConfiguration, type Configuration } from "./configuration.ts";

const base: Configuration = { package: "joe.nmap", function: "scan.ports", args: { host: "127.0.0.1", ports: [22, 80], opts: { fast: true, depth: 2 } } };

test("canonicalJson sorts keys at every depth and keeps array order", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
  assert.equal(canonicalJson("x"), '"x"');
});

test("sameConfiguration: key order does not matter; package, function and every value do", () => {
  assert.ok(sameConfiguration(base, { package: "joe.nmap", function: "scan.ports", args: { opts: { depth: 2, fast: true }, ports: [22, 80], host: "127.0.0.1" } }));
  assert.ok(!sameConfiguration(base, { ...base, package: "joe.nmap2" }));
  assert.ok(!sameConfiguration(base, { ...base, function: "scan.alive" }));
  assert.ok(!sameConfiguration(base, { ...base, args: { ...base.args, ports: [80, 22] } }), "array order is meaning");
  assert.ok(!sameConfiguration(base, { ...base, args: { ...base.args, host: "127.0.0.2" } }));
  assert.ok(!sameConfiguration(base, { ...base, args: { ...base.args, extra: 1 } }));
  assert.ok(!sameConfiguration(base, { ...base, args: { ...base.args, ports: ["22", "80"] } }), "types count");
  assert.ok(sameConfiguration({ ...base, args: {} }, { ...base, args: {} }));
});
