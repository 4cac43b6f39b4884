import assert from "node:assert/strict";
import { test } from "node:test";
import { auditScope } from "./audit-scope.ts";

test("admins read every event, owners their projects', a token needs read (and admin for everything)", () => {
  const owned = ["p1", "me"];
  assert.deepEqual(auditScope({ role: "admin" }, owned), { all: true });
  assert.deepEqual(auditScope({ role: "admin", scopes: ["read", "admin"] }, owned), { all: true });
  assert.deepEqual(auditScope({ role: "admin", scopes: ["read"] }, owned), { all: false, projectIds: owned }, "an admin's token without the admin scope is an owner like any other");
  assert.deepEqual(auditScope({ role: "admin", scopes: ["admin"] }, owned), { all: false, projectIds: [] }, "no read scope: nothing");
  assert.deepEqual(auditScope({ role: "user" }, owned), { all: false, projectIds: owned });
  assert.deepEqual(auditScope({ role: "user", scopes: ["run", "publish"] }, owned), { all: false, projectIds: [] });
  assert.deepEqual(auditScope({ role: "user", scopes: ["read", "admin"] }, owned), { all: false, projectIds: owned }, "the admin scope makes no user an admin");
});
