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
  const calls = { hash: 0, verify: 0, sleeps: [] as number[] };
  return {
    calls,
    advance: (ms: number) => (t += ms),
    deps: {
      hashPassword: (p: string) => (calls.hash++, password.hashPassword(p)),
      verifyPassword: (p: string, s: string) => (calls.verify++, password.verifyPassword(p, s)),
      limiters: createAuthLimiters(() => t),
      now: () => new Date(t),
      // the per-e-mail backoff is recorded, not waited out: the test asserts how long it would be
      sleep: async (ms: number) => void calls.sleeps.push(ms),
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
  await assert.rejects(createInvite(bob, { email: "x@example.org" }), refusedWith("forbidden"));

  const { token, item: invite } = await createInvite(admin, { email: "Ivy@Example.org", note: "for Ivy" });
  assert.equal(invite.email, "ivy@example.org");
  assert.equal(invite.state, "pending");
  assert.ok(Math.abs(new Date(invite.expiresAt).getTime() - Date.now() - 7 * 24 * 3600_000) < MIN);
  const stored = await db().invite.findUniqueOrThrow({ where: { id: invite.id } });
  assert.notEqual(stored.hash, token);
  assert.equal(await db().user.count(), users);

  // the invite fixes the e-mail: another one is refused, naming the invited address
  await assert.rejects(signUp({ email: "mallory@example.org", username: "mallory2", password: "longenough" }, { invite: token }), (e: Coded) =>
    e.code === "validation" && /this invite is for ivy@example.org/.test(e.fieldErrors?.email ?? ""));
  // two sign-ups racing on one link: one account
  const race = await Promise.allSettled([
    signUp({ email: "ivy@example.org", username: "ivy", password: "longenough" }, { invite: token }),
    signUp({ email: "ivy@example.org", username: "ivy2", password: "longenough" }, { invite: token }),
  ]);
  assert.equal(race.filter((r) => r.status === "fulfilled").length, 1);
  const ivy = race.find((r) => r.status === "fulfilled");
  assert.equal(ivy?.status === "fulfilled" && ivy.value.role, "user");
  await assert.rejects(signUp({ email: "i3@example.org", username: "invited3", password: "longenough" }, { invite: token }), refusedWith("forbidden", /used already/));

  const expired = await createInvite(admin, { email: "i4@example.org", days: 1 }, new Date(Date.now() - 2 * 24 * 3600_000));
  await assert.rejects(signUp({ email: "i4@example.org", username: "invited4", password: "longenough" }, { invite: expired.token }), refusedWith("forbidden", /expired/));
  const revoked = await createInvite(admin, { email: "i5@example.org" });
  await revokeInvite(admin, revoked.item.id);
  await assert.rejects(signUp({ email: "i5@example.org", username: "invited5", password: "longenough" }, { invite: revoked.token }), refusedWith("forbidden", /not valid/));
  await assert.rejects(revokeInvite(admin, invite.id), refusedWith("conflict"));
  await assert.rejects(revokeInvite(admin, "nope"), refusedWith("not_found"));
  await assert.rejects(createInvite(admin, { email: "i6@example.org", days: 90 }), (e: Coded) => e.code === "validation" && /at most 30 days/.test(e.fieldErrors?.days ?? ""));
  // an address with an account already is not invited
  await assert.rejects(createInvite(admin, { email: "b@example.org" }), (e: Coded) => e.code === "validation" && /exists already/.test(e.fieldErrors?.email ?? ""));

  const listed = await listInvites(admin);
  const states = Object.fromEntries(listed.map((i) => [i.id, i.state]));
  assert.equal(states[invite.id], "used");
  assert.equal(states[expired.item.id], "expired");
  assert.equal(states[revoked.item.id], undefined);
  assert.equal(listed.find((i) => i.id === invite.id)?.usedBy, ivy?.status === "fulfilled" ? ivy.value.username : null);
  assert.equal(await db().user.count(), users + 1);
  await setMode("open");
});

test("closed mode refuses every sign-up, invite or not", async () => {
  const { signUp } = await import("./users.ts");
  const { createInvite } = await import("./invites.ts");
  const { token } = await createInvite(await rootAdmin(), { email: "c1@example.org" });
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
  const { token } = await createInvite(await rootAdmin(), { email: "r12@example.org" });
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

test("sign-in: 10 refused passwords per (client, e-mail) in 15 minutes, then refused before the password is checked; the e-mail itself is never locked", async () => {
  const { signInWithCredentials } = await import("./sign-in.ts");
  const t = await instrumented();
  const from = (address: string) => ({ address });
  const bobIn = (address: string, password = "longenough2") => signInWithCredentials({ email: "b@example.org", password }, from(address), t.deps);
  // good passwords do not count
  for (let i = 0; i < 12; i++) assert.equal((await bobIn("198.51.100.1")).ok, true);
  for (let i = 0; i < 10; i++) assert.deepEqual(await signInWithCredentials({ email: "B@example.org ", password: "wrong-password" }, from("198.51.100.1"), t.deps), { ok: false, reason: "credentials" });
  const checked = t.calls.verify;
  await assert.rejects(bobIn("198.51.100.1"), refusedWith("rate_limited", /too many sign-in attempts; try again in 15 minutes/));
  assert.equal(t.calls.verify, checked);
  // from another address the account still works: nobody locks an e-mail out by typing wrong passwords
  assert.equal((await bobIn("198.51.100.2")).ok, true);
  // another account from the same client still works
  assert.equal((await signInWithCredentials({ email: "boss@example.org", password: "longenough" }, from("198.51.100.1"), t.deps)).ok, true);
  t.advance(15 * MIN);
  assert.equal((await bobIn("198.51.100.1")).ok, true);
});

test("sign-in: 30 refused passwords per client in 15 minutes, whatever the accounts", async () => {
  const { signInWithCredentials } = await import("./sign-in.ts");
  const t = await instrumented();
  for (let i = 0; i < 30; i++) assert.equal((await signInWithCredentials({ email: `nobody${i}@example.org`, password: "guess" }, { address: "198.51.100.9" }, t.deps)).ok, false);
  const checked = t.calls.verify;
  await assert.rejects(signInWithCredentials({ email: "b@example.org", password: "longenough2" }, { address: "198.51.100.9" }, t.deps), refusedWith("rate_limited"));
  assert.equal(t.calls.verify, checked);
  assert.equal((await signInWithCredentials({ email: "b@example.org", password: "longenough2" }, { address: "198.51.100.10" }, t.deps)).ok, true);
});

test("an attacker's 50 wrong passwords for alice from another client do not keep alice out: her known device signs in at once, a new one waits a few seconds at most", async () => {
  const { signInWithCredentials } = await import("./sign-in.ts");
  const { signUp } = await import("./users.ts");
  const { SIGN_IN_BACKOFF } = await import("./limits.ts");
  await signUp({ email: "alice@example.org", username: "alice", password: "alice's password" });
  const t = await instrumented();
  const alice = { email: "alice@example.org", password: "alice's password" };
  // alice signs in once from her laptop: it becomes a known device
  const first = await signInWithCredentials(alice, { address: "10.1.1.1" }, t.deps);
  assert.ok(first.ok);
  const laptop = first.deviceCookie;

  // the attacker: 50 attempts from several addresses, past the per-client limits
  let refused = 0;
  for (let i = 0; i < 50; i++) {
    try {
      assert.equal((await signInWithCredentials({ email: alice.email, password: `guess ${i}` }, { address: `203.0.113.${i % 3}` }, t.deps)).ok, false);
    } catch (e) {
      assert.ok(refusedWith("rate_limited")(e as Coded));
      refused++;
    }
  }
  assert.ok(refused > 0, "the attacker's clients are refused past their own limits");
  // the attacker at alice's own address (a shared NAT), without her cookie, changes nothing for her device either
  for (let i = 0; i < 12; i++) await signInWithCredentials({ email: alice.email, password: `nat guess ${i}` }, { address: "10.1.1.1" }, t.deps).catch(() => undefined);

  t.calls.sleeps.length = 0;
  const known = await signInWithCredentials(alice, { address: "10.1.1.1", deviceCookie: laptop }, t.deps);
  assert.equal(known.ok, true, "her known device is never refused for others' failures");
  assert.deepEqual(t.calls.sleeps, [], "and never waits");

  // from a new machine she waits out the per-e-mail backoff, a few seconds at most, and gets in
  const fresh = await signInWithCredentials(alice, { address: "10.9.9.9" }, t.deps);
  assert.equal(fresh.ok, true);
  assert.equal(t.calls.sleeps.length, 1);
  assert.ok(t.calls.sleeps[0] > 0 && t.calls.sleeps[0] <= SIGN_IN_BACKOFF.maxDelayMs, `waited ${t.calls.sleeps[0]} ms`);

  // a forged cookie is no known device
  const forged = laptop.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
  t.calls.sleeps.length = 0;
  assert.equal((await signInWithCredentials(alice, { address: "10.9.9.8", deviceCookie: forged }, t.deps)).ok, true);
  assert.equal(t.calls.sleeps.length, 1);
});

test("next-auth's sign-in passes refusals on as codes the sign-in page explains, and marks the browser as a known device", async () => {
  const { authOptions } = await import("../auth/options.ts");
  const { deviceCookieJar } = await import("../auth/device-cookie.ts");
  const written: string[] = [];
  const write = deviceCookieJar.write;
  deviceCookieJar.write = async (value: string) => void written.push(value);
  try {
    const provider = authOptions.providers[0] as unknown as {
      options: { authorize(c: Record<string, string>, req: { headers: Record<string, string> }): Promise<{ id: string; sessionVersion?: number } | null> };
    };
    const req = { headers: { "x-forwarded-for": "192.0.2.77" } };
    const ok = await provider.options.authorize({ email: "boss@example.org", password: "longenough" }, req);
    assert.equal(typeof ok?.sessionVersion, "number");
    assert.equal(written.length, 1);
    for (let i = 0; i < 10; i++) assert.equal(await provider.options.authorize({ email: "boss@example.org", password: "nope-nope" }, req), null);
    await assert.rejects(provider.options.authorize({ email: "boss@example.org", password: "longenough" }, req), (e: Error) => e.message === "TooManyAttempts_15");
    // the same browser with its known-device cookie is its own client: not refused
    const withCookie = { headers: { ...req.headers, cookie: `other=1; levhub-known-device=${encodeURIComponent(written[0])}` } };
    assert.equal((await provider.options.authorize({ email: "boss@example.org", password: "longenough" }, withCookie))?.id, ok?.id);
  } finally {
    deviceCookieJar.write = write;
  }
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
  const { token } = await createToken((await getUserByUsername("bob"))!, { name: "ci" });
  await signOutEverywhere(signedIn);
  assert.equal(await getSessionUser(signedIn.id, signedIn.sessionVersion), null);
  const again = (await authenticate("b@example.org", "longenough2"))!;
  assert.equal(again.sessionVersion, signedIn.sessionVersion + 1);
  assert.equal((await getSessionUser(again.id, again.sessionVersion))?.username, "bob");
  const lookup = await viewerFromToken(token);
  assert.equal(lookup.ok && lookup.viewer.username, "bob");
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
  const before = (await listTokens(carol)).length;
  const { token, item } = await createToken(carol, { name: "laptop" });
  assert.match(token, /^lev_[A-Za-z0-9_-]{32}$/);
  const row = await db().apiToken.findUniqueOrThrow({ where: { id: item.id } });
  assert.notEqual(row.hash, token);
  assert.equal(row.hash.length, 64);
  const found = await viewerFromToken(token);
  assert.equal(found.ok && found.viewer.id, carol.id);
  assert.equal((await listTokens(carol)).length, before + 1);
  assert.ok((await db().apiToken.findUniqueOrThrow({ where: { id: item.id } })).lastUsedAt);
  const bob = (await getUserByUsername("bob"))!;
  await assert.rejects(revokeToken(bob, item.id), (e: Coded) => e.code === "not_found");
  await revokeToken(carol, item.id);
  assert.deepEqual(await viewerFromToken(token), { ok: false, reason: "unknown" });
  assert.deepEqual(await viewerFromToken("lev_guess"), { ok: false, reason: "unknown" });
  await assert.rejects(createToken(carol, { name: "  " }), (e: Coded) => e.code === "validation");
});

test("API tokens expire (90 days unless chosen, never more than 365), are renewable, and carry their scopes and namespace to lib", async () => {
  const { createToken, renewToken, viewerFromToken, TOKEN_DAYS } = await import("./tokens.ts");
  const { getUserByUsername } = await import("./users.ts");
  const bob = (await getUserByUsername("bob"))!;
  const root = await rootAdmin();
  const { token, item } = await createToken(bob, { name: "ci" });
  assert.deepEqual(item.scopes, ["read", "run", "publish"]);
  assert.equal(item.namespace, null);
  assert.ok(Math.abs(Date.parse(item.expiresAt) - Date.now() - TOKEN_DAYS.default * 24 * 3600_000) < MIN);
  const later = new Date(Date.parse(item.expiresAt) + 1000);
  const expired = await viewerFromToken(token, later);
  assert.equal(expired.ok, false);
  assert.equal(!expired.ok && expired.reason, "expired");
  assert.equal(!expired.ok && expired.reason === "expired" && expired.expiredAt.toISOString(), item.expiresAt);
  // renewed: another N days from now, whatever it was
  const renewed = await renewToken(bob, item.id, 7, later);
  assert.ok(Math.abs(Date.parse(renewed.expiresAt) - later.getTime() - 7 * 24 * 3600_000) < MIN);
  assert.equal((await viewerFromToken(token, later)).ok, true);
  await assert.rejects(renewToken(bob, item.id, 366), (e: Coded) => e.code === "validation" && /at most 365 days/.test(e.fieldErrors?.days ?? ""));
  await assert.rejects(renewToken(root, item.id, 30), refusedWith("not_found"));
  await assert.rejects(createToken(bob, { name: "forever", days: 10_000 }), (e: Coded) => e.code === "validation" && Boolean(e.fieldErrors?.days));

  // scopes: admin only for admins; an admin's token without it acts as a plain user
  await assert.rejects(createToken(bob, { name: "x", scopes: ["admin"] }), (e: Coded) => /only admins/.test(e.fieldErrors?.scopes ?? ""));
  await assert.rejects(createToken(bob, { name: "x", scopes: [] }), (e: Coded) => Boolean(e.fieldErrors?.scopes));
  const plain = await viewerFromToken((await createToken(root, { name: "plain" })).token);
  assert.equal(plain.ok && plain.viewer.role, "user");
  const full = await viewerFromToken((await createToken(root, { name: "full", scopes: ["read", "admin"] })).token);
  assert.equal(full.ok && full.viewer.role, "admin");
  assert.deepEqual(full.ok && full.viewer.token?.scopes, ["read", "admin"]);

  // a namespace: only one the caller publishes into
  const limited = await viewerFromToken((await createToken(bob, { name: "ns", namespace: "bob" })).token);
  assert.equal(limited.ok && limited.viewer.token?.namespace, "bob");
  await assert.rejects(createToken(bob, { name: "ns", namespace: "boss" }), (e: Coded) => /do not publish into/.test(e.fieldErrors?.namespace ?? ""));
  assert.equal((await createToken(root, { name: "ns", namespace: "boss" })).item.namespace, "boss");
});

test("a namespace-limited token sees private packages only in its namespace and publishes only there", async () => {
  const { createToken, viewerFromToken } = await import("./tokens.ts");
  const { addTestPackage } = await import("../testing/catalog.ts");
  const { getPackage, browse } = await import("../catalog/catalog.ts");
  const root = await rootAdmin();
  const bobRow = (await (await import("./users.ts")).getUserByUsername("bob"))!;
  await addTestPackage({ namespace: "bob", ownerId: bobRow.id, name: "hushed", private: true, exports: [{ qualified: "hushed.go", desc: "hushed thing" }] });
  const asToken = async (namespace: string | null) => {
    const r = await viewerFromToken((await createToken(root, { name: "t", scopes: ["read", "publish", "admin"], namespace })).token);
    assert.ok(r.ok);
    return r.viewer;
  };
  const everywhere = await asToken(null);
  const onlyBoss = await asToken("boss");
  const onlyBob = await asToken("bob");
  assert.equal((await getPackage(everywhere, "bob", "hushed")).private, true);
  assert.equal((await getPackage(onlyBob, "bob", "hushed")).name, "hushed");
  await assert.rejects(getPackage(onlyBoss, "bob", "hushed"), refusedWith("not_found"));
  assert.equal((await browse(onlyBoss, { q: "hushed" })).total, 0, "not listed nor counted");
  assert.equal((await browse(onlyBob, { q: "hushed" })).total, 1);
  const { canPublishTo } = await import("../access/permissions.ts");
  assert.equal(canPublishTo(onlyBoss, "bob", { ownerId: bobRow.id }), false);
  assert.equal(canPublishTo(onlyBob, "bob", { ownerId: bobRow.id }), true);
});

test("two-factor sign-in: enrol with the secret shown as text, then password and a code; codes are not accepted twice; recovery codes work once", async () => {
  const { startTwoFactor, confirmTwoFactor, disableTwoFactor, twoFactorStatus } = await import("./two-factor.ts");
  const { signInWithCredentials } = await import("./sign-in.ts");
  const { base32Decode, totp } = await import("./totp.ts");
  const { signUp } = await import("./users.ts");
  const { db } = await import("../platform/db.ts");
  const dora = await signUp({ email: "dora@example.org", username: "dora", password: "dora's password" });
  const t = await instrumented();
  const creds = { email: "dora@example.org", password: "dora's password" };
  const enrolment = await startTwoFactor(dora);
  assert.match(enrolment.uri, /^otpauth:\/\/totp\/Levhub:dora%40example\.org\?secret=[A-Z2-7]+/);
  assert.match(enrolment.qrSvg, /^<svg /);
  // stored encrypted: neither the base32 text nor the bytes appear in the row
  const stored = (await db().user.findUniqueOrThrow({ where: { id: dora.id }, select: { totpSecret: true } })).totpSecret ?? "";
  assert.ok(stored.startsWith("v1.") && !stored.includes(enrolment.secret));
  const secret = base32Decode(enrolment.secret)!;
  // until it is confirmed, sign-in asks for no code
  assert.equal((await signInWithCredentials(creds, { address: "10.2.0.1" }, t.deps)).ok, true);
  await assert.rejects(confirmTwoFactor(dora, "000000"), (e: Coded) => e.code === "validation");
  const now = Date.now();
  const { recoveryCodes } = await confirmTwoFactor(dora, totp(secret, now - 30_000), new Date(now));
  assert.equal(recoveryCodes.length, 10);
  assert.equal(new Set(recoveryCodes).size, 10);
  const hashes = await db().recoveryCode.findMany({ where: { userId: dora.id } });
  assert.ok(hashes.every((h) => !recoveryCodes.includes(h.hash)));
  assert.equal((await twoFactorStatus(dora)).enabled, true);

  // the password alone: "give the code" (no failure counted); a wrong code is a failure
  assert.deepEqual(await signInWithCredentials(creds, { address: "10.2.0.1" }, t.deps), { ok: false, reason: "second_factor_needed" });
  assert.deepEqual(await signInWithCredentials({ ...creds, otp: "123456" }, { address: "10.2.0.1" }, t.deps), { ok: false, reason: "second_factor_wrong" });
  assert.equal(t.deps.limiters.signInPerClientEmail.count("address:10.2.0.1|dora@example.org"), 1);
  // a wrong password with a right code is still just wrong credentials
  const code = totp(secret, Date.now());
  assert.deepEqual(await signInWithCredentials({ ...creds, password: "nope", otp: code }, { address: "10.2.0.1" }, t.deps), { ok: false, reason: "credentials" });
  const signedIn = await signInWithCredentials({ ...creds, otp: code }, { address: "10.2.0.1" }, t.deps);
  assert.equal(signedIn.ok && signedIn.user.username, "dora");
  // the same code again, within its 30 seconds: refused
  assert.deepEqual(await signInWithCredentials({ ...creds, otp: code }, { address: "10.2.0.2" }, t.deps), { ok: false, reason: "second_factor_wrong" });
  // a recovery code, once, typed any way
  const rc = recoveryCodes[3];
  assert.equal((await signInWithCredentials({ ...creds, otp: ` ${rc.toUpperCase().replace("-", "")} ` }, { address: "10.2.0.3" }, t.deps)).ok, true);
  assert.deepEqual(await signInWithCredentials({ ...creds, otp: rc }, { address: "10.2.0.3" }, t.deps), { ok: false, reason: "second_factor_wrong" });
  assert.equal((await twoFactorStatus(dora)).recoveryCodesLeft, 9);
  // turning it off needs a code
  await assert.rejects(disableTwoFactor(dora, "999999"), (e: Coded) => e.code === "validation");
  await disableTwoFactor(dora, recoveryCodes[0]);
  assert.equal((await twoFactorStatus(dora)).enabled, false);
  assert.equal(await db().recoveryCode.count({ where: { userId: dora.id } }), 0);
  assert.equal((await signInWithCredentials(creds, { address: "10.2.0.4" }, t.deps)).ok, true);
});

test("an admin's two-factor requirement: accounts without it owe the set-up, and their API tokens stop working until they have", async () => {
  const { setTwoFactorRequirement, mustEnrol, twoFactorRequiredFor } = await import("./two-factor.ts");
  const { createToken, viewerFromToken } = await import("./tokens.ts");
  const { getUserByUsername } = await import("./users.ts");
  const root = await rootAdmin();
  const bob = (await getUserByUsername("bob"))!;
  assert.deepEqual(
    (["none", "admins", "everyone"] as const).map((r) => [twoFactorRequiredFor("user", r), twoFactorRequiredFor("admin", r)]),
    [[false, false], [false, true], [true, true]],
  );
  const { token } = await createToken(bob, { name: "2fa" });
  await assert.rejects(setTwoFactorRequirement(bob, "everyone"), refusedWith("forbidden"));
  await setTwoFactorRequirement(root, "admins");
  assert.equal((await viewerFromToken(token)).ok, true, "bob is no admin");
  assert.equal(await mustEnrol({ role: "admin", totpEnabledAt: null }), true);
  await setTwoFactorRequirement(root, "everyone");
  assert.deepEqual(await viewerFromToken(token), { ok: false, reason: "two_factor_required" });
  assert.equal(await mustEnrol({ role: "user", totpEnabledAt: new Date() }), false, "enrolled accounts owe nothing");
  await setTwoFactorRequirement(root, "none");
  assert.equal((await viewerFromToken(token)).ok, true);
});

test("in open mode the sign-up form answers an e-mail in use exactly as a new one, creating nothing and signing nobody in", async () => {
  const { signUpFromWeb, authenticate } = await import("./users.ts");
  const { db } = await import("../platform/db.ts");
  await setMode("open");
  const t = await instrumented();
  const users = await db().user.count();
  const fresh = await signUpFromWeb({ email: "newbie@example.org", username: "newbie", password: "a new password" }, { client: "192.0.2.40" }, t.deps);
  const taken = await signUpFromWeb({ email: "b@example.org", username: "bobclone", password: "an attacker's password" }, { client: "192.0.2.40" }, t.deps);
  assert.deepEqual(fresh, { via: "open", signIn: "manual" });
  assert.deepEqual(taken, fresh);
  assert.equal(await db().user.count(), users + 1);
  assert.equal(t.calls.hash, 2, "both hash the password: the answer takes as long either way");
  assert.equal(await authenticate("b@example.org", "an attacker's password"), null);
  assert.equal((await authenticate("b@example.org", "longenough2"))?.username, "bob");
  // a taken user name is public anyway (it is a namespace): it may be said
  await assert.rejects(signUpFromWeb({ email: "other@example.org", username: "bob", password: "a new password" }, { client: "192.0.2.40" }, t.deps), (e: Coded) => /taken/.test(e.fieldErrors?.username ?? ""));
});
