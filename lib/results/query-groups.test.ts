/** Element groups (`ports[] {…}`, `$elemMatch`): parsing both forms, their SQL and their hints, the bounds of a chart's field. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../errors.ts";
import { groupsAlong } from "./field-values.ts";
import type { QueryNode } from "./query-ast.ts";
import { parseFieldQuery } from "./query.ts";
import { querySql, SqlParams } from "./query-sql.ts";
import { parsePath } from "./query-text.ts";

const p = (...keys: string[]) => keys.map((k) => (k.endsWith("[]") ? { key: k.slice(0, -2), each: true } : { key: k, each: false }));

function refused(q: string, pattern: RegExp) {
  assert.throws(
    () => parseFieldQuery(q),
    (err: unknown) => err instanceof AppError && err.code === "validation" && pattern.test(err.message) && err.fieldErrors?.q === err.message,
    `expected ${q} to be refused with ${pattern}`,
  );
}

const elem = (path: string[], item: QueryNode): QueryNode => ({ op: "elem", path: p(...path), item });
const cmp = (path: string[], c: "eq" | "ne" | "gt" | "gte" | "lt" | "lte", value: string | number): QueryNode => ({ op: "cmp", path: p(...path), cmp: c, value });

test("element groups in the text form: one item satisfies everything inside; @ is the item", () => {
  assert.deepEqual(
    parseFieldQuery("hosts[].ports[] {port = 22 and state = open}"),
    elem(["hosts[]", "ports[]"], { op: "and", items: [cmp(["port"], "eq", 22), cmp(["state"], "eq", "open")] }),
  );
  assert.deepEqual(parseFieldQuery("tags[]{@ >= 80 and @ < 85}"), elem(["tags[]"], { op: "and", items: [cmp([], "gte", 80), cmp([], "lt", 85)] }), "no spaces needed");
  assert.deepEqual(
    parseFieldQuery("hosts[] {ip = 1.2.3.4 and ports[] {port = 22 and not state = open}} or x = 1"),
    {
      op: "or",
      items: [
        elem(["hosts[]"], {
          op: "and",
          items: [cmp(["ip"], "eq", "1.2.3.4"), elem(["ports[]"], { op: "and", items: [cmp(["port"], "eq", 22), { op: "not", item: cmp(["state"], "eq", "open") }] })],
        }),
        cmp(["x"], "eq", 1),
      ],
    },
  );
  assert.deepEqual(parseFieldQuery("not a[] {(b = 1 or c = 2)}"), { op: "not", item: elem(["a[]"], { op: "or", items: [cmp(["b"], "eq", 1), cmp(["c"], "eq", 2)] }) });
  assert.deepEqual(parseFieldQuery('a = "{x}"'), cmp(["a"], "eq", "{x}"), "braces in a string are text");
});

test("element groups in the text form: every mistake is a 422 naming the position", () => {
  refused("ports {port = 22}", /position 1: an element group follows a list path ending in \[\] \(`ports\[\] \{…\}`\)/);
  refused("hosts[].ports {port = 22}", /`hosts\[\]\.ports\[\] \{…\}`/);
  refused("ports[] {}", /position 10: an element group needs a condition/);
  refused("ports[] {port = 22", /position 19 \(the end\): expected '\}' closing the group opened at position 9/);
  refused("ports[] {port = 22)", /position 19: expected '\}' before '\)'/);
  refused("(ports[] {port = 22)}", /position 20: expected '\}' before '\)'/);
  refused("(a = 1})", /position 7: expected '\)' before '\}'/);
  refused("a = 1 }", /position 7: '\}' without a matching '\{'/);
  refused("@ = 1", /position 1: @ stands for a list's item itself/);
  refused("a[] {@.b = 1}", /'@\.b' is not a field path/);
  refused("a[] {b = 1} {c = 2}", /position 13: expected 'and', 'or'/);
  refused(`${"a[] {".repeat(13)}b = 1${"}".repeat(13)}`, /nested deeper than 12 levels/);
  refused(`a[] {${Array.from({ length: 40 }, (_, i) => `f${i} = 1`).join(" and ")}}`, /more than 40 comparisons/);
});

test("$elemMatch in the JSON form: a query on the items' fields, or operators on the items", () => {
  assert.deepEqual(parseFieldQuery('{"hosts.ports": {"$elemMatch": {"port": 22, "state": "open"}}}'), parseFieldQuery("hosts.ports[] {port = 22 and state = open}"));
  assert.deepEqual(parseFieldQuery('{"hosts[].ports[]": {"$elemMatch": {"port": 22}}}'), parseFieldQuery("hosts[].ports[] {port = 22}"));
  assert.deepEqual(parseFieldQuery('{"tags": {"$elemMatch": {"$gte": 80, "$lt": 85}}}'), parseFieldQuery("tags[] {@ >= 80 and @ < 85}"));
  assert.deepEqual(parseFieldQuery('{"tags": {"$elemMatch": {"$not": {"$gt": 3}}}}'), parseFieldQuery("tags[] {not @ > 3}"), "$not of operators: the operator form");
  assert.deepEqual(parseFieldQuery('{"a": {"$elemMatch": {"$not": {"b": 1}}}}'), parseFieldQuery("a[] {not b = 1}"), "$not of a query: the query form");
  assert.deepEqual(parseFieldQuery('{"a": {"$elemMatch": {"$or": [{"b": 1}, {"c": {"$elemMatch": {"d": 2}}}]}}}'), parseFieldQuery("a[] {b = 1 or c[] {d = 2}}"));
  assert.deepEqual(parseFieldQuery('{"a": {"$not": {"$elemMatch": {"b": 1}}}}'), parseFieldQuery("not a[] {b = 1}"));
  refused('{"a": {"$elemMatch": 1}}', /\$\.a\.\$elemMatch: \$elemMatch takes a query on the items' fields/);
  refused('{"a": {"$elemMatch": {}}}', /\$\.a\.\$elemMatch: \$elemMatch takes/);
  refused('{"a": {"$elemMatch": {"b": 1, "$gt": 2}}}', /\$\.a\.\$elemMatch\.\$gt: \$elemMatch takes a query on the items' fields or operators on the items themselves, not both/);
  refused('{"a": {"$elemMatch": {"$elemMatch": {"$gt": 1}}}}', /\$\.a\.\$elemMatch\.\$elemMatch: \$elemMatch applies to a field/);
  refused('{"a": {"$elemMatch": {"b": {"$where": "1"}}}}', /\$\.a\.\$elemMatch\.b\.\$where: operator \$where is not allowed/);
  refused('{"a": {"$elemMatch": {"$where": "1"}}}', /\$\.a\.\$elemMatch\.\$where: operator \$where is not allowed here/);
});

test("every case of the MongoDB table parses, and its two forms compile to the same SQL", async () => {
  const { QUERY_CASES } = await import("./query-cases.ts");
  const compiled = (q: string) => {
    const params = new SqlParams();
    return { sql: querySql(parseFieldQuery(q), params), params: params.values };
  };
  for (const c of QUERY_CASES) {
    assert.ok(c.text || c.json, c.what);
    // `hosts[].ports` and `hosts.ports` differ only in a mark lax mode does not need
    if (c.text && c.json) assert.deepEqual(compiled(c.text), compiled(c.json), c.what);
    else compiled((c.text ?? c.json)!);
  }
});

test("SQL: an element group is an EXISTS over the items of the list, its values parameters", () => {
  const params = new SqlParams();
  const sql = querySql(parseFieldQuery("hosts[] {ip = x and ports[] {port = 22 and state ~ op}}"), params);
  assert.ok(!/"x"|22|'op'/.test(sql), "no value in the SQL text");
  assert.match(sql, /EXISTS \(SELECT 1 FROM jsonb_path_query\(doc, \$\d+::jsonpath\) AS e0_l\(v\) CROSS JOIN LATERAL jsonb_array_elements\(CASE WHEN jsonb_typeof\(e0_l\.v\) = 'array' THEN e0_l\.v ELSE '\[\]'::jsonb END\) AS e0\(x\) WHERE/);
  assert.match(sql, /jsonb_path_query\(e0\.x, \$\d+::jsonpath\) AS e1_l\(v\)/, "the inner group reads the outer item");
  assert.match(sql, /jsonb_path_exists\(e1\.x, /);
  assert.ok(params.values.includes('$."hosts"') && params.values.includes('$."ports"'));
  const itself = new SqlParams();
  querySql(parseFieldQuery("tags[] {@ >= 80}"), itself);
  assert.ok(itself.values.includes("strict $ ? (@ >= $v)"), "the item itself, not read through");
});

test("SQL: a group is one jsonpath when every condition inside can be one, its values variables", () => {
  const jsonpathOf = (q: string) => {
    const params = new SqlParams();
    const sql = querySql(parseFieldQuery(q), params);
    const i = params.values.findIndex((v) => typeof v === "string" && v.startsWith("$") && v.includes("[*] ?"));
    return { sql, path: params.values[i] as string | undefined, vars: params.values[i + 1] };
  };
  assert.deepEqual(jsonpathOf("hosts[].ports[] {port = 22 and state = open}").path, '$."hosts" ? (@."ports".type() == "array")."ports"[*] ? ((exists(@."port" ? (@.type() != "array" && (@ == $v0))) && exists(@."state" ? (@.type() != "array" && (@ == $v1)))))');
  assert.equal(jsonpathOf("hosts[].ports[] {port = 22 and state = open}").vars, '{"v0":22,"v1":"open"}');
  assert.equal(
    jsonpathOf("tags[] {x != 1 or y exists or not (z < 2 or w[] {v = 3})}").path,
    '$ ? (@."tags".type() == "array")."tags"[*] ? ((!(exists(@."x" ? (@.type() != "array" && (@ == $v0)))) || exists(@."y") || !((exists(@."z" ? (@.type() != "array" && (@ < $v1))) || exists(@ ? (@."w".type() == "array")."w"[*] ? (exists(@."v" ? (@.type() != "array" && (@ == $v2)))))))))',
  );
  assert.equal(jsonpathOf('{"a.b": {"$elemMatch": {"c": {"$nin": [1, "x"]}, "d": {"$exists": false}}}}').path, '$."a" ? (@."b".type() == "array")."b"[*] ? ((!(exists(@."c" ? (@.type() != "array" && (@ == $v0 || @ == $v1)))) && !(exists(@."d"))))');
  // the item itself, a substring, a $regex: the EXISTS over the items instead
  for (const q of ["tags[] {@ = 1}", "tags[] {x ~ y}", '{"tags": {"$elemMatch": {"x": {"$regex": "^y"}}}}', "a[] {b = 1 and c[] {@ > 2}}"]) {
    assert.match(querySql(parseFieldQuery(q), new SqlParams()), /^(\(.*\) AND )?EXISTS \(SELECT 1 FROM jsonb_path_query/, q);
  }
  // an outer group that can be one jsonpath around one that cannot: the inner one falls back inside the outer EXISTS
  assert.match(querySql(parseFieldQuery("a[] {b ~ x and c[] {d = 1}}"), new SqlParams()), /EXISTS \(SELECT 1 FROM .* AS e0\(x\) WHERE \(EXISTS .* AND jsonb_path_exists\(e0\.x, /);
});

test("SQL: a group's equalities hint with the item's whole shape, within one item", () => {
  const params = new SqlParams();
  const sql = querySql(parseFieldQuery("hosts[].ports[] {port = 22 and state = open} and target = t"), params);
  const hints = params.values.filter((v): v is string => typeof v === "string" && v.startsWith("{")).map((v) => JSON.parse(v));
  const sorted = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
  assert.deepEqual(sorted(hints.slice(0, 8)), sorted([
    { hosts: { ports: [{ port: 22, state: "open" }] } },
    { hosts: { ports: [{ port: 22, state: ["open"] }] } },
    { hosts: { ports: [{ port: [22], state: "open" }] } },
    { hosts: { ports: [{ port: [22], state: ["open"] }] } },
    { hosts: [{ ports: [{ port: 22, state: "open" }] }] },
    { hosts: [{ ports: [{ port: 22, state: ["open"] }] }] },
    { hosts: [{ ports: [{ port: [22], state: "open" }] }] },
    { hosts: [{ ports: [{ port: [22], state: ["open"] }] }] },
  ]));
  assert.deepEqual(hints.slice(8, 10), [{ target: "t" }, { target: ["t"] }]);
  assert.equal((sql.match(/@>/g) ?? []).length, 10);
  const count = (q: string) => (querySql(parseFieldQuery(q), new SqlParams()).match(/@>/g) ?? []).length;
  assert.equal(count("tags[] {@ = x and @ != y}"), 1, "an item that is the value itself");
  assert.equal(count("tags[] {@ = x and @ = y}"), 0, "no item is both: no shape");
  assert.deepEqual(
    (() => {
      const pp = new SqlParams();
      querySql(parseFieldQuery("tags[] {@ = 80}"), pp);
      return pp.values.find((v) => typeof v === "string" && v.startsWith("{"));
    })(),
    '{"tags":[80]}',
  );
  assert.equal(count("hosts[] {ip = x and ports[] {port = 22 and state = open}}"), 8, "a nested group inside the outer item's shape");
  assert.equal(count("a[] {b = 1 and c = 2 and d = 3 and e = 4}"), 8, "conjuncts past the variant budget are left out");
  assert.equal(count("a[] {b > 1}"), 0, "no equality: no hint");
  assert.equal(count("a[] {b = 1 or c = 2}"), 0);
  assert.equal(count("not a[] {b = 1}"), 0);
  assert.equal(count("a.b.c[] {d = 1}"), 8);
  assert.equal(count("a.b.c.d[] {e = 1}"), 0, "past the variant budget: no hint");
  assert.equal(count("a[] {b = 1 and b = 2}"), 1, "two values of one field: only as a list (scalars conflict)");
});

test("a chart's field is bounded by the groups of the filter's conjunction on its lists", () => {
  const bounds = (q: string | null, field: string) => groupsAlong(q ? parseFieldQuery(q) : null, parsePath(field, "field")).map((b) => [b.at, b.item]);
  const open = cmp(["state"], "eq", "open");
  assert.deepEqual(bounds("hosts[].ports[] {state = open}", "hosts[].ports[].port"), [[2, open]]);
  assert.deepEqual(bounds("hosts[].ports[] {state = open}", "hosts.ports.port"), [[2, open]], "marks or not, the same list");
  assert.deepEqual(bounds("tags[] {@ > 1}", "tags"), [[1, cmp([], "gt", 1)]], "the list itself: its items");
  assert.deepEqual(bounds("x = 1 and hosts[].ports[] {state = open}", "hosts.ip"), [], "a group deeper than the field bounds nothing");
  assert.deepEqual(bounds("hosts[].ports[] {state = open}", "hosts.names.name"), []);
  assert.deepEqual(bounds("hosts[].ports[] {state = open} or x = 1", "hosts.ports.port"), [], "under or: no bound");
  assert.deepEqual(bounds("not hosts[].ports[] {state = open}", "hosts.ports.port"), [], "under not: no bound");
  assert.deepEqual(bounds(null, "hosts.ports.port"), []);
  const inner = elem(["ports[]"], open);
  const outer = { op: "and", items: [cmp(["ip"], "eq", "x"), inner] } as QueryNode;
  assert.deepEqual(bounds("hosts[] {ip = x and ports[] {state = open}}", "hosts.ports.port"), [
    [1, outer],
    [2, open],
  ], "nested: the host, then its ports");
  assert.deepEqual(bounds("(a[] {b = 1} and a[] {c = 2}) and z = 0", "a.d"), [
    [1, cmp(["b"], "eq", 1)],
    [1, cmp(["c"], "eq", 2)],
  ], "two groups on one list both apply");
});
