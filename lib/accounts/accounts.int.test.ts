import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { startTestHub, type TestHub } from "../testing/hub.ts";

let hub: TestHub;
before(async () => {
  hub = await startTestHub();
});
after(async () => {
  await hub?.close();
});

const MIN = 60_000;
type Coded = { code?: string; message?: string; fieldErrors?: Record<string, string> };
const refusedWith = (code: string, message?: RegExp) => (e: Coded) => e.code === code && (!message || message.test(e.message ?? ""));

/** Counts password hashing and verification, and runs limits on a clock the test moves. */
async function instrumented() {
  const password = await import("./password.ts");
  const { createAuthLimiters } = await import("./limits.ts");
  let t = Date.now();
  const calls = { hash: 0, verify: 0 };
  return {
    calls,
    advance: (ms: number) => (t += ms),
    deps: {
      hashPassword: (p: string) => (calls.hash++, password.hashPassword(p)),
      verifyPassword: (p: string, s: string) => (calls.verify++, password.verifyPassword(p, s)),
      limiters: createAuthLimiters(() => t),
      now: () => new Date(t),
    },
  };
}

async function setMode(mode: "open" | "invite" | "closed") {
  const { updateSettings } = await import("../platform/settings.ts");
  await updateSettings({ signUpMode: mode });
}

test("the first account to sign up is a plain user; each account owns its namespace; the password is stored as argon2id", async () => {
  const { signUp } = await import("./users.ts");
  const { db } = await import("../platform/db.ts");
  const first = await signUp({ email: "First@Example.org", username: "first", password: "longenough1" });
  assert.equal(first.role, "user");
  assert.equal(first.email, "first@example.org");
  const second = await signUp({ email: "b@example.org", username: "bob", password: "longenough2" });
  assert.equal(second.role, "user");
  assert.equal((await db().namespace.findUnique({ where: { name: "bob" } }))?.ownerId, second.id);
  // passwordHash is omitted by default
  const row = await db().user.findUnique({ where: { id: second.id } });
  assert.ok(row);
  assert.equal("passwordHash" in row, false);
  const stored = await db().user.findUniqueOrThrow({ where: { id: second.id }, select: { passwordHash: true } });
  assert.match(stored.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
});

test("signUp refuses duplicates, reserved names and weak input with field errors, changing nothing", async () => {
  const { signUp } = await import("./users.ts");
  const { db } = await import("../platform/db.ts");
  const before = await db().user.count();
  await assert.rejects(signUp({ email: "b@example.org", username: "bob2", password: "longenough" }), (e: Coded) => e.code === "validation" && /already exists/.test(e.fieldErrors?.email ?? ""));
  await assert.rejects(signUp({ email: "c@example.org", username: "bob", password: "longenough" }), (e: Coded) => /taken/.test(e.fieldErrors?.username ?? ""));
  await assert.rejects(signUp({ email: "d@example.org", username: "levhub", password: "longenough" }), (e: Coded) => /reserved/.test(e.fieldErrors?.username ?? ""));
  await assert.rejects(signUp({ email: "not-an-email", username: "Bad Name", password: "short" }), (e: Coded) =>
    Boolean(e.fieldErrors?.email && e.fieldErrors?.username && e.fieldErrors?.password));
  assert.equal(await db().user.count(), before);
});

test("LEVHUB_ADMIN_EMAIL grants nothing: signing up with that address makes a plain user", async () => {
  const { signUp } = await import("./users.ts");
  process.env.LEVHUB_ADMIN_EMAIL = "boss@example.org";
  try {
    const boss = await signUp({ email: "boss@example.org", username: "boss", password: "longenough" });
    assert.equal(boss.role, "user");
  } finally {
    delete process.env.LEVHUB_ADMIN_EMAIL;
  }
});

test("the bootstrap token makes one admin, once, even with sign-up closed; then it is gone", async () => {
  const { ensureBootstrapToken, bootstrapTokenFile } = await import("./bootstrap.ts");
  const { getSettings } = await import("../platform/settings.ts");
  const { signUp } = await import("./users.ts");
  const { db } = await import("../platform/db.ts");
  await setMode("closed");
  const token = await ensureBootstrapToken();
  assert.ok(token && token.length >= 40);
  // the plaintext waits in the data directory for the operator only; the database holds its hash
  const file = bootstrapTokenFile();
  assert.equal(file, `${hub.dataDir}/admin-bootstrap-token`);
  assert.equal(readFileSync(file, "utf8").trim(), token);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const hash = (await getSettings()).bootstrapTokenHash;
  assert.match(hash ?? "", /^[0-9a-f]{64}$/);
  assert.ok(!hash?.includes(token));
  // a restart before anyone used it hands out the same link
  assert.equal(await ensureBootstrapToken(), token);

  const users = await db().user.count();
  await assert.rejects(signUp({ email: "x@example.org", username: "xavier", password: "longenough" }, { bootstrap: token.slice(0, -2) + "AA" }), refusedWith("forbidden", /not valid/));
  await assert.rejects(signUp({ email: "x@example.org", username: "xavier", password: "longenough" }), refusedWith("forbidden", /closed/));
  assert.equal(await db().user.count(), users);

  // two people racing with the same link: exactly one becomes admin
  const [a, b] = await Promise.allSettled([
    signUp({ email: "root@example.org", username: "root_1", password: "longenough" }, { bootstrap: token }),
    signUp({ email: "mallory@example.org", username: "mallory", password: "longenough" }, { bootstrap: token }),
  ]);
  const won = [a, b].filter((r) => r.status === "fulfilled");
  assert.equal(won.length, 1);
  assert.equal(won[0].status === "fulfilled" && won[0].value.role, "admin");
  const lost = [a, b].find((r) => r.status === "rejected");
  assert.ok(lost && lost.status === "rejected" && refusedWith("forbidden", /not valid/)(lost.reason as Coded));
  assert.equal(await db().user.count({ where: { role: "admin" } }), 1);
  assert.equal((await getSettings()).bootstrapTokenHash, null);
  assert.equal(existsSync(file), false);
  await assert.rejects(signUp({ email: "late@example.org", username: "late", password: "longenough" }, { bootstrap: token }), refusedWith("forbidden"));
  // with an admin there, no new token is made and a stale file is removed
  assert.equal(await ensureBootstrapToken(), null);
  assert.equal(existsSync(file), false);
  await setMode("open");
});

async function rootAdmin() {
  const { db } = await import("../platform/db.ts");
  const { getUser } = await import("./users.ts");
  const row = await db().user.findFirstOrThrow({ where: { role: "admin" }, select: { id: true } });
  return (await getUser(row.id))!;
}

test("invite mode: no invite is refused; a valid invite works once; expired and revoked ones are refused", async () => {
  const { signUp, getUserByUsername } = await import("./users.ts");
  const { createInvite, listInvites, revokeInvite } = await import("./invites.ts");
  const { db } = await import("../platform/db.ts");
  const admin = await rootAdmin();
  const bob = (await getUserByUsername("bob"))!;
  await setMode("invite");
  const users = await db().user.count();
  await assert.rejects(signUp({ email: "i1@example.org", username: "invited1", password: "longenough" }), refusedWith("forbidden", /invitation only/));
  await assert.rejects(signUp({ email: "i1@example.org", username: "invited1", password: "longenough" }, { invite: "made-up" }), refusedWith("forbidden", /not valid/));
  await assert.rejects(createInvite(bob, {}), refusedWith("forbidden"));

  const { token, invite } = await createInvite(admin, { note: "for Ivy" });
  assert.equal(invite.state, "pending");
  assert.ok(Math.abs(new Date(invite.expiresAt).getTime() - Date.now() - 7 * 24 * 3600_000) < MIN);
  const stored = await db().invite.findUniqueOrThrow({ where: { id: invite.id } });
  assert.notEqual(stored.hash, token);
  assert.equal(await db().user.count(), users);

  // two sign-ups racing on one link: one account
  const race = await Promise.allSettled([
    signUp({ email: "ivy@example.org", username: "ivy", password: "longenough" }, { invite: token }),
    signUp({ email: "ivy2@example.org", username: "ivy2", password: "longenough" }, { invite: token }),
  ]);
  assert.equal(race.filter((r) => r.status === "fulfilled").length, 1);
  const ivy = race.find((r) => r.status === "fulfilled");
  assert.equal(ivy?.status === "fulfilled" && ivy.value.role, "user");
  await assert.rejects(signUp({ email: "i3@example.org", username: "invited3", password: "longenough" }, { invite: token }), refusedWith("forbidden", /used already/));

  const expired = await createInvite(admin, { days: 1 }, new Date(Date.now() - 2 * 24 * 3600_000));
  await assert.rejects(signUp({ email: "i4@example.org", username: "invited4", password: "longenough" }, { invite: expired.token }), refusedWith("forbidden", /expired/));
  const revoked = await createInvite(admin, {});
  await revokeInvite(admin, revoked.invite.id);
  await assert.rejects(signUp({ email: "i5@example.org", username: "invited5", password: "longenough" }, { invite: revoked.token }), refusedWith("forbidden", /not valid/));
  await assert.rejects(revokeInvite(admin, invite.id), refusedWith("conflict"));
  await assert.rejects(revokeInvite(admin, "nope"), refusedWith("not_found"));
  await assert.rejects(createInvite(admin, { days: 90 }), (e: Coded) => e.code === "validation" && /at most 30 days/.test(e.fieldErrors?.days ?? ""));

  const listed = await listInvites(admin);
  const states = Object.fromEntries(listed.map((i) => [i.id, i.state]));
  assert.equal(states[invite.id], "used");
  assert.equal(states[expired.invite.id], "expired");
  assert.equal(states[revoked.invite.id], undefined);
  assert.equal(listed.find((i) => i.id === invite.id)?.usedBy, ivy?.status === "fulfilled" ? ivy.value.username : null);
  assert.equal(await db().user.count(), users + 1);
  await setMode("open");
});

test("closed mode refuses every sign-up, invite or not", async () => {
  const { signUp } = await import("./users.ts");
  const { createInvite } = await import("./invites.ts");
  const { token } = await createInvite(await rootAdmin(), {});
  await setMode("closed");
  const t = await instrumented();
  await assert.rejects(signUp({ email: "c1@example.org", username: "closed1", password: "longenough" }, {}, t.deps), refusedWith("forbidden", /closed/));
  await assert.rejects(signUp({ email: "c1@example.org", username: "closed1", password: "longenough" }, { invite: token }, t.deps), refusedWith("forbidden", /closed/));
  // refused before any hashing
  assert.equal(t.calls.hash, 0);
  await setMode("open");
});

test("sign-up limit: 10 open sign-ups per client an hour, refused before the password is hashed; invite links are not counted", async () => {
  const { signUp } = await import("./users.ts");
  const { createInvite } = await import("./invites.ts");
  const t = await instrumented();
  const client = { client: "203.0.113.5" };
  for (let i = 0; i < 10; i++) await signUp({ email: `r${i}@example.org`, username: `rate${i}`, password: "longenough" }, client, t.deps);
  assert.equal(t.calls.hash, 10);
  await assert.rejects(
    signUp({ email: "r10@example.org", username: "rate10", password: "longenough" }, client, t.deps),
    refusedWith("rate_limited", /too many sign-up attempts; try again in 60 minutes/),
  );
  assert.equal(t.calls.hash, 10);
  // another client is not affected
  await signUp({ email: "r11@example.org", username: "rate11", password: "longenough" }, { client: "203.0.113.6" }, t.deps);
  // an invite from an admin still works for the limited client: invite sign-ups are not counted
  await setMode("invite");
  const { token } = await createInvite(await rootAdmin(), {});
  await signUp({ email: "r12@example.org", username: "rate12", password: "longenough" }, { ...client, invite: token }, t.deps);
  await setMode("open");
  // the first client may come back after the hour
  t.advance(60 * MIN);
  await signUp({ email: "r10@example.org", username: "rate10", password: "longenough" }, client, t.deps);
});

test("sign-up limit: a hub-wide ceiling holds when every attempt claims another address", async () => {
  const { signUp } = await import("./users.ts");
  const t = await instrumented();
  for (let i = 0; i < 60; i++) t.deps.limiters.signUpPerHub.record("hub");
  await assert.rejects(signUp({ email: "h1@example.org", username: "hubwide1", password: "longenough" }, { client: "192.0.2.200" }, t.deps), refusedWith("rate_limited"));
  assert.equal(t.calls.hash, 0);
});

test("sign-in limit: 10 refused passwords per e-mail in 15 minutes, then refused before the password is checked", async () => {
  const { authenticate } = await import("./users.ts");
  const t = await instrumented();
  const client = { client: "198.51.100.1" };
  // good passwords do not count
  for (let i = 0; i < 12; i++) assert.equal((await authenticate("b@example.org", "longenough2", client, t.deps))?.username, "bob");
  for (let i = 0; i < 10; i++) assert.equal(await authenticate("B@example.org ", "wrong-password", client, t.deps), null);
  const checked = t.calls.verify;
  await assert.rejects(authenticate("b@example.org", "longenough2", client, t.deps), refusedWith("rate_limited", /too many sign-in attempts; try again in 15 minutes/));
  // from another address too: the limit is on the account
  await assert.rejects(authenticate("b@example.org", "longenough2", { client: "198.51.100.2" }, t.deps), refusedWith("rate_limited"));
  assert.equal(t.calls.verify, checked);
  // another account from the same client still works
  assert.equal((await authenticate("boss@example.org", "longenough", client, t.deps))?.username, "boss");
  t.advance(15 * MIN);
  assert.equal((await authenticate("b@example.org", "longenough2", client, t.deps))?.username, "bob");
});

test("sign-in limit: 30 refused passwords per client in 15 minutes, whatever the accounts", async () => {
  const { authenticate } = await import("./users.ts");
  const t = await instrumented();
  const client = { client: "198.51.100.9" };
  for (let i = 0; i < 30; i++) assert.equal(await authenticate(`nobody${i}@example.org`, "guess", client, t.deps), null);
  const checked = t.calls.verify;
  await assert.rejects(authenticate("b@example.org", "longenough2", client, t.deps), refusedWith("rate_limited"));
  assert.equal(t.calls.verify, checked);
  assert.equal((await authenticate("b@example.org", "longenough2", { client: "198.51.100.10" }, t.deps))?.username, "bob");
});

test("next-auth's sign-in passes the limit on as an error code the sign-in page explains", async () => {
  const { authOptions } = await import("../auth/options.ts");
  const provider = authOptions.providers[0] as unknown as {
    options: { authorize(c: Record<string, string>, req: { headers: Record<string, string> }): Promise<{ id: string; sessionVersion?: number } | null> };
  };
  const req = { headers: { "x-forwarded-for": "192.0.2.77" } };
  const ok = await provider.options.authorize({ email: "boss@example.org", password: "longenough" }, req);
  assert.equal(typeof ok?.sessionVersion, "number");
  for (let i = 0; i < 10; i++) assert.equal(await provider.options.authorize({ email: "boss@example.org", password: "nope-nope" }, req), null);
  await assert.rejects(provider.options.authorize({ email: "boss@example.org", password: "longenough" }, req), (e: Error) => e.message === "TooManyAttempts_15");
});

test("next-auth follows only same-origin return URLs", async () => {
  const { authOptions } = await import("../auth/options.ts");
  const redirect = authOptions.callbacks!.redirect!;
  const baseUrl = "http://127.0.0.1:3100";
  assert.equal(await redirect({ url: "/\\evil.example", baseUrl }), `${baseUrl}/`);
  assert.equal(await redirect({ url: "https://evil.example/x", baseUrl }), `${baseUrl}/`);
  assert.equal(await redirect({ url: "/runs?x=1", baseUrl }), `${baseUrl}/runs?x=1`);
  assert.equal(await redirect({ url: `${baseUrl}/settings/tokens`, baseUrl }), `${baseUrl}/settings/tokens`);
});

test("a password stored by an older hub (scrypt) is accepted once and rewritten as argon2id", async () => {
  const { authenticate, signUp } = await import("./users.ts");
  const { legacyScryptHash } = await import("./password.ts");
  const { db } = await import("../platform/db.ts");
  const old = await signUp({ email: "old@example.org", username: "oldtimer", password: "placeholder" });
  const legacy = await legacyScryptHash("from the old days");
  await db().user.update({ where: { id: old.id }, data: { passwordHash: legacy } });
  assert.equal(await authenticate("old@example.org", "wrong one"), null);
  assert.equal((await db().user.findUniqueOrThrow({ where: { id: old.id }, select: { passwordHash: true } })).passwordHash, legacy);
  assert.equal((await authenticate("old@example.org", "from the old days"))?.id, old.id);
  const now = (await db().user.findUniqueOrThrow({ where: { id: old.id }, select: { passwordHash: true } })).passwordHash;
  assert.match(now, /^\$argon2id\$/);
  assert.equal((await authenticate("old@example.org", "from the old days"))?.id, old.id);
  assert.equal(await authenticate("old@example.org", "wrong one"), null);
});

test("sign out everywhere refuses sessions issued before it; API tokens keep working", async () => {
  const { authenticate, getSessionUser, signOutEverywhere, getUserByUsername } = await import("./users.ts");
  const { createToken, viewerFromToken } = await import("./tokens.ts");
  const signedIn = (await authenticate("b@example.org", "longenough2"))!;
  assert.equal((await getSessionUser(signedIn.id, signedIn.sessionVersion))?.username, "bob");
  const { token } = await createToken((await getUserByUsername("bob"))!, "ci");
  await signOutEverywhere(signedIn);
  assert.equal(await getSessionUser(signedIn.id, signedIn.sessionVersion), null);
  const again = (await authenticate("b@example.org", "longenough2"))!;
  assert.equal(again.sessionVersion, signedIn.sessionVersion + 1);
  assert.equal((await getSessionUser(again.id, again.sessionVersion))?.username, "bob");
  assert.equal((await viewerFromToken(token))?.username, "bob");
});

test("admins promote and demote; the change ends the user's sessions; the last admin cannot be demoted", async () => {
  const { authenticate, getSessionUser, listAccounts, setUserRole, getUserByUsername } = await import("./users.ts");
  const admin = await rootAdmin();
  const boss = (await authenticate("boss@example.org", "longenough"))!;
  await assert.rejects(setUserRole(boss, admin.id, "user"), refusedWith("forbidden"));
  await assert.rejects(setUserRole(admin, admin.id, "user"), refusedWith("conflict", /last admin/));
  const promoted = await setUserRole(admin, boss.id, "admin");
  assert.equal(promoted.role, "admin");
  assert.equal(await getSessionUser(boss.id, boss.sessionVersion), null);
  // now there are two admins: one may step down
  assert.equal((await setUserRole(promoted, admin.id, "user")).role, "user");
  await assert.rejects(setUserRole(promoted, promoted.id, "user"), refusedWith("conflict"));
  await assert.rejects(setUserRole(promoted, "no-such-id", "admin"), refusedWith("not_found"));
  await setUserRole(promoted, admin.id, "admin");
  const accounts = await listAccounts(promoted);
  assert.ok(accounts.length >= 5);
  assert.equal(accounts.find((a) => a.username === "boss")?.role, "admin");
  await assert.rejects(listAccounts((await getUserByUsername("bob"))!), refusedWith("forbidden"));
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
  const { db } = await import("../platform/db.ts");
  const carol = (await getUserByUsername("boss"))!;
  const { token, summary } = await createToken(carol, { name: "laptop" });
  assert.match(token, /^lev_[A-Za-z0-9_-]{32}$/);
  const row = await db().apiToken.findUniqueOrThrow({ where: { id: summary.id } });
  assert.notEqual(row.hash, token);
  assert.equal(row.hash.length, 64);
  assert.equal((await viewerFromToken(token))?.id, carol.id);
  assert.equal((await listTokens(carol)).length, 1);
  assert.ok((await db().apiToken.findUniqueOrThrow({ where: { id: summary.id } })).lastUsedAt);
  const bob = (await getUserByUsername("bob"))!;
  await assert.rejects(revokeToken(bob, summary.id), (e: Coded) => e.code === "not_found");
  await revokeToken(carol, summary.id);
  assert.equal(await viewerFromToken(token), null);
  assert.equal(await viewerFromToken("lev_guess"), null);
  await assert.rejects(createToken(carol, { name: "  " }), (e: Coded) => e.code === "validation");
});
