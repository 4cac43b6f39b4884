import assert from "node:assert/strict";
import { test } from "node:test";
import { auditWhere } from "./where.ts";

test("the caller's scope comes first and filters only narrow it; values are parameters", () => {
  assert.deepEqual(auditWhere({ all: true }, {}), { sql: "TRUE", params: [] });
  assert.deepEqual(auditWhere({ all: false, projectIds: [] }, { actor: "bob" }), { sql: `FALSE AND e."actorId" = (SELECT u2.id FROM "User" u2 WHERE u2.username = $1)`, params: ["bob"] });
  const from = new Date("2026-12-01T00:00:00Z");
  const w = auditWhere({ all: false, projectIds: ["p1", "p2"] }, { action: "secret", project: "acme", target: "x'; DROP TABLE", from }, "42");
  assert.equal(w.sql, `e."projectId" = ANY($1::text[]) AND e.action LIKE $2 AND e."projectId" = (SELECT p2.id FROM "Project" p2 WHERE p2.slug = $3) AND e.target = $4 AND e."createdAt" >= $5 AND e.id < $6::bigint`);
  assert.deepEqual(w.params, [["p1", "p2"], "secret.%", "acme", "x'; DROP TABLE", from, "42"]);
  assert.equal(auditWhere({ all: true }, { action: "secret.use" }).sql, "e.action = $1", "one action exactly");
});
