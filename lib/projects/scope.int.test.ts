/**
 * A project's scope on a real PostgreSQL: read by members, replaced by owners and admins (viewers,
 * operators and non-members refused, nothing changed), every change audited with before and
 * after, bad entries refused with field errors at their place; the HTTP route with API tokens.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { RouteServer } from "../testing/route-server.ts";
import type { Viewer } from "../types.ts";

let hub: TestHub;
let routes: RouteServer;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;
let carol: Viewer;
let dave: Viewer;

type Rejection = { code?: string; message?: string; fieldErrors?: Record<string, string> };
const code = (c: string) => (e: Rejection) => e.code === c;

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { signUp } = await import("../accounts/users.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  carol = await signUp({ email: "carol@example.org", username: "carol", password: "longenough" });
  dave = await signUp({ email: "dave@example.org", username: "dave", password: "longenough" });
  const { createProject } = await import("./projects.ts");
  const { addMember } = await import("./members.ts");
  await createProject(alice, { slug: "acme", name: "ACME", description: "", client: "", windowStart: null, windowEnd: null });
  await addMember(alice, "acme", { username: "bob", role: "operator" });
  await addMember(alice, "acme", { username: "carol", role: "viewer" });
  const { serveRoutes } = await import("../testing/route-server.ts");
  routes = await serveRoutes();
});
after(async () => {
  await routes?.close();
  await hub?.close();
});

const SCOPE = { allow: ["10.231.0.0/16", "*.Acme.example.", "https://portal.acme.example"], exclude: ["10.231.5.0/24"], services: ["api.shodan.io:443"] };

test("an unscoped project reads as such; owners replace the scope, normalised; members read it; others are refused and nothing changes", async () => {
  const { getProjectScope, setProjectScope, projectScope } = await import("./scope.ts");
  const { db } = await import("../platform/db.ts");
  const { projectScopeBodySchema } = await import("../schemas/projects.ts");
  const project = await db().project.findUniqueOrThrow({ where: { slug: "acme" } });
  assert.deepEqual(await getProjectScope(carol, "acme"), { scope: null, requireEnforcement: false, allowHostNetwork: false, enforcedByNetwork: false, canEdit: false });
  assert.equal(await projectScope(project.id), null);

  const body = projectScopeBodySchema.parse({ scope: SCOPE, requireEnforcement: true });
  const set = await setProjectScope(alice, "acme", body);
  const normalised = { allow: ["10.231.0.0/16", "*.acme.example", "portal.acme.example 443"], exclude: ["10.231.5.0/24"], services: ["api.shodan.io:443"] };
  assert.deepEqual(set, { scope: normalised, requireEnforcement: true, allowHostNetwork: false, enforcedByNetwork: true, canEdit: true });
  assert.deepEqual((await getProjectScope(bob, "acme")).scope, normalised);
  assert.equal((await getProjectScope(carol, "acme")).canEdit, false);
  assert.deepEqual(await projectScope(project.id), normalised);

  const before = JSON.stringify(await db().project.findUniqueOrThrow({ where: { slug: "acme" }, select: { scope: true, requireEnforcement: true, allowHostNetwork: true } }));
  const wider = projectScopeBodySchema.parse({ scope: { allow: ["0.0.0.0/0"] } });
  await assert.rejects(setProjectScope(bob, "acme", wider), code("forbidden"));
  await assert.rejects(setProjectScope(carol, "acme", wider), code("forbidden"));
  await assert.rejects(setProjectScope(dave, "acme", wider), code("not_found"));
  await assert.rejects(getProjectScope(dave, "acme"), code("not_found"));
  const after = JSON.stringify(await db().project.findUniqueOrThrow({ where: { slug: "acme" }, select: { scope: true, requireEnforcement: true, allowHostNetwork: true } }));
  assert.equal(after, before);
});

test("every change is audited with before and after (an admin's marked asAdmin); an unchanged scope writes no row; empty lists unscope", async () => {
  const { setProjectScope, getProjectScope } = await import("./scope.ts");
  const { db } = await import("../platform/db.ts");
  const { projectScopeBodySchema } = await import("../schemas/projects.ts");
  const project = await db().project.findUniqueOrThrow({ where: { slug: "acme" } });
  const rowsBefore = await db().auditEvent.count({ where: { action: "project.scope", projectId: project.id } });
  // the same scope again, written differently: no change, no row
  await setProjectScope(alice, "acme", projectScopeBodySchema.parse({ scope: SCOPE, requireEnforcement: true }));
  assert.equal(await db().auditEvent.count({ where: { action: "project.scope", projectId: project.id } }), rowsBefore);

  await setProjectScope(root, "acme", projectScopeBodySchema.parse({ scope: { ...SCOPE, exclude: [] }, requireEnforcement: true, allowHostNetwork: true }));
  await setProjectScope(alice, "acme", projectScopeBodySchema.parse({ scope: { allow: [], exclude: [], services: [] } }));
  assert.equal((await getProjectScope(alice, "acme")).scope, null);
  assert.equal((await db().project.findUniqueOrThrow({ where: { id: project.id } })).scope, null, "an empty scope is stored as none");

  const rows = await db().auditEvent.findMany({ where: { action: "project.scope", projectId: project.id }, orderBy: { id: "asc" } });
  type Data = { before: { scope: { exclude: string[] } | null; allowHostNetwork: boolean }; after: { scope: { exclude: string[] } | null; allowHostNetwork: boolean }; asAdmin?: boolean };
  const data = rows.map((r) => [r.actorId, r.target, r.data as Data] as const);
  assert.equal(data.length, 3);
  assert.deepEqual([data[0]![0], data[0]![2].before.scope, data[0]![2].after.scope?.exclude], [alice.id, null, ["10.231.5.0/24"]]);
  assert.deepEqual([data[1]![0], data[1]![2].before.scope?.exclude, data[1]![2].after.scope?.exclude, data[1]![2].after.allowHostNetwork, data[1]![2].asAdmin], [root.id, ["10.231.5.0/24"], [], true, true]);
  assert.deepEqual([data[2]![0], data[2]![2].after.scope, data[2]![2].after.allowHostNetwork, data[2]![2].asAdmin], [alice.id, null, false, undefined]);
  assert.ok(data.every(([, target]) => target === "acme"));
});

test("the HTTP route: GET with a read token, PUT with run (owners), 422 naming the bad entry at its place, 403 for a read-only token", async () => {
  const { createToken } = await import("../accounts/tokens.ts");
  const { callRoute } = await import("../testing/route-server.ts");
  const read = (await createToken(alice, { name: "read", scopes: ["read"] })).token;
  const run = (await createToken(alice, { name: "run", scopes: ["read", "run"] })).token;
  const bobRun = (await createToken(bob, { name: "run", scopes: ["read", "run"] })).token;
  const call = <T>(token: string, method: string, body?: unknown) => callRoute<T>(routes.url, token, method, "/api/projects/acme/scope", body);

  const put = await call<{ scope: { allow: string[] } }>(run, "PUT", { scope: { allow: ["192.0.2.0/24"] } });
  assert.equal(put.status, 200);
  assert.deepEqual(put.json.scope.allow, ["192.0.2.0/24"]);
  assert.deepEqual((await call<{ scope: { allow: string[] } }>(read, "GET")).json.scope.allow, ["192.0.2.0/24"]);
  assert.equal((await call(read, "PUT", { scope: null })).status, 403);
  assert.equal((await call(bobRun, "PUT", { scope: null })).status, 403);
  const bad = await call<{ error: { code: string; fieldErrors: Record<string, string> } }>(run, "PUT", { scope: { allow: ["10.0.0.0/8", "10.0.0.1/8"], exclude: ["nope!"] } });
  assert.equal(bad.status, 422);
  assert.match(bad.json.error.fieldErrors["scope.allow.1"] ?? "", /host bits set \(did you mean 10\.0\.0\.0\/8\?\)/);
  assert.match(bad.json.error.fieldErrors["scope.exclude.0"] ?? "", /nope!/);
  const tooMany = await call<{ error: { message: string; fieldErrors: Record<string, string> } }>(run, "PUT", { scope: { allow: Array.from({ length: 257 }, (_, i) => `10.${i % 256}.${i >> 8}.0/24`) } });
  assert.equal(tooMany.status, 422);
  assert.equal((await call<{ scope: { allow: string[] } }>(read, "GET")).json.scope.allow.length, 1, "a refused PUT changes nothing");
});
