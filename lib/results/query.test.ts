import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../errors.ts";
import { QUERY_LIMITS } from "../schemas/results.ts";
import type { QueryNode } from "./query-ast.ts";
import { parseFieldQuery } from "./query.ts";
import { containmentVariants, jsonPath, querySql, SqlParams } from "./query-sql.ts";

const p = (...keys: string[]) => keys.map((k) => (k.endsWith("[]") ? { key: k.slice(0, -2), each: true } : { key: k, each: false }));

function refused(q: string, pattern: RegExp) {
  assert.throws(
    () => parseFieldQuery(q),
    (err: unknown) => err instanceof AppError && err.code === "validation" && pattern.test(err.message) && err.fieldErrors?.q === err.message,
    `expected ${q} to be refused with ${pattern}`,
  );
}

test("the text form: comparisons, values and paths", () => {
  assert.deepEqual(parseFieldQuery("ports.port = 8080"), { op: "cmp", path: p("ports", "port"), cmp: "eq", value: 8080 });
  assert.deepEqual(parseFieldQuery('state = "open"'), { op: "cmp", path: p("state"), cmp: "eq", value: "open" });
  assert.deepEqual(parseFieldQuery("state != open"), { op: "cmp", path: p("state"), cmp: "ne", value: "open" });
  assert.deepEqual(parseFieldQuery("service ~ http"), { op: "cmp", path: p("service"), cmp: "contains", value: "http" });
  assert.deepEqual(parseFieldQuery('hosts[].address = "127.0.0.1"'), { op: "cmp", path: p("hosts[]", "address"), cmp: "eq", value: "127.0.0.1" });
  assert.deepEqual(parseFieldQuery("address = 127.0.0.1"), { op: "cmp", path: p("address"), cmp: "eq", value: "127.0.0.1" }, "not a number: a string");
  assert.deepEqual(parseFieldQuery("ttl <= -1.5e2"), { op: "cmp", path: p("ttl"), cmp: "lte", value: -150 });
  assert.deepEqual(parseFieldQuery("up = TRUE"), { op: "cmp", path: p("up"), cmp: "eq", value: true });
  assert.deepEqual(parseFieldQuery("x = null"), { op: "cmp", path: p("x"), cmp: "eq", value: null });
  assert.deepEqual(parseFieldQuery('x = "null"'), { op: "cmp", path: p("x"), cmp: "eq", value: "null" }, "a quoted keyword stays a string");
  assert.deepEqual(parseFieldQuery("banner exists"), { op: "cmp", path: p("banner"), cmp: "exists", value: true });
  assert.deepEqual(parseFieldQuery('s = "a \\"q\\" \\u00e9"'), { op: "cmp", path: p("s"), cmp: "eq", value: 'a "q" é' });
  for (const [op, cmp] of [["<", "lt"], ["<=", "lte"], [">", "gt"], [">=", "gte"]] as const) {
    assert.deepEqual(parseFieldQuery(`n ${op} 3`), { op: "cmp", path: p("n"), cmp, value: 3 });
    assert.deepEqual(parseFieldQuery(`n${op}3`), { op: "cmp", path: p("n"), cmp, value: 3 }, "no spaces needed");
  }
});

test("the text form: and binds tighter than or; not and parentheses", () => {
  const a: QueryNode = { op: "cmp", path: p("a"), cmp: "eq", value: 1 };
  const b: QueryNode = { op: "cmp", path: p("b"), cmp: "eq", value: 2 };
  const c: QueryNode = { op: "cmp", path: p("c"), cmp: "eq", value: 3 };
  assert.deepEqual(parseFieldQuery("a = 1 or b = 2 and c = 3"), { op: "or", items: [a, { op: "and", items: [b, c] }] });
  assert.deepEqual(parseFieldQuery("(a = 1 OR b = 2) And c = 3"), { op: "and", items: [{ op: "or", items: [a, b] }, c] });
  assert.deepEqual(parseFieldQuery("not a = 1"), { op: "not", item: a });
  assert.deepEqual(parseFieldQuery("not (a = 1 or b = 2)"), { op: "not", item: { op: "or", items: [a, b] } });
});

test("the text form: every mistake is a 422 naming the position", () => {
  refused("", /position 1: the query is empty/);
  refused("a =", /position 4 \(the end\): expected a value after '='/);
  refused("a = 1 and", /position 10 \(the end\): expected a comparison/);
  refused("(a = 1", /position 7 \(the end\): expected '\)'/);
  refused("a = 1)", /position 6: '\)' without a matching '\('/);
  refused("a b", /position 3: expected an operator/);
  refused("a = 1 b = 2", /position 7: expected 'and', 'or'/);
  refused('a = "open', /position 5: a string is not closed/);
  refused('a = "\\x"', /position 5: a string has an invalid escape/);
  refused("a ~ 5", /~ looks for text/);
  refused("and = 1", /position 1: expected a field path/);
  refused("= 1", /position 1: expected a field path/);
  refused("a..b = 1", /'a\.\.b' is not a field path/);
  refused("a[0] = 1", /not a field path/);
  refused("n = 1e999", /a number is out of range/);
  refused(`s = "${"x".repeat(QUERY_LIMITS.stringLength + 1)}"`, /longer than 500 characters/);
  refused("a = 1 and ".repeat(300) + "a = 1", /longer than 2000 characters/);
  refused("(".repeat(20) + "a = 1" + ")".repeat(20), /nested deeper than 12 levels/);
  refused(Array.from({ length: 41 }, (_, i) => `f${i} = 1`).join(" and "), /more than 40 comparisons/);
  refused(`${Array.from({ length: 17 }, () => "a").join(".")} = 1`, /more than 16 parts/);
});

test("the text form: injection attempts never reach a path", () => {
  for (const path of ['a"', "a'", "a\\b", "a)", "a$", "a@", "a;drop", "a\u0000", "a b", 'x."y"', "$where", "a.*", "a[*]", "ä"]) {
    assert.throws(() => parseFieldQuery(`${path} = 1`), AppError, path);
  }
  // values are data: anything at all becomes one parameter
  const evil = `'); DROP TABLE "ResultDocument"; -- $v @ == "x" || true`;
  const node = parseFieldQuery(`name = ${JSON.stringify(evil)}`);
  const params = new SqlParams();
  const sql = querySql(node, params);
  assert.ok(!sql.includes("DROP") && !sql.includes("'); "), sql);
  assert.ok(params.values.some((v) => typeof v === "string" && v.includes(JSON.stringify(evil))));
});

test("the JSON form: read-only operators compile to the same form as the text", () => {
  assert.deepEqual(parseFieldQuery('{"ports.port": 8080, "state": "open"}'), parseFieldQuery('ports.port = 8080 and state = "open"'));
  assert.deepEqual(parseFieldQuery('{"hosts[].address": {"$eq": "127.0.0.1"}}'), parseFieldQuery('hosts[].address = "127.0.0.1"'));
  assert.deepEqual(parseFieldQuery('{"$or": [{"a": 1}, {"b": {"$gt": 2}}]}'), parseFieldQuery("a = 1 or b > 2"));
  assert.deepEqual(parseFieldQuery('{"$not": {"a": {"$exists": true}}}'), parseFieldQuery("not a exists"));
  assert.deepEqual(parseFieldQuery('{"a": {"$not": {"$lt": 3}}}'), parseFieldQuery("not a < 3"));
  assert.deepEqual(parseFieldQuery('{"a": {"$gte": 1, "$lte": 5}}'), parseFieldQuery("a >= 1 and a <= 5"));
  assert.deepEqual(parseFieldQuery('{"$and": [{"a": {"$ne": null}}]}'), { op: "and", items: [{ op: "cmp", path: p("a"), cmp: "ne", value: null }] });
  assert.deepEqual(parseFieldQuery('{"a": {"$in": ["x", 2, true]}}'), { op: "cmp", path: p("a"), cmp: "in", value: ["x", 2, true] });
  assert.deepEqual(parseFieldQuery('{"a": {"$nin": [1]}}'), { op: "cmp", path: p("a"), cmp: "nin", value: [1] });
  assert.deepEqual(parseFieldQuery('{"a": {"$exists": false}}'), { op: "cmp", path: p("a"), cmp: "exists", value: false });
  assert.deepEqual(parseFieldQuery('{"svc": {"$regex": "^http", "$options": "i"}}'), { op: "cmp", path: p("svc"), cmp: "regex", value: "^http", caseInsensitive: true });
  assert.deepEqual(parseFieldQuery('  {"svc": {"$regex": "^ssh"}}'), { op: "cmp", path: p("svc"), cmp: "regex", value: "^ssh", caseInsensitive: false });
});

test("the JSON form: anything but read-only operators is a 422 naming where", () => {
  refused('{"$where": "sleep(1000)"}', /\$\.\$where: operator \$where is not allowed/);
  refused('{"a": {"$function": {"body": "x"}}}', /\$\.a\.\$function: operator \$function is not allowed/);
  refused('{"$expr": {"$eq": [1, 1]}}', /\$\.\$expr: operator \$expr/);
  refused('{"$or": [{"a": 1}, {"b": {"$accumulator": 1}}]}', /\$\.\$or\[1\]\.b\.\$accumulator/);
  refused('{"a": {"b": 1}}', /\$\.a: give a value or an object of operators/);
  refused('{"a": [1, 2]}', /\$\.a: compare with a string, number/);
  refused('{"a": {"$in": 1}}', /\$in takes a non-empty array/);
  refused('{"a": {"$in": []}}', /\$in takes a non-empty array/);
  refused(`{"a": {"$in": [${Array.from({ length: 101 }, (_, i) => i).join(",")}]}}`, /at most 100 values/);
  refused('{"a": {"$in": [{"x": 1}]}}', /\$\.a\.\$in\[0\]: compare with/);
  refused('{"a": {"$exists": 1}}', /\$exists takes true or false/);
  refused('{"a": {"$regex": "http"}}', /must be anchored with \^/);
  refused('{"a": {"$regex": 5}}', /\$regex takes a string/);
  refused(`{"a": {"$regex": "^${"a".repeat(100)}"}}`, /longer than 100 characters/);
  refused('{"a": {"$regex": "^a", "$options": "s"}}', /\$\.a\.\$options: \$options may only be "i"/);
  refused('{"a": {"$options": "i"}}', /\$options goes with \$regex/);
  refused('{"$and": []}', /\$and takes a non-empty array/);
  refused('{"$or": {"a": 1}}', /\$or takes a non-empty array/);
  refused("{}", /\$: the query is empty/);
  refused('{"a": 1', /not valid JSON/);
  refused('{"a.$b": 1}', /not a field path/);
  refused('{"a\\u0000": 1}', /not a field path/);
  refused(`{"x": ${"[".repeat(5)}1${"]".repeat(5)}}`, /compare with/);
  refused(`${"{\"$not\": ".repeat(14)}{"a": 1}${"}".repeat(14)}`, /nested deeper than 12 levels/);
  refused(`{${Array.from({ length: 41 }, (_, i) => `"f${i}": 1`).join(",")}}`, /more than 40 comparisons/);
});

test("SQL: paths are built from checked names, values are parameters", () => {
  assert.equal(jsonPath(p("hosts[]", "ports[]", "port")), '$."hosts"."ports"."port"', "lax mode reads through lists, marked or not");
  assert.throws(() => jsonPath([{ key: 'a"', each: false }]), /unchecked field name/);
  const params = new SqlParams(3);
  const sql = querySql(parseFieldQuery('ports.port = 8080 and state ~ "op"'), params);
  assert.match(sql, /^\(doc @> \$4::jsonb OR doc @> \$5::jsonb OR doc @> \$6::jsonb OR doc @> \$7::jsonb\) AND \(jsonb_path_exists\(doc, \$8::jsonpath, \$9::jsonb\) AND EXISTS/);
  assert.equal(params.values[4], '$."ports"."port" ? (@.type() != "array" && (@ == $v))', "a list inside a list is not read");
  assert.equal(params.values[5], '{"v":8080}');
  assert.ok(!/8080|op"/.test(sql), "no value in the SQL text");
});

test("SQL: only equalities of the top-level conjunction get containment hints", () => {
  const hints = (q: string) => (querySql(parseFieldQuery(q), new SqlParams()).match(/@>/g) ?? []).length;
  assert.equal(hints("a = 1"), 2);
  assert.equal(hints("a = 1 and b.c = 2"), 2 + 4);
  assert.equal(hints("a = 1 or b = 2"), 0, "an or cannot be narrowed by either side");
  assert.equal(hints("not a = 1"), 0);
  assert.equal(hints("a != 1 and a > 2 and a ~ x"), 0);
  assert.equal(hints("a.b.c.d = 1"), 0, "past three parts the variants are not worth it");
  assert.equal(hints("a[] = 1"), 2, "[] changes nothing: an object under it is read too");
  assert.deepEqual(containmentVariants(p("hosts[]", "address"), "x"), [
    { hosts: { address: "x" } },
    { hosts: [{ address: "x" }] },
    { hosts: { address: ["x"] } },
    { hosts: [{ address: ["x"] }] },
  ]);
});
