import assert from "node:assert/strict";
import { test } from "node:test";
import { MongoClient, MongoNetworkError, MongoNotConnectedError, MongoServerError, MongoServerSelectionError, MongoTopologyClosedError } from "mongodb";
import { assertSafeQuery, assertStorable, redact, StoreError, storeFailureIsTransient } from "./store.ts";

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

/** What the driver really throws when nothing listens: a port on 127.0.0.1 that refuses. */
async function unreachable(): Promise<unknown> {
  const client = new MongoClient("mongodb://127.0.0.1:9/x", { serverSelectionTimeoutMS: 300 });
  try {
    await client.db().collection("c").insertOne({ a: 1 });
    return null;
  } catch (err) {
    return err;
  } finally {
    await client.close();
  }
}

test("store failures: the server refusing or a StoreError that says so is final; no connection may pass", async () => {
  assert.equal(storeFailureIsTransient(new StoreError("field '$x' starts with '$'")), false);
  assert.equal(storeFailureIsTransient(new StoreError("through the hub: 503", { transient: true })), true);
  assert.equal(storeFailureIsTransient(new MongoServerError({ message: "E11000 duplicate key", code: 11000 })), false);
  // what the hub once matched by message text: refused connections, selection timeouts, a closed client
  assert.equal(storeFailureIsTransient(new MongoNetworkError("connect ECONNREFUSED 127.0.0.1:27017")), true);
  const selection = await unreachable();
  assert.ok(selection instanceof MongoServerSelectionError, String(selection));
  assert.equal(storeFailureIsTransient(selection), true);
  assert.equal(storeFailureIsTransient(new MongoTopologyClosedError()), true);
  assert.equal(storeFailureIsTransient(new MongoNotConnectedError("client was closed")), true);
  assert.equal(storeFailureIsTransient(Object.assign(new Error("connect ENOENT /run/ferretdb.sock"), { code: "ENOENT" })), true);
});
