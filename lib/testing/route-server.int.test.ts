import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "./hub.ts";
import { serveRoutes, type RouteServer } from "./route-server.ts";

let hub: TestHub;
let server: RouteServer;
let token: string;

before(async () => {
  hub = await startTestHub();
  const { signUp } = await import("../accounts/users.ts");
  const { createToken } = await import("../accounts/tokens.ts");
  const alice = await signUp({ email: "alice@example.org", username: "alice", password: "longenough" });
  token = (await createToken(alice, { name: "route server" })).token;
  server = await serveRoutes();
});
after(async () => {
  await server?.close();
  await hub?.close();
});

test("the route handlers answer over HTTP as under Next: access checked, JSON out, unknown paths 404", async () => {
  const me = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200);
  assert.equal(((await me.json()) as { user: { username: string } }).user.username, "alice");

  const anonymous = await fetch(`${server.url}/api/me`, { headers: { authorization: "Bearer lev_nope" } });
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, "unauthorized");

  assert.equal((await fetch(`${server.url}/api/nothing/here`)).status, 404);
  assert.equal((await fetch(`${server.url}/elsewhere`)).status, 404);
  assert.equal((await fetch(`${server.url}/api/me`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } })).status, 405);
});

test("a dynamic segment reaches the handler as a parameter and a JSON body is read", async () => {
  const missing = await fetch(`${server.url}/api/packages/nobody/nothing`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(missing.status, 404, await missing.text());
  const bad = await fetch(`${server.url}/api/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ versionId: 12 }),
  });
  assert.equal(bad.status, 422, "the body was read and checked by the route's schema");
});
