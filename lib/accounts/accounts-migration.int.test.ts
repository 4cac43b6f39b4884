/**
 * Issue 23's defaults for hubs old and new: a fresh hub signs up by invitation; a hub upgraded with
 * accounts keeps its sign-up mode, and its API tokens get every scope their owners could use, a
 * 90-day expiry from the upgrade and a notice for their owners.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import { applyMigrations, MIGRATIONS_DIR } from "../platform/migrate.ts";

const THIS_MIGRATION = "20261207200000_accounts_trust";
const DAY = 24 * 3600_000;
let hub: TestHub;
const migrations = () => readdirSync(MIGRATIONS_DIR).filter((d) => /^\d{14}_/.test(d));

before(async () => {
  hub = await startTestHub({ signUpMode: "fresh" });
});
after(async () => {
  await hub?.close();
});

test("a fresh hub signs up by invitation: no invite, no account", async () => {
  const { getSettings } = await import("../platform/settings.ts");
  const { signUp } = await import("./users.ts");
  assert.equal((await getSettings()).signUpMode, "invite");
  await assert.rejects(signUp({ email: "walk-in@example.org", username: "walkin", password: "longenough" }), (e: { code?: string; message?: string }) =>
    e.code === "forbidden" && /invitation only/.test(e.message ?? ""));
});

/** A database of its own in the test hub's server, migrated up to (not including) this migration. */
async function databaseBeforeUpgrade(name: string): Promise<{ url: string; client: pg.Client }> {
  const admin = new pg.Client({ connectionString: hub.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = hub.databaseUrl.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);
  const older = mkdtempSync(path.join(tmpdir(), "levhub-migrations-"));
  try {
    for (const d of migrations().filter((d) => d < THIS_MIGRATION)) cpSync(path.join(MIGRATIONS_DIR, d), path.join(older, d), { recursive: true });
    await applyMigrations(url, older);
  } finally {
    rmSync(older, { recursive: true, force: true });
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return { url, client };
}

test("upgrading a hub with accounts keeps its sign-up mode; its tokens get all their owners' scopes, 90 days, and a notice", async () => {
  const { url, client } = await databaseBeforeUpgrade("levhub_upgrade");
  try {
    await client.query(`INSERT INTO "User" (id, email, username, "passwordHash", role, "updatedAt") VALUES
      ('u_admin', 'root@example.org', 'root_1', 'x', 'admin', now()), ('u_user', 'u@example.org', 'uma', 'x', 'user', now())`);
    await client.query(`INSERT INTO "ApiToken" (id, "userId", name, hash, prefix) VALUES
      ('t_admin', 'u_admin', 'ops', 'h1', 'lev_aaaaaa'), ('t_user', 'u_user', 'ci', 'h2', 'lev_bbbbbb')`);
    // the settings row a hub writes at its first start (the bootstrap token), without a sign-up mode
    await client.query(`INSERT INTO "HubSettings" (id, data, "updatedAt") VALUES (1, '{"bootstrapTokenHash": null}', now())`);
    const invite = await client.query(`INSERT INTO "Invite" (id, hash, "expiresAt") VALUES ('i1', 'ih', now() + interval '1 day') RETURNING id`);
    assert.equal(invite.rowCount, 1);
    const upgradedAt = Date.now();
    assert.deepEqual(await applyMigrations(url), migrations().filter((d) => d >= THIS_MIGRATION));

    const tokens = (await client.query<{ id: string; scopes: string[]; expiresAt: Date; migrationNotice: boolean; namespace: string | null }>(`SELECT id, scopes, "expiresAt", "migrationNotice", namespace FROM "ApiToken" ORDER BY id`)).rows;
    assert.deepEqual(tokens.map((t) => [t.id, t.scopes, t.migrationNotice, t.namespace]), [
      ["t_admin", ["read", "run", "publish", "admin"], true, null],
      ["t_user", ["read", "run", "publish"], true, null],
    ]);
    for (const t of tokens) assert.ok(Math.abs(t.expiresAt.getTime() - upgradedAt - 90 * DAY) < 10 * 60_000, `${t.id} expires ${t.expiresAt.toISOString()}`);
    const settings = (await client.query<{ data: Record<string, unknown> }>(`SELECT data FROM "HubSettings" WHERE id = 1`)).rows[0].data;
    assert.equal(settings.signUpMode, "open", "an install with accounts keeps the mode it had");
    // an invite made before invites named an e-mail stays usable by whoever holds it
    assert.equal((await client.query(`SELECT email FROM "Invite" WHERE id = 'i1'`)).rows[0].email, null);
  } finally {
    await client.end();
  }
});

test("upgrading a hub whose admin chose a mode keeps that mode; one nobody signed up to yet becomes invite-only", async () => {
  const chosen = await databaseBeforeUpgrade("levhub_chosen");
  const empty = await databaseBeforeUpgrade("levhub_empty");
  try {
    await chosen.client.query(`INSERT INTO "User" (id, email, username, "passwordHash", role, "updatedAt") VALUES ('u1', 'a@example.org', 'anna', 'x', 'admin', now())`);
    await chosen.client.query(`INSERT INTO "HubSettings" (id, data, "updatedAt") VALUES (1, '{"signUpMode": "closed"}', now())`);
    await applyMigrations(chosen.url);
    assert.equal((await chosen.client.query(`SELECT data->>'signUpMode' AS mode FROM "HubSettings"`)).rows[0].mode, "closed");

    await empty.client.query(`INSERT INTO "HubSettings" (id, data, "updatedAt") VALUES (1, '{"bootstrapTokenHash": "abc"}', now())`);
    await applyMigrations(empty.url);
    // nothing written: the settings' default (invite) applies
    assert.equal((await empty.client.query(`SELECT data->>'signUpMode' AS mode FROM "HubSettings"`)).rows[0].mode, null);
  } finally {
    await chosen.client.end();
    await empty.client.end();
  }
});
