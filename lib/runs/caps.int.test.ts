/**
 * Per-user caps an admin sets in Admin → Workers: runs waiting in the queue (429 past it) and saved
 * scans (422), each refused with a message naming the cap, before anything is resolved or stored;
 * other users are not held back. Over HTTP, as the route server answers.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import { serveRoutes, type RouteServer } from "../testing/route-server.ts";
import type { Viewer } from "../types.ts";
import type { SeededPackage } from "../results/testing.ts";

let hub: TestHub;
let server: RouteServer;
let alice: Viewer;
let aliceToken: string;
let bobToken: string;
let pkg: SeededPackage;

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { createToken } = await import("../accounts/tokens.ts");
  const users = await signUpTestUsers();
  alice = users.alice;
  aliceToken = (await createToken(alice, { name: "caps" })).token;
  bobToken = (await createToken(users.bob, { name: "caps" })).token;
  const { seedPackage } = await import("../results/testing.ts");
  pkg = await seedPackage(null);
  const { updateSettings, getSettings } = await import("../platform/settings.ts");
  await updateSettings({ queue: { ...(await getSettings()).queue, queuedPerUser: 2, scansPerUser: 1 } });
  server = await serveRoutes();
});

after(async () => {
  await server?.close();
  await hub?.close();
});

const post = (path: string, token: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });

test("a user with as many runs waiting as the cap allows gets 429 naming it; another user does not", async () => {
  const { db } = await import("../platform/db.ts");
  for (let i = 0; i < 2; i++) await db().run.create({ data: { ownerId: alice.id, projectId: await personalProject(alice.id), versionId: pkg.versionId, function: "scan.ports", args: {}, status: "queued" } });
  const before = await db().run.count();
  const refused = await post("/api/runs", aliceToken, { package: pkg.fullName, function: "scan.ports", args: {} });
  assert.equal(refused.status, 429);
  const { error } = (await refused.json()) as { error: { code: string; message: string } };
  assert.equal(error.code, "rate_limited");
  assert.match(error.message, /2 runs waiting in the queue, the most one user may have \(2, Admin → Workers\)/);
  assert.equal(await db().run.count(), before, "nothing was queued");
  // bob has none waiting: his start is judged on its merits (this seeded version has no such function)
  const bob = await post("/api/runs", bobToken, { package: pkg.fullName, function: "scan.ports", args: {} });
  assert.notEqual(bob.status, 429, await bob.clone().text());
});

test("a user keeping as many saved scans as the cap allows gets 422 naming it, nothing stored", async () => {
  const { db } = await import("../platform/db.ts");
  await db().savedScan.create({ data: { ownerId: alice.id, projectId: await personalProject(alice.id), name: "kept", packageId: pkg.packageId, function: "scan.ports", args: {} } });
  const refused = await post("/api/scans", aliceToken, { name: "one more", package: pkg.fullName, function: "scan.ports" });
  assert.equal(refused.status, 422);
  const { error } = (await refused.json()) as { error: { message: string; fieldErrors: Record<string, string> } };
  assert.match(error.message, /1 saved scans, the most one user may keep \(1, Admin → Workers\)/);
  assert.equal(error.fieldErrors.name, "at most 1 saved scans per user");
  assert.equal(await db().savedScan.count({ where: { ownerId: alice.id } }), 1);
});

/** The user's personal project (every run and scan belongs to a project). */
async function personalProject(userId: string): Promise<string> {
  const { db } = await import("../platform/db.ts");
  return (await db().project.findUniqueOrThrow({ where: { personalOwnerId: userId }, select: { id: true } })).id;
}
