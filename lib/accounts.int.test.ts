import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "./testing/hub.ts";

let hub: TestHub;
before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.close();
});

test("signUp: the first account is admin, later ones are users, each owns a namespace", async () => {
  const { signUp } = await import("./users.ts");
  const { db } = await import("./db.ts");
  const first = await signUp({ email: "Root@Example.org", username: "root_1", password: "longenough1" });
  assert.equal(first.role, "admin");
  assert.equal(first.email, "root@example.org");
  const second = await signUp({ email: "b@example.org", username: "bob", password: "longenough2" });
  assert.equal(second.role, "user");
  const ns = await db().namespace.findUnique({ where: { name: "bob" } });
  assert.equal(ns?.ownerId, second.id);
  // passwordHash is omitted by default
  const row = await db().user.findUnique({ where: { id: second.id } });
  assert.ok(row);
  assert.equal("passwordHash" in row, false);
});

test("signUp refuses duplicates, reserved names and weak input with field errors, changing nothing", async () => {
  const { signUp } = await import("./users.ts");
  const { db } = await import("./db.ts");
  const before = await db().user.count();
  await assert.rejects(signUp({ email: "b@example.org", username: "bob2", password: "longenough" }), (e: { code?: string; fieldErrors?: Record<string, string> }) => e.code === "validation" && /already exists/.test(e.fieldErrors?.email ?? ""));
  await assert.rejects(signUp({ email: "c@example.org", username: "bob", password: "longenough" }), (e: { fieldErrors?: Record<string, string> }) => /taken/.test(e.fieldErrors?.username ?? ""));
  await assert.rejects(signUp({ email: "d@example.org", username: "levhub", password: "longenough" }), (e: { fieldErrors?: Record<string, string> }) => /reserved/.test(e.fieldErrors?.username ?? ""));
  await assert.rejects(signUp({ email: "not-an-email", username: "Bad Name", password: "short" }), (e: { fieldErrors?: Record<string, string> }) =>
    Boolean(e.fieldErrors?.email && e.fieldErrors?.username && e.fieldErrors?.password));
  assert.equal(await db().user.count(), before);
});

test("LEVHUB_ADMIN_EMAIL makes that account admin", async () => {
  const { signUp } = await import("./users.ts");
  process.env.LEVHUB_ADMIN_EMAIL = "boss@example.org";
  try {
    const boss = await signUp({ email: "boss@example.org", username: "boss", password: "longenough" });
    assert.equal(boss.role, "admin");
  } finally {
    delete process.env.LEVHUB_ADMIN_EMAIL;
  }
});

test("authenticate checks the password", async () => {
  const { authenticate } = await import("./users.ts");
  assert.equal((await authenticate("B@example.org", "longenough2"))?.username, "bob");
  assert.equal(await authenticate("b@example.org", "wrong-password"), null);
  assert.equal(await authenticate("nobody@example.org", "longenough2"), null);
});

test("API tokens: shown once, stored hashed, listed, usable, revocable", async () => {
  const { createToken, listTokens, revokeToken, viewerFromToken } = await import("./tokens.ts");
  const { getUserByUsername } = await import("./users.ts");
  const { db } = await import("./db.ts");
  const bob = (await getUserByUsername("bob"))!;
  const { token, summary } = await createToken(bob, "laptop");
  assert.match(token, /^lev_[A-Za-z0-9_-]{32}$/);
  const row = await db().apiToken.findUniqueOrThrow({ where: { id: summary.id } });
  assert.notEqual(row.hash, token);
  assert.equal(row.hash.length, 64);
  assert.equal((await viewerFromToken(token))?.id, bob.id);
  assert.equal((await listTokens(bob)).length, 1);
  assert.ok((await db().apiToken.findUniqueOrThrow({ where: { id: summary.id } })).lastUsedAt);
  const root = (await getUserByUsername("root_1"))!;
  await assert.rejects(revokeToken(root, summary.id), (e: { code?: string }) => e.code === "not_found");
  await revokeToken(bob, summary.id);
  assert.equal(await viewerFromToken(token), null);
  assert.equal(await viewerFromToken("lev_guess"), null);
  await assert.rejects(createToken(bob, "  "), (e: { code?: string }) => e.code === "validation");
});
