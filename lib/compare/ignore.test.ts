import assert from "node:assert/strict";
import { test } from "node:test";
import { COMPARE_LIMITS, compareRuns, type SideDocument } from "./collections.ts";
import { ignoreList, ignoreProblems, keysOutside, withoutFields } from "./ignore.ts";

test("an ignored field is dropped in every item of the lists on its way, marked or not", () => {
  const doc = { target: "t", hosts: [{ ip: "a", os: [{ name: "Linux 5" }] }, { ip: "b" }, { ip: "c", os: "x", ports: [{ os: 1 }] }], os: "top" };
  const want = { target: "t", hosts: [{ ip: "a" }, { ip: "b" }, { ip: "c", ports: [{ os: 1 }] }], os: "top" };
  assert.deepEqual(withoutFields(doc, ["hosts[].os"]), want);
  assert.deepEqual(withoutFields(doc, ["hosts.os"]), want);
  assert.deepEqual(withoutFields(doc, ["hosts[].ports[].os", "os"]), { target: "t", hosts: [{ ip: "a", os: [{ name: "Linux 5" }] }, { ip: "b" }, { ip: "c", os: "x", ports: [{}] }] });
  assert.deepEqual(withoutFields(doc, ["hosts.os.name"]), { ...doc, hosts: [{ ip: "a", os: [{}] }, { ip: "b" }, { ip: "c", os: "x", ports: [{ os: 1 }] }] });
  assert.deepEqual(withoutFields({ a: [[{ b: 1, c: 2 }]] }, ["a.b"]), { a: [[{ c: 2 }]] }, "lists in lists too");
  assert.deepEqual(doc.hosts[0].os, [{ name: "Linux 5" }], "the document itself is not changed");
  assert.equal(withoutFields(doc, ["nothing.here"]), doc, "nothing to drop: the same object");
  assert.equal(withoutFields(doc, ["hosts[].nothing"]), doc);
  const proto = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as Record<string, unknown>;
  assert.deepEqual(Object.keys(withoutFields(proto, ["y"])), ["__proto__"], "a field named __proto__ stays a field");
  assert.deepEqual(withoutFields(proto, ["__proto__"]), { y: 2 });
});

test("the ignore list: its grammar, its query-parameter form, the keys it leaves", () => {
  assert.deepEqual(ignoreList(" hosts[].os, scanned_at,,hosts[].os "), ["hosts[].os", "scanned_at"]);
  assert.deepEqual(ignoreList(""), []);
  assert.deepEqual(ignoreProblems(["hosts[].os", "a.b"]), []);
  assert.deepEqual(ignoreProblems(["hosts[]"]), ["ignored field 'hosts[]': write fields separated by '.', arrays as 'name[]', ending in a field ('hosts[].ports[].port')"]);
  assert.equal(ignoreProblems(["a..b", "a b", ""]).length, 3);
  assert.deepEqual(ignoreProblems(Array.from({ length: 33 }, (_, i) => `f${i}`)), ["at most 32 ignored fields per schema"]);
  assert.deepEqual(keysOutside(["target", "hosts[].ip", "hosts[].os[].name", "hosts[].oss"], ["hosts.os"]), ["target", "hosts[].ip", "hosts[].oss"]);
  assert.deepEqual(keysOutside(["target", "hosts[].ip"], ["hosts"]), ["target"]);
});

const COLL = "szczecin/nmap_python.port_os@1.0";
const KEYS = [{ schema: COLL, paths: ["target", "hosts[].ip", "hosts[].ports[].port", "hosts[].os[].name"], ignore: ["hosts[].os"] }];
const scan = (target: string, os: string[], ports: number[], extra: Record<string, unknown> = {}): SideDocument => ({
  coll: COLL,
  doc: { target, hosts: [{ ip: target, os: os.map((name) => ({ name, accuracy: 90 })), ports: ports.map((port) => ({ port, state: "open" })) }], ...extra },
});

test("a comparison leaves out the fields the package ignores, and says so", () => {
  // the issue: an unchanged target, nmap's OS guesses shifted
  const a = [scan("10.0.0.1", ["Linux 4.15", "Linux 5.0"], [22])];
  const b = [scan("10.0.0.1", ["Linux 5.4"], [22])];
  const quiet = compareRuns(a, b, KEYS);
  assert.deepEqual(quiet.totals, { new: 0, gone: 0, changed: 0, unchangedDocuments: 1 });
  assert.deepEqual(quiet.collections[0].ignored, ["hosts[].os"]);
  assert.deepEqual(quiet.collections[0].keys, ["target", "hosts[].ip", "hosts[].ports[].port"], "a key under an ignored field is not used");
  // what the issue saw without it: the guesses as new, gone and changed
  const noisy = compareRuns(a, b, KEYS, COMPARE_LIMITS, { a: {}, b: {} }, []);
  assert.deepEqual(noisy.collections[0].ignored, []);
  assert.notDeepEqual(noisy.totals, quiet.totals);
  assert.ok(noisy.totals.new + noisy.totals.gone + noisy.totals.changed > 0);
  // a real change is still one change, and a new document is shown whole, its ignored fields too
  const opened = compareRuns(a, [scan("10.0.0.1", ["Linux 5.4"], [22, 80]), scan("10.0.0.2", ["BSD"], [])], KEYS);
  assert.deepEqual(opened.totals, { new: 2, gone: 0, changed: 0, unchangedDocuments: 0 });
  assert.deepEqual(opened.collections[0].changed[0].changes.map((c) => `${c.op} ${c.path}`), ["added hosts[ip=10.0.0.1].ports[port=80]"]);
  assert.deepEqual((opened.collections[0].added[0].doc.hosts as { os: unknown }[])[0].os, [{ name: "BSD", accuracy: 90 }]);
});

test("an ignore list asked for replaces the declared one, in every collection", () => {
  const a = [scan("h", ["x"], [22], { scannedAt: 1 }), { coll: "other/p.s@1.0", doc: { k: 1, scannedAt: 1 } }];
  const b = [scan("h", ["y"], [22], { scannedAt: 2 }), { coll: "other/p.s@1.0", doc: { k: 1, scannedAt: 2 } }];
  const d = compareRuns(a, b, KEYS, COMPARE_LIMITS, { a: {}, b: {} }, ["scannedAt"]);
  assert.deepEqual(d.collections.map((c) => [c.coll, c.ignored]), [
    ["other/p.s@1.0", ["scannedAt"]],
    [COLL, ["scannedAt"]],
  ]);
  assert.equal(d.collections[0].unchanged, 1, "without keys, matched by content without the ignored field");
  assert.deepEqual(d.collections[1].keys, KEYS[0].paths, "hosts[].os is compared again, so it keys again");
  assert.ok(d.collections[1].changed[0].changes.every((c) => c.path.startsWith("hosts[ip=h].os")), JSON.stringify(d.collections[1].changed));
  const declared = compareRuns(a, b, KEYS);
  assert.deepEqual(declared.collections.map((c) => c.ignored), [[], ["hosts[].os"]], "a schema without a declaration ignores nothing");
});
