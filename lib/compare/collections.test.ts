import assert from "node:assert/strict";
import { test } from "node:test";
import { COMPARE_LIMITS, compareRuns, type SideDocument } from "./collections.ts";

const COLL = "szczecin/nmap_python.port_os@1.0";
const KEYS = [{ schema: COLL, paths: ["target", "hosts[].ip", "hosts[].ports[].port", "hosts[].ports[].protocol"] }];
const scan = (task: number, target: string, ports: number[]): SideDocument => ({
  coll: COLL,
  doc: { _id: { job: task * 100, task }, target, hosts: [{ ip: target, status: "up", ports: ports.map((port) => ({ port, protocol: "tcp", state: "open" })) }] },
});

test("documents match by key, never by task number: a port opened on one target is one change", () => {
  // the tasks ran in another order the second time
  const a = [scan(1, "127.0.0.1", [22]), scan(2, "127.0.0.2", [80])];
  const b = [scan(1, "127.0.0.2", [80]), scan(2, "127.0.0.1", [22, 8080])];
  const d = compareRuns(a, b, KEYS);
  assert.equal(d.collections.length, 1);
  const c = d.collections[0];
  assert.deepEqual(c.keys, KEYS[0].paths);
  assert.equal(c.unchanged, 1);
  assert.deepEqual(c.added, []);
  assert.deepEqual(c.removed, []);
  assert.deepEqual(
    c.changed.map((x) => [x.label, x.changes.map((ch) => `${ch.op} ${ch.path}`)]),
    [["target=127.0.0.1", ["added hosts[ip=127.0.0.1].ports[port=8080,protocol=tcp]"]]],
  );
  assert.deepEqual(d.totals, { new: 1, gone: 0, changed: 0, unchangedDocuments: 1 });
  assert.equal(d.partial, false);
});

test("documents added and removed by key; collections only on one side", () => {
  const d = compareRuns([scan(1, "10.0.0.1", [22]), { coll: "a|x/y.z@1.0", doc: { k: 1 } }], [scan(1, "10.0.0.2", [22]), { coll: "b|x/y.z@1.0", doc: { k: 1 } }], KEYS);
  assert.deepEqual(
    d.collections.map((c) => [c.coll, c.added.map((x) => x.label), c.removed.map((x) => x.label)]),
    [
      ["a|x/y.z@1.0", [], [d.collections[0].removed[0]?.label]],
      ["b|x/y.z@1.0", [d.collections[1].added[0]?.label], []],
      [COLL, ["target=10.0.0.2"], ["target=10.0.0.1"]],
    ],
  );
  assert.match(d.collections[0].removed[0].label, /^document [0-9a-f]{12}$/);
  assert.deepEqual(d.totals, { new: 2, gone: 2, changed: 0, unchangedDocuments: 0 });
});

test("without keys, documents match by content, _id aside", () => {
  const doc = (v: number, task: number): SideDocument => ({ coll: "x/y.z@1.0", doc: { _id: { job: 1, task }, v } });
  const d = compareRuns([doc(1, 1), doc(2, 2)], [doc(2, 9), doc(3, 8)]);
  const c = d.collections[0];
  assert.deepEqual(c.keys, []);
  assert.equal(c.unchanged, 1);
  assert.equal(c.added.length, 1);
  assert.equal(c.removed.length, 1);
  assert.deepEqual(c.added[0].doc.v, 3);
});

test("two documents with the same key pair up in order", () => {
  const d = compareRuns([scan(1, "h", [1]), scan(2, "h", [2])], [scan(1, "h", [1]), scan(2, "h", [3])], KEYS);
  assert.deepEqual(
    d.collections[0].changed.map((x) => [x.label, x.changes.map((ch) => `${ch.op} ${ch.path}`)]),
    [["target=h #2", ["removed hosts[ip=h].ports[port=2,protocol=tcp]", "added hosts[ip=h].ports[port=3,protocol=tcp]"]]],
  );
});

test("a collection over the document cap is not compared and says what it held; others still are", () => {
  const many = Array.from({ length: 4 }, (_, i): SideDocument => ({ coll: "big", doc: { i } }));
  const d = compareRuns([...many, scan(1, "h", [1])], [scan(1, "h", [1, 2])], KEYS, { ...COMPARE_LIMITS, documents: 3 });
  const big = d.collections.find((c) => c.coll === "big")!;
  assert.equal(big.tooLarge, "too large to compare: 4 documents in run A and 0 in run B; at most 3 per run are compared");
  assert.deepEqual([big.added, big.removed, big.changed], [[], [], []]);
  assert.equal(d.totals.new, 1);
  assert.equal(d.partial, true);
});

test("the change budget is shared across documents; what is cut is counted", () => {
  const a = [scan(1, "a", []), scan(2, "b", [])];
  const b = [scan(1, "a", [1, 2, 3]), scan(2, "b", [4, 5, 6])];
  const d = compareRuns(a, b, KEYS, { ...COMPARE_LIMITS, totalChanges: 4 });
  const listed = d.collections[0].changed.reduce((n, x) => n + x.changes.length, 0);
  const omitted = d.collections[0].changed.reduce((n, x) => n + x.omitted, 0);
  assert.equal(listed, 4);
  assert.equal(omitted, 2);
  assert.equal(d.totals.new, 6);
  assert.equal(d.partial, true);
});

test("collections a loader left unread (too many documents) are reported by their counts", () => {
  const d = compareRuns([scan(1, "h", [1])], [scan(1, "h", [1])], KEYS, { ...COMPARE_LIMITS, documents: 10 }, { a: { huge: 50_000 }, b: { huge: 49_000, [COLL]: 1 } });
  assert.deepEqual(
    d.collections.map((c) => [c.coll, c.tooLarge]),
    [
      ["huge", "too large to compare: 50000 documents in run A and 49000 in run B; at most 10 per run are compared"],
      [COLL, null],
    ],
  );
  assert.equal(d.collections[1].unchanged, 1);
  assert.equal(d.partial, true);
});
