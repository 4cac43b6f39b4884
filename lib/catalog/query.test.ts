import { test } from "node:test";
import assert from "node:assert/strict";
import { browseQuerySchema } from "../schemas/packages.ts";
import { MAX_SEARCH_WORDS, textSearch } from "./query.ts";

test("words become required prefixes; punctuation and tsquery operators never reach the query", () => {
  assert.deepEqual(textSearch("alice.gree"), { text: "alice.gree", tsquery: "alice:* & gree:*", namePattern: "%alice.gree%" });
  assert.equal(textSearch("Greets SOMEONE").tsquery, "greets:* & someone:*");
  assert.equal(textSearch("a & !b | c:* <-> 'd'").tsquery, "a:* & b:* & c:* & d:*");
  assert.equal(textSearch("scan überprüfung 端口").tsquery, "scan:* & überprüfung:* & 端口:*");
  assert.equal(textSearch("!!! ---").tsquery, null);
});

test("the name pattern escapes LIKE wildcards", () => {
  assert.equal(textSearch("100%_sure\\").namePattern, "%100\\%\\_sure\\\\%");
});

test("only the first words count", () => {
  const many = Array.from({ length: MAX_SEARCH_WORDS + 5 }, (_, i) => `w${i}`).join(" ");
  assert.equal(textSearch(many).tsquery?.split(" & ").length, MAX_SEARCH_WORDS);
});

const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

test("browse query: bad values become defaults, text is trimmed and capped", () => {
  assert.deepEqual(defined(browseQuerySchema.parse({ q: "  nmap ", kind: "nope", page: "0", pageSize: "500", official: "yes", tag: "DNS" })), { q: "nmap", tag: "dns" });
  assert.equal(browseQuerySchema.safeParse({ q: "x".repeat(201) }).success, false);
  assert.deepEqual(defined(browseQuerySchema.parse({ q: ["a", "b"], official: true, page: "3", kind: "workflow" })), { q: "a", official: true, page: 3, kind: "workflow" });
});
