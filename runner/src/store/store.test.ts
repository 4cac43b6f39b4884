import assert from "node:assert/strict";
import { test } from "node:test";
import { assertSafeQuery, assertStorable, redact } from "./store.ts";

test("queries from package code may not run code on the server or read bookkeeping", () => {
  assert.doesNotThrow(() => assertSafeQuery({ a: { $gt: 1 }, $or: [{ b: 1 }, { c: { $in: [1] } }] }));
  assert.throws(() => assertSafeQuery({ $where: "sleep(1000)" }), /\$where/);
  assert.throws(() => assertSafeQuery({ $or: [{ $expr: { $eq: [1, 1] } }] }), /\$expr/);
  assert.throws(() => assertSafeQuery({ "_lev.owner": "x" }), /reserved/);
});

test("documents Mongo cannot store are refused with the field's path", () => {
  assert.doesNotThrow(() => assertStorable({ hosts: [{ ip: "127.0.0.1", ports: [{ port: 22 }] }] }));
  assert.throws(() => assertStorable({ hosts: [{ "a.b": 1 }] }), /hosts\[0\]\.a\.b/);
  assert.throws(() => assertStorable({ $set: 1 }), /starts with '\$'/);
  assert.throws(() => assertStorable({ _id: 1 }), /reserved/);
});

test("redact hides credentials in connection strings", () => {
  assert.equal(redact("mongodb://user:secret@db:27017/x"), "mongodb://***@db:27017/x");
  assert.equal(redact("mongodb://127.0.0.1:27117/levhub"), "mongodb://127.0.0.1:27117/levhub");
});
