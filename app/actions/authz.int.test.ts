/**
 * Every exported server action, called as each role against the real database (and Docker for
 * uploads and runs), gets the outcome the authorization matrix declares; a refused call changes
 * no row. The outcome is what the wrapped action underneath decided (reported on its diagnostics
 * channel), since the exported actions adapt it to their forms' states.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ACTIONS, ROLES, type ActionFixtures, type Role } from "../../e2e/support/authz-matrix.ts";
import { actionExports, surfaceDiff } from "../../e2e/support/app-surface.ts";
import { fixtureFiles } from "../../e2e/support/archive.ts";
import { inActionRequest } from "../../lib/testing/next-server.ts";
import { startTestHub, type TestHub } from "../../lib/testing/hub.ts";
import type { ActionSettled } from "../../lib/actions/safe-action.ts";
import type { Viewer } from "../../lib/types.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PROBE = path.join(ROOT, "e2e", "fixtures", "probe-fixed");
const HELLO = path.join(ROOT, "examples", "levhub.hello");
const PACKAGE = "probe";
const PROJECT = "authz-team";

let hub: TestHub;
let fx: ActionFixtures;
const viewers = new Map<Role, Viewer | null>();

/** The owner's probe package at `version`, as a zip. */
async function probeZip(owner: string, version: string): Promise<Buffer> {
  const { buildZip } = await import("../../lib/packages/archives.ts");
  return buildZip(
    fixtureFiles(PROBE, owner).map((f) => ({
      name: `${owner}.${PACKAGE}/${f.path}`,
      data: f.path === "pyproject.toml" ? f.content.toString("utf8").replace(/^version = .*$/m, `version = "${version}"`) : f.content,
    })),
  );
}

before(async () => {
  hub = await startTestHub();
  // the fixture run goes through the queue: a worker on this machine's engine takes it
  await hub.startWorker();
  const { signUp, getUser } = await import("../../lib/accounts/users.ts");
  const { db } = await import("../../lib/platform/db.ts");
  const { publishArchive } = await import("../../lib/packages/upload.ts");
  const { startRun, waitForRun } = await import("../../lib/runs/index.ts");
  const { createToken } = await import("../../lib/accounts/tokens.ts");

  const account = async (username: string, role: "user" | "admin") => {
    const v = await signUp({ email: `${username}@example.test`, username, password: "a long enough password" });
    // roles are set directly: how the first admin is made is not what this test is about
    await db().user.update({ where: { id: v.id }, data: { role } });
    return (await getUser(v.id))!;
  };
  const owner = await account("owner", "user");
  const operator = await account("operator", "user");
  const viewer = await account("viewer", "user");
  const other = await account("other", "user");
  const admin = await account("admin_1", "admin");
  viewers.set("anonymous", null).set("owner", owner).set("operator", operator).set("viewer", viewer).set("other", other).set("admin", admin);

  const published = await publishArchive(owner, { filename: "probe.zip", data: await probeZip(owner.username, "0.1.0") }, { private: true });
  // the owner's team project, with an operator and a viewer; its run and scan are of the public example
  const { publishDirectory } = await import("../../lib/packages/upload.ts");
  const hello = await publishDirectory("system", HELLO);
  const { teamProject } = await import("../../lib/testing/projects.ts");
  await teamProject(owner, PROJECT, [
    [operator, "operator"],
    [viewer, "viewer"],
  ]);
  const run = await startRun(owner, { versionId: hello.versionId, function: "greet.hello", args: { name: "fixture" }, project: PROJECT });
  await waitForRun(owner, run.id);
  const { createScan } = await import("../../lib/scans/scans.ts");
  const scan = await createScan(owner, { name: "fixture", project: PROJECT, package: "levhub.hello", function: "greet.hello", args: { name: "fixture" }, cron: "0 3 * * *" });
  const { createProjectInvite } = await import("../../lib/projects/invites.ts");
  const projectInvite = await createProjectInvite(owner, PROJECT, { email: "invitee@example.test", role: "viewer", days: 7 });
  const token = await createToken(owner, { name: "fixture" });
  const { setGrant } = await import("../../lib/policy/grants.ts");
  const grant = await setGrant(admin, { namespace: other.username, package: null, network: "none", caps: ["NET_RAW"], note: "fixture" });
  const { createInvite } = await import("../../lib/accounts/invites.ts");
  const invite = await createInvite(admin, { email: "invited@example.test", note: "fixture" });
  const spare = await account("spare", "user");
  // a file the owner gave the team project (issue 20)
  const { uploadFile } = await import("../../lib/files/uploads.ts");
  const { stageTestFile } = await import("../../lib/testing/files.ts");
  const file = await uploadFile(owner, await stageTestFile("authz.txt", "one line\n"), { project: PROJECT });

  const archives = new Map<Role, File>();
  for (const [i, role] of ROLES.entries()) {
    archives.set(role, new File([new Uint8Array(await probeZip(owner.username, `0.3.${i}`))], `probe-0.3.${i}.zip`));
  }
  let n = 0;
  fx = {
    owner: owner.username,
    operator: operator.username,
    viewer: viewer.username,
    project: PROJECT,
    inviteToken: projectInvite.token,
    other: other.username,
    admin: admin.username,
    packageName: PACKAGE,
    fn: "echo",
    versionId: published.versionId,
    runId: run.id,
    scanId: scan.id,
    ownerTokenId: token.item.id,
    archive: (role) => archives.get(role)!,
    unique: (role) => `u${++n}_${role}`.slice(0, 32),
    grantId: grant.id,
    inviteId: invite.item.id,
    spareUserId: spare.id,
    fileId: file.id,
  };
});

after(async () => {
  await hub?.close();
});

/**
 * A digest of every row of every table: equal before and after means the call changed nothing.
 * The test's worker keeps heartbeating meanwhile: when a worker and its credential were last seen,
 * and the numbers of the requests its instance sent, are its liveness, not a change any action made.
 */
async function databaseDigest(): Promise<string> {
  const { db } = await import("../../lib/platform/db.ts");
  const tables = await db().$queryRawUnsafe<{ name: string }[]>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const quoted = `"${name.replace(/"/g, '""')}"`;
    const [row] = await db().$queryRawUnsafe<{ h: string }[]>(`SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) AS h FROM (SELECT to_jsonb(t) - 'lastSeenAt' - 'lastUsedAt' - 'requestSeq' - 'requestSeqWindow' AS r FROM ${quoted} t) x`);
    parts.push(`${name}:${row.h}`);
  }
  return parts.join("\n");
}

/** Runs started by an allowed call finish before the next digest is taken. */
async function untilNoActiveRuns(): Promise<void> {
  const { db } = await import("../../lib/platform/db.ts");
  const deadline = Date.now() + 120_000;
  while ((await db().run.count({ where: { status: { in: ["queued", "starting", "running"] } } })) > 0) {
    assert.ok(Date.now() < deadline, "runs started by the actions ended within 120 s");
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The action modules: every `"use server"` file of app/actions, imported for real. */
async function actionModules(): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  const files = [...new Set(actionExports(ROOT).map((k) => k.split("#")[0]))];
  for (const file of files) out.set(file, (await import(path.join(ROOT, file))) as Record<string, unknown>);
  return out;
}

test("the matrix has an entry for every exported server action, and no other", async () => {
  const problems = surfaceDiff("server action", actionExports(ROOT), Object.keys(ACTIONS));
  // what the module really exports must agree with what was read from its source
  for (const [file, mod] of await actionModules()) {
    const real = Object.keys(mod).filter((k) => typeof mod[k] === "function").map((k) => `${file}#${k}`);
    problems.push(...surfaceDiff("export (read from the module)", real, actionExports(ROOT).filter((k) => k.startsWith(`${file}#`))));
  }
  assert.ok(readdirSync(path.join(ROOT, "app", "actions")).length > 0);
  assert.deepEqual(problems, []);
});

test("every exported server action answers each role as the matrix says, and a refused call changes nothing", async (t) => {
  const { actionChannel, setActionViewerSource } = await import("../../lib/actions/safe-action.ts");
  const modules = await actionModules();
  const settled: ActionSettled[] = [];
  const listen = (msg: unknown) => settled.push(msg as ActionSettled);
  actionChannel.subscribe(listen);
  let role: Role = "anonymous";
  const previous = setActionViewerSource(async () => viewers.get(role) ?? null);
  const mismatches: string[] = [];
  try {
    for (const [key, entry] of Object.entries(ACTIONS)) {
      const [file, name] = key.split("#");
      const action = modules.get(file)?.[name];
      if (typeof action !== "function") {
        mismatches.push(`${key}: not exported by ${file}`);
        continue;
      }
      // refusals first, so the allowed calls cannot change what a later refusal is checked against
      const order = [...ROLES].sort((a, b) => Number(entry.expect[a] === "ok") - Number(entry.expect[b] === "ok"));
      for (const r of order) {
        role = r;
        settled.length = 0;
        const before = await databaseDigest();
        let thrown: unknown = null;
        try {
          await inActionRequest(new Headers({ "x-forwarded-for": "127.0.0.1" }), () => (action as (...args: unknown[]) => Promise<unknown>)(...entry.args(fx, r)));
        } catch (err) {
          // after an allowed call, Next's revalidatePath/redirect have no request to act on here
          thrown = err;
        }
        if (settled.length === 0) {
          mismatches.push(`${key} as ${r}: went through no wrapped action${thrown ? ` (threw ${String(thrown)})` : ""}`);
          continue;
        }
        const refused = settled.find((s) => s.outcome !== "ok");
        const outcome = refused?.outcome ?? "ok";
        t.diagnostic(`${key} as ${r}: ${outcome}`);
        if (outcome !== entry.expect[r]) mismatches.push(`${key} as ${r}: ${outcome}, expected ${entry.expect[r]}`);
        for (const s of settled) if (s.spec.access !== entry.access) mismatches.push(`${key}: wrapped as ${s.spec.access}, the matrix says ${entry.access}`);
        if (outcome !== "ok") {
          if ((await databaseDigest()) !== before) mismatches.push(`${key} as ${r}: refused (${outcome}) but the database changed`);
        } else {
          await untilNoActiveRuns();
        }
      }
    }
  } finally {
    setActionViewerSource(previous);
    actionChannel.unsubscribe(listen);
  }
  assert.deepEqual(mismatches, []);
});
