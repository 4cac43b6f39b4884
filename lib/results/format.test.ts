import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultColumns, inferFields, previewValue } from "./columns.ts";
import { csvCell, csvRow, fieldValue } from "./csv.ts";
import { indexableJson, MAX_INDEX_DEPTH, TOO_DEEP } from "./indexable.ts";
import { resultScope } from "./access.ts";
import { whereSql } from "./where.ts";

test("CSV cells: quoting, nested values as JSON, no formulas", () => {
  assert.equal(csvCell(undefined), "");
  assert.equal(csvCell(null), "");
  assert.equal(csvCell(8080), "8080");
  assert.equal(csvCell(-5), "-5", "a number is not a formula");
  assert.equal(csvCell(false), "false");
  assert.equal(csvCell("open"), "open");
  assert.equal(csvCell('say "hi", bye'), '"say ""hi"", bye"');
  assert.equal(csvCell("two\nlines"), '"two\nlines"');
  for (const f of ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']) {
    assert.ok(csvCell(f).replace(/^"/, "").startsWith("'"), f);
  }
  assert.equal(csvCell('=cmd|" /C calc"!A0'), `"'=cmd|"" /C calc""!A0"`);
  assert.equal(csvCell({ a: [1, "x"] }), '"{""a"":[1,""x""]}"');
  assert.equal(csvCell(["-x"]), '"[""-x""]"', "JSON text starts with [ or {, never a formula");
  assert.equal(csvRow(["a", 1, null]), "a,1,\r\n");
});

test("field values read through arrays as MongoDB does", () => {
  const doc = { hosts: [{ address: "a", ports: [{ port: 22 }, { port: 80 }] }, { address: "b" }], meta: { n: 1 }, arr: [1, 2] };
  assert.deepEqual(fieldValue(doc, "hosts.address"), ["a", "b"]);
  assert.deepEqual(fieldValue(doc, "hosts.ports"), [[{ port: 22 }, { port: 80 }]]);
  assert.equal(fieldValue(doc, "meta.n"), 1);
  assert.deepEqual(fieldValue(doc, "arr"), [1, 2]);
  assert.equal(fieldValue(doc, "missing"), undefined);
  assert.equal(fieldValue(doc, "meta.toString"), undefined, "own fields only");
  assert.equal(fieldValue(null, "a"), undefined);
});

test("columns are inferred from a page's fields, most common first; previews stay short", () => {
  const docs = [{ b: 1, a: { x: 1, y: 2 } }, { a: { x: 2 }, c: [1] }, { a: 3, _id: {} }, "not an object"];
  const fields = inferFields(docs);
  assert.deepEqual(fields, ["a", "a.x", "b", "a.y", "c"]);
  assert.deepEqual(defaultColumns(fields), ["a", "b", "c"]);
  assert.equal(previewValue("x".repeat(200)).length, 80);
  assert.equal(previewValue([22, 80, 443]), "[3] 22, 80, 443");
  assert.equal(previewValue({ port: 22, state: "open" }), "{port: 22, state: open}");
  assert.equal(previewValue(null), "null");
  assert.equal(previewValue(undefined), "");
  const many = previewValue(Array.from({ length: 1000 }, (_, i) => i));
  assert.ok(many.startsWith("[1000] 0, 1, 2") && many.endsWith("…") && many.length <= 80);
  assert.ok(previewValue({ k: "v".repeat(500), j: 1 }).length <= 80);
  assert.equal(previewValue([{ long: "x".repeat(40) }]), "[1] {…}", "nothing fits: a count, never a dangling comma");
  assert.equal(previewValue({ a: { b: "y".repeat(60) } }, 10), "{a: {…}}");
  assert.equal(previewValue({ a: "y".repeat(60) }, 5), "{…}");
});

test("the index copy: jsonb-safe strings, names as they are, depth capped", () => {
  const { json, bytes } = indexableJson({ "a.b": "x\u0000y", $k: ["\udc00", "\ud83d\ude00"], d: new Date(0), n: Number.NaN });
  assert.equal(json, '{"a.b":"x\uFFFDy","$k":["\uFFFD","\ud83d\ude00"],"d":"1970-01-01T00:00:00.000Z","n":null}');
  assert.equal(bytes, Buffer.byteLength(json));
  let deep: unknown = "bottom";
  for (let i = 0; i < 50_000; i++) deep = { d: deep };
  const parsed = JSON.parse(indexableJson({ deep }).json);
  let cur = parsed.deep;
  let depth = 1; // the document itself
  while (cur && typeof cur === "object") {
    cur = cur.d;
    depth++;
  }
  assert.equal(cur, TOO_DEEP);
  assert.equal(depth, MAX_INDEX_DEPTH, "100 levels of objects, the document included, then the marker");
});

test("the viewer's scope always comes first and is ANDed with everything", () => {
  const mine = resultScope(["p1", "p2"]);
  assert.deepEqual(mine, { all: false, projectIds: ["p1", "p2"] });
  assert.deepEqual(resultScope(null), { all: true });
  assert.deepEqual(resultScope([]), { all: false, projectIds: [] });
  const w = whereSql(mine, { q: "a = 1 or b = 2", coll: "c" }, { after: "10" });
  assert.match(w.sql, /^d\."projectId" = ANY\(\$1::text\[\]\) AND d\."coll" = \$2 AND \(.* OR .*\) AND d\."id" > \$\d+::bigint$/, "a field query gets no id bound");
  assert.deepEqual(w.params[0], ["p1", "p2"]);
  assert.equal(whereSql(resultScope(null), {}).sql, "TRUE");
  const pk = whereSql(mine, { package: "ns.pkg", function: "f", from: new Date(0), to: new Date(1) });
  assert.deepEqual(pk.params, [["p1", "p2"], "ns", "pkg", "f", new Date(0), new Date(1), ["p1", "p2"]]);
  // each project's first and last id, from its own keyset index
  assert.match(
    pk.sql,
    /AND d\."id" BETWEEN \(SELECT min\(b\."id"\) FROM unnest\(\$7::text\[\]\) AS s\("pid"\), LATERAL \(SELECT min\(r\."id"\) AS "id" FROM "ResultDocument" r WHERE r\."projectId" = s\."pid"\) b\) AND \(SELECT max\(b\."id"\) .* r\."projectId" = s\."pid"\) b\)$/,
  );
  const run = whereSql(mine, { run: "r1", coll: "c", q: "a = 1" });
  assert.match(run.sql, /^d\."projectId" = ANY\(\$1::text\[\]\) AND .* AND d\."id" BETWEEN \(SELECT min\(r\."id"\) FROM "ResultDocument" r WHERE r\."runId" = \$\d+\)/, "a run bounds the ids even with a field query");
  // a project filter narrows within the scope, never instead of it
  const one = whereSql(mine, { project: "acme", coll: "c" });
  assert.match(one.sql, /^d\."projectId" = ANY\(\$1::text\[\]\) AND d\."projectId" = \(SELECT pj\."id" FROM "Project" pj WHERE pj\."slug" = \$2\) AND d\."coll" = \$3 AND d\."id" BETWEEN/);
  assert.match(one.sql, /unnest\(ARRAY\[\(SELECT pj\."id" FROM "Project" pj WHERE pj\."slug" = \$4\)\]\) .* r\."coll" = \$5\) b\)/);
  assert.deepEqual(one.params, [["p1", "p2"], "acme", "c", "acme", "c"]);
  // an admin's collection filter bounds by the collection alone
  assert.match(whereSql(resultScope(null), { coll: "c" }).sql, /^d\."coll" = \$1 AND d\."id" BETWEEN \(SELECT min\(r\."id"\) FROM "ResultDocument" r WHERE r\."coll" = \$2\)/);
});

test("the collection tree: `|` segments as nodes, counts summed upwards", async () => {
  const { collectionTree } = await import("./tree.ts");
  const at = "2026-01-01T00:00:00.000Z";
  const tree = collectionTree([
    { coll: "lev|nmap|port_os", documents: 3, bytes: 1, lastAt: at },
    { coll: "lev|nmap", documents: 1, bytes: 1, lastAt: at },
    { coll: "lev|hello|greeting", documents: 2, bytes: 1, lastAt: at },
    { coll: "plain", documents: 5, bytes: 1, lastAt: at },
  ]);
  assert.deepEqual(tree.map((n) => [n.name, n.documents, n.coll]), [["lev", 6, null], ["plain", 5, "plain"]]);
  const lev = tree[0];
  assert.deepEqual(lev.children.map((n) => [n.path, n.documents, n.coll]), [["lev|hello", 2, null], ["lev|nmap", 4, "lev|nmap"]]);
  assert.deepEqual(lev.children[1].children.map((n) => [n.path, n.coll, n.documents]), [["lev|nmap|port_os", "lev|nmap|port_os", 3]]);
});
