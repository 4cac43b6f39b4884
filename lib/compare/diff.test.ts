import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson, contentHash } from "./canonical.ts";
import { DIFF_LIMITS, diffDocuments, itemKey } from "./diff.ts";
import { collectionSchema, keyPathProblems, keyPathsFor, keyPlan } from "./key-paths.ts";

const NMAP_KEYS = ["target", "hosts[].ip", "hosts[].ports[].port", "hosts[].ports[].protocol"];
const port = (n: number, extra: Record<string, unknown> = {}) => ({ port: n, protocol: "tcp", state: "open", service: "http", ...extra });
const scan = (ports: unknown[], more: Record<string, unknown> = {}) => ({
  _id: { job: 7, task: 1 },
  target: "127.0.0.1",
  hosts: [{ ip: "127.0.0.1", hostnames: ["localhost"], status: "up", ports, ...more }],
});

test("canonical JSON ignores key order and hashes stably", () => {
  assert.equal(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] }), canonicalJson({ a: [{ x: 1, y: 2 }], b: 1 }));
  assert.equal(canonicalJson({ a: undefined, n: Number.NaN, big: BigInt(2) }), '{"a":null,"big":"2","n":"NaN"}');
  assert.equal(canonicalJson(new Date(0)), JSON.stringify("1970-01-01T00:00:00.000Z"));
  assert.equal(contentHash({ a: 1, b: 2 }), contentHash({ b: 2, a: 1 }));
  assert.notEqual(contentHash({ a: 1 }), contentHash({ a: "1" }));
});

test("key paths: parsed into a document key and keys per array; bad ones are explained", () => {
  const plan = keyPlan(NMAP_KEYS);
  assert.deepEqual(plan.document, [["target"]]);
  assert.deepEqual([...plan.arrays], [
    ["hosts[]", [["ip"]]],
    ["hosts[].ports[]", [["port"], ["protocol"]]],
  ]);
  assert.deepEqual(keyPlan(["a[].b.c"]).arrays.get("a[]"), [["b", "c"]]);
  assert.deepEqual(keyPathProblems(NMAP_KEYS), []);
  for (const bad of ["", "hosts[]", "hosts..ip", "a b", "hosts[x].ip", 3]) assert.equal(keyPathProblems([bad]).length, 1, String(bad));
  assert.deepEqual(keyPathProblems("target"), ["key paths are a list of strings"]);
  assert.equal(keyPathProblems(Array.from({ length: 33 }, (_, i) => `f${i}`)).length, 1);
  assert.deepEqual(keyPlan(["hosts[]", "ok"]).document, [["ok"]], "a bad path is skipped, not fatal");
});

test("key paths are found by the collection's schema, exactly or without its version", () => {
  const declared = [{ schema: "s/n.port_os@1.0", paths: ["a"] }, { schema: "s/n.alive", paths: ["b"] }];
  assert.equal(collectionSchema("demo2|demo1|s/n.port_os@1.0"), "s/n.port_os@1.0");
  assert.deepEqual(keyPathsFor("demo1|s/n.port_os@1.0", declared), ["a"]);
  assert.deepEqual(keyPathsFor("s/n.alive@2.1", declared), ["b"]);
  assert.deepEqual(keyPathsFor("s/n.port_os@2.0", declared), []);
  assert.deepEqual(keyPathsFor("s/n.other@1.0", declared), []);
});

test("itemKey: every key field present, shown as name=value", () => {
  assert.deepEqual(itemKey({ port: 80, protocol: "tcp" }, [["port"], ["protocol"]]), { id: '[80,"tcp"]', label: "port=80,protocol=tcp" });
  assert.equal(itemKey({ port: 80 }, [["port"], ["protocol"]]), null);
  assert.equal(itemKey("80", [["port"]]), null);
  assert.equal(itemKey({ port: 80 }, []), null);
});

test("a port opened on a keyed host is ONE change: an item added at hosts[ip=…].ports[port=…]", () => {
  const a = scan([port(22, { service: "ssh" })]);
  const b = scan([port(22, { service: "ssh" }), port(8080)]);
  const d = diffDocuments(a, b, keyPlan(NMAP_KEYS));
  assert.deepEqual(d.changes, [{ op: "added", path: "hosts[ip=127.0.0.1].ports[port=8080,protocol=tcp]", after: port(8080) }]);
  assert.deepEqual(d.counts, { added: 1, removed: 0, changed: 0 });
  const back = diffDocuments(b, a, keyPlan(NMAP_KEYS));
  assert.deepEqual(back.changes, [{ op: "removed", path: "hosts[ip=127.0.0.1].ports[port=8080,protocol=tcp]", before: port(8080) }]);
});

test("a keyed item that changed is diffed field by field", () => {
  const d = diffDocuments(scan([port(80, { state: "open" })]), scan([port(80, { state: "filtered" })]), keyPlan(NMAP_KEYS));
  assert.deepEqual(d.changes, [{ op: "changed", path: "hosts[ip=127.0.0.1].ports[port=80,protocol=tcp].state", before: "open", after: "filtered" }]);
});

test("moved array items are not changes, keyed or not", () => {
  const a = scan([port(22), port(80), port(443)], { hostnames: ["a", "b"] });
  const b = scan([port(443), port(22), port(80)], { hostnames: ["b", "a"] });
  assert.deepEqual(diffDocuments(a, b, keyPlan(NMAP_KEYS)).changes, []);
  assert.deepEqual(diffDocuments(a, b, keyPlan([])).changes, []);
});

test("without keys, array items match by content: a changed item is one removed and one added", () => {
  const d = diffDocuments(scan([port(80)]), scan([port(80, { state: "closed" })]), keyPlan([]));
  assert.deepEqual(
    d.changes.map((c) => [c.op, c.path]),
    [
      ["removed", "hosts[]"],
      ["added", "hosts[]"],
    ],
  );
  const scalars = diffDocuments({ tags: ["a", "b"] }, { tags: ["b", "c"] }, keyPlan([]));
  assert.deepEqual(scalars.changes, [
    { op: "removed", path: "tags[]", before: "a" },
    { op: "added", path: "tags[]", after: "c" },
  ]);
});

test("duplicates pair up in order: one more copy is one item added", () => {
  assert.deepEqual(diffDocuments({ t: ["x", "x"] }, { t: ["x", "x", "x"] }, keyPlan([])).changes, [{ op: "added", path: "t[]", after: "x" }]);
  const dup = diffDocuments({ p: [{ port: 1, v: "a" }, { port: 1, v: "b" }] }, { p: [{ port: 1, v: "a" }, { port: 1, v: "c" }] }, keyPlan(["p[].port"]));
  assert.deepEqual(dup.changes, [{ op: "changed", path: "p[port=1 #2].v", before: "b", after: "c" }]);
});

test("items lacking a key field fall back to content matching", () => {
  const d = diffDocuments({ p: [{ port: 1 }, { name: "x" }] }, { p: [{ port: 1 }, { name: "y" }] }, keyPlan(["p[].port"]));
  assert.deepEqual(
    d.changes.map((c) => [c.op, c.path]),
    [
      ["removed", "p[]"],
      ["added", "p[]"],
    ],
  );
});

test("fields added and removed, type changes, nulls, and _id never compared", () => {
  const d = diffDocuments(
    { _id: { job: 1, task: 1 }, gone: 1, n: 1, o: { a: 1 }, z: null, arr: [1], nested: { deep: { x: 1 } } },
    { _id: { job: 2, task: 5 }, fresh: true, n: "1", o: [1], z: 0, arr: { 0: 1 }, nested: { deep: { x: null } } },
    keyPlan([]),
  );
  assert.deepEqual(d.changes, [
    { op: "changed", path: "arr", before: [1], after: { 0: 1 } },
    { op: "added", path: "fresh", after: true },
    { op: "removed", path: "gone", before: 1 },
    { op: "changed", path: "n", before: 1, after: "1" },
    { op: "changed", path: "nested.deep.x", before: 1, after: null },
    { op: "changed", path: "o", before: { a: 1 }, after: [1] },
    { op: "changed", path: "z", before: null, after: 0 },
  ]);
  assert.deepEqual(diffDocuments({ _id: 1, a: 1 }, { _id: 2, a: 1 }, keyPlan([])).changes, []);
});

test("caps: depth, array size and the number of listed changes, each with a note", () => {
  let a: unknown = 1;
  let b: unknown = 2;
  for (let i = 0; i < 40; i++) {
    a = { n: a };
    b = { n: b };
  }
  const deep = diffDocuments({ v: a }, { v: b }, keyPlan([]));
  assert.equal(deep.changes.length, 1);
  assert.equal(deep.changes[0].path.split(".").length, DIFF_LIMITS.depth);
  assert.match(deep.notes[0], /nested deeper than 32 levels, compared as a whole/);

  const big = diffDocuments({ xs: Array.from({ length: 6 }, (_, i) => i) }, { xs: [0] }, keyPlan([]), { depth: 32, arrayItems: 5, changes: 100 });
  assert.deepEqual(big.changes.map((c) => [c.op, c.path]), [["changed", "xs"]]);
  assert.match(big.notes[0], /xs: more than 5 items, compared as a whole/);

  const many = diffDocuments({}, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, i])), keyPlan([]), { depth: 32, arrayItems: 5, changes: 3 });
  assert.equal(many.changes.length, 3);
  assert.equal(many.omitted, 7);
  assert.deepEqual(many.counts, { added: 10, removed: 0, changed: 0 });
});

test("composite keys keep their field order", () => {
  assert.notEqual(itemKey({ a: 1, b: 2 }, [["a"], ["b"]])?.id, itemKey({ a: 2, b: 1 }, [["a"], ["b"]])?.id);
});
