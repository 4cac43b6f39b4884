import assert from "node:assert/strict";
import { test } from "node:test";
import { MongoNetworkError, MongoServerError, MongoTopologyClosedError } from "mongodb";
import { StoreError } from "../../runner/src/index.ts";
import { AppError, conflict, httpStatus } from "../errors.ts";
import { storeFailureError } from "./store-failure.ts";

test("a worker's store call: the store down is 503 (retry), a refusal 422 (final), an AppError itself", () => {
  const down = storeFailureError(new MongoTopologyClosedError());
  assert.equal(down.code, "unavailable");
  assert.equal(httpStatus(down.code), 503);
  assert.equal(storeFailureError(new MongoNetworkError("connection 3 to 127.0.0.1:27017 closed")).code, "unavailable");
  assert.equal(storeFailureError(new StoreError("down", { transient: true })).code, "unavailable");

  const refused = storeFailureError(new StoreError("field 'a.b' contains '.', which MongoDB cannot store"));
  assert.equal(refused.code, "validation");
  assert.equal(refused.message, "field 'a.b' contains '.', which MongoDB cannot store");
  const server = storeFailureError(new MongoServerError({ message: "unknown operator: $foo", code: 2 }));
  assert.equal(server.code, "validation");
  assert.match(server.message, /refused it: unknown operator: \$foo/);

  const own = conflict("the run has ended; it stores nothing more");
  assert.equal(storeFailureError(own), own);
  assert.ok(storeFailureError(new Error("x")) instanceof AppError);
});
