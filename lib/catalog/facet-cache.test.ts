import { test } from "node:test";
import assert from "node:assert/strict";
import { FacetCache, visibilityKey, type CountedFacets } from "./facet-cache.ts";

const counted = (total: number): CountedFacets => ({ total, tactic: [["Discovery", total]], category: [], tag: [], kind: [], official: 0 });

test("kept counts come back with their generation; the least recently used entry goes past the capacity", () => {
  const cache = new FacetCache(2);
  assert.equal(cache.get("a"), undefined);
  cache.set("a", "1", counted(1));
  cache.set("b", "1", counted(2));
  assert.deepEqual(cache.get("a"), { generation: "1", counted: counted(1) });
  cache.set("c", "2", counted(3));
  assert.equal(cache.size, 2);
  assert.equal(cache.get("b"), undefined, "b was the least recently used");
  assert.equal(cache.get("a")?.counted.total, 1);
  cache.set("a", "3", counted(4));
  assert.deepEqual(cache.get("a"), { generation: "3", counted: counted(4) }, "a newer count replaces the kept one");
});

test("visibility keys: anonymous visitors share one, admins one, each user and each namespace-limited token their own", () => {
  assert.equal(visibilityKey(null), "anon");
  assert.equal(visibilityKey({ id: "u1", admin: true }), "admin");
  assert.equal(visibilityKey({ id: "u2", admin: true }), "admin");
  const keys = [
    visibilityKey({ id: "u1", admin: false }),
    visibilityKey({ id: "u2", admin: false }),
    visibilityKey({ id: "u1", admin: false, tokenNamespace: "ns" }),
    visibilityKey({ id: "u1", admin: true, tokenNamespace: "ns" }),
    visibilityKey({ id: "u1", admin: true, tokenNamespace: "other" }),
  ];
  assert.equal(new Set([...keys, "anon", "admin"]).size, keys.length + 2, "no two of them alike");
});
