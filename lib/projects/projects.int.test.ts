/**
 * Projects and their members on a real PostgreSQL: personal projects from sign-up, team projects
 * (slugs never a user's name), members added, re-roled and removed (a project keeps an owner; a
 * personal project keeps its one member), a removed or demoted member's scans disabled with the
 * reason, invites by e-mail (accepted only by that account; sign-up from them only where the hub's
 * mode allows), and the audit rows naming the project.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

const HELLO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/levhub.hello");

let hub: TestHub;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;
let carol: Viewer;

type Rejection = { code?: string; message?: string; fieldErrors?: Record<string, string> };
const code = (c: string) => (e: Rejection) => e.code === c;

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { signUp } = await import("../accounts/users.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  carol = await signUp({ email: "carol@example.org", username: "carol", password: "longenough" });
  const { publishDirectory } = await import("../packages/upload.ts");
  await publishDirectory("system", HELLO);
});

after(async () => {
  await hub?.close();
});

test("every user has a personal project from sign-up: their name, one member, no others, not deletable", async () => {
  const { listProjects, getProject, deleteProject, updateProject } = await import("./projects.ts");
  const { addMember } = await import("./members.ts");
  const mine = await listProjects(alice);
  assert.deepEqual(mine.map((p) => [p.slug, p.personal, p.role, p.memberCount]), [["alice", true, "owner", 1]]);
  const detail = await getProject(alice, "alice");
  assert.deepEqual(detail.members.map((m) => [m.username, m.role]), [["alice", "owner"]]);
  assert.deepEqual(detail.rights, ["read", "run", "manage"]);
  await assert.rejects(addMember(alice, "alice", { username: "bob", role: "viewer" }), code("validation"));
  await assert.rejects(deleteProject(alice, "alice"), code("validation"));
  await assert.rejects(updateProject(alice, "alice", { name: "renamed" }), code("validation"));
  // others do not know it; an admin sees it
  await assert.rejects(getProject(bob, "alice"), code("not_found"));
  assert.equal((await getProject(root, "alice")).role, null);
  // a window may be set on it like on any project
  const until = new Date(Date.now() + 3600_000);
  assert.equal((await updateProject(alice, "alice", { windowEnd: until })).windowEnd, until.toISOString());
  await updateProject(alice, "alice", { windowEnd: null });
});

test("a team project's slug is never a user's or a namespace's name, and sign-up cannot take a project's", async () => {
  const { createProject } = await import("./projects.ts");
  const { signUp } = await import("../accounts/users.ts");
  for (const slug of ["bob", "alice", "root_1"]) {
    await assert.rejects(createProject(alice, { slug, name: "x", description: "", client: "" }), (e: Rejection) => e.code === "conflict" && Boolean(e.fieldErrors?.slug));
  }
  const p = await createProject(alice, { slug: "northwind", name: "Northwind pentest", description: "external perimeter", client: "Northwind Traders", windowStart: null, windowEnd: null });
  assert.deepEqual([p.slug, p.personal, p.role, p.memberCount], ["northwind", false, "owner", 1]);
  await assert.rejects(createProject(bob, { slug: "northwind", name: "again", description: "", client: "" }), code("conflict"));
  await assert.rejects(signUp({ email: "nw@example.org", username: "northwind", password: "longenough" }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.username));
  const { db } = await import("../platform/db.ts");
  const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "project.create", target: "northwind" } });
  assert.equal(audit.projectId, p.id);
  assert.equal(audit.actorId, alice.id);
});

test("members: added by name, re-roled, removed; the last owner stays; only owners and admins change members", async () => {
  const { addMember, setMemberRole, removeMember } = await import("./members.ts");
  const { getProject } = await import("./projects.ts");
  await addMember(alice, "northwind", { username: "bob", role: "operator" });
  await addMember(alice, "northwind", { username: "carol", role: "viewer" });
  await assert.rejects(addMember(alice, "northwind", { username: "bob", role: "viewer" }), code("conflict"));
  await assert.rejects(addMember(alice, "northwind", { username: "nobody", role: "viewer" }), (e: Rejection) => e.code === "not_found" && Boolean(e.fieldErrors?.username));
  await assert.rejects(addMember(bob, "northwind", { username: "root_1", role: "viewer" }), code("forbidden"));
  await assert.rejects(addMember(carol, "northwind", { username: "root_1", role: "viewer" }), code("forbidden"));
  const detail = await getProject(carol, "northwind");
  assert.deepEqual(detail.members.map((m) => [m.username, m.role, m.addedBy]), [
    ["alice", "owner", "alice"],
    ["bob", "operator", "alice"],
    ["carol", "viewer", "alice"],
  ]);
  assert.deepEqual(detail.rights, ["read"]);
  // the last owner can neither go nor step down
  await assert.rejects(removeMember(alice, "northwind", "alice"), code("conflict"));
  await assert.rejects(setMemberRole(alice, "northwind", "alice", "operator"), code("conflict"));
  // with a second owner they can
  await setMemberRole(alice, "northwind", "bob", "owner");
  await setMemberRole(bob, "northwind", "alice", "operator");
  await setMemberRole(bob, "northwind", "alice", "owner");
  await setMemberRole(alice, "northwind", "bob", "operator");
  // an admin changes members anywhere, audited as an admin's action
  await setMemberRole(root, "northwind", "carol", "operator");
  await setMemberRole(root, "northwind", "carol", "viewer");
  const { db } = await import("../platform/db.ts");
  const rows = await db().auditEvent.findMany({ where: { action: "project.member.role", target: "northwind" }, orderBy: { id: "asc" } });
  assert.deepEqual(
    rows.map((r) => [r.actorId === root.id ? "root" : r.actorId === alice.id ? "alice" : "bob", (r.data as { username: string; to: string; asAdmin?: boolean }).username, (r.data as { to: string }).to, (r.data as { asAdmin?: boolean }).asAdmin ?? false]),
    [
      ["alice", "bob", "owner", false],
      ["bob", "alice", "operator", false],
      ["bob", "alice", "owner", false],
      ["alice", "bob", "operator", false],
      ["root", "carol", "operator", true],
      ["root", "carol", "viewer", true],
    ],
  );
  assert.ok(rows.every((r) => r.projectId === detail.id));
  // a member may leave
  await addMember(alice, "northwind", { username: "root_1", role: "viewer" });
  await removeMember(root, "northwind", "root_1");
  assert.equal((await db().auditEvent.findFirstOrThrow({ where: { action: "project.member.leave", target: "northwind" } })).actorId, root.id);
});

test("a member who loses the run right has their scans in the project disabled with the reason; other scans stay", async () => {
  const { createScan, getScan } = await import("../scans/scans.ts");
  const { setMemberRole, removeMember, addMember } = await import("./members.ts");
  const { fireDueScans } = await import("../scans/fire.ts");
  const bobs = await createScan(bob, { name: "bob nightly", project: "northwind", package: "levhub.hello", function: "greet.hello", args: {}, cron: "0 3 * * *" });
  const alices = await createScan(alice, { name: "alice nightly", project: "northwind", package: "levhub.hello", function: "greet.hello", args: {}, cron: "0 3 * * *" });
  const bobsOwn = await createScan(bob, { name: "bob's own", package: "levhub.hello", function: "greet.hello", args: {}, cron: "0 3 * * *" });
  assert.equal(bobsOwn.project.slug, "bob");
  await setMemberRole(alice, "northwind", "bob", "viewer");
  const after = await getScan(alice, bobs.id);
  assert.equal(after.enabled, false);
  assert.equal(after.lastError?.code, "forbidden");
  assert.equal(after.lastError?.message, "disabled: bob was made a viewer of project northwind by alice");
  assert.equal((await getScan(alice, alices.id)).enabled, true);
  assert.equal((await getScan(bob, bobsOwn.id)).enabled, true);
  // as a viewer, bob sees his scan but neither resumes nor edits it
  const { updateScan } = await import("../scans/scans.ts");
  await assert.rejects(updateScan(bob, bobs.id, { enabled: true }), code("forbidden"));
  // an operator again, his scan may be resumed; removed, it is disabled again and gone from his sight
  await setMemberRole(alice, "northwind", "bob", "operator");
  await updateScan(bob, bobs.id, { enabled: true });
  await removeMember(alice, "northwind", "bob");
  assert.equal((await getScan(alice, bobs.id)).lastError?.message, "disabled: bob was removed from project northwind by alice");
  await assert.rejects(getScan(bob, bobs.id), code("not_found"));
  // a scan whose creator is no longer a member, re-enabled by an owner, does not run as them: it is disabled
  const { db } = await import("../platform/db.ts");
  await updateScan(alice, bobs.id, { enabled: true });
  await db().savedScan.update({ where: { id: bobs.id }, data: { nextRunAt: new Date(Date.now() - 60_000) } });
  const tick = await fireDueScans(new Date());
  assert.equal(tick.disabled, 1);
  assert.equal(tick.started, 0);
  const fired = await getScan(alice, bobs.id);
  assert.deepEqual([fired.enabled, fired.lastError?.code, fired.lastError?.message], [false, "forbidden", "bob, who made this scan, may no longer run in its project: a scan runs as its creator"]);
  assert.equal(await db().run.count({ where: { scanId: bobs.id } }), 0);
  await addMember(alice, "northwind", { username: "bob", role: "operator" });
});

test("invites: only the invited account accepts; links are one-time; sign-up from them follows the hub's mode", async () => {
  const { createProjectInvite, acceptProjectInvite, projectInviteInfo, listProjectInvites, revokeProjectInvite } = await import("./invites.ts");
  const { getProject } = await import("./projects.ts");
  const { signUp } = await import("../accounts/users.ts");
  const { updateSettings } = await import("../platform/settings.ts");
  const setSignUpMode = (_admin: Viewer, mode: "open" | "invite" | "closed") => updateSettings({ signUpMode: mode });
  await setSignUpMode(root, "open");
  const open = await createProjectInvite(alice, "northwind", { email: "erin@example.org", role: "viewer", days: 7 });
  assert.equal(open.signUp, "open");
  assert.match(open.path, /^\/projects\/northwind\/join\/\S{20,}$/);
  assert.equal((await projectInviteInfo(null, "northwind", open.token)).signUp, "open");
  // under another project's slug the token is no invite
  await assert.rejects(projectInviteInfo(null, "alice", open.token), code("not_found"));
  // someone else cannot accept it
  await assert.rejects(acceptProjectInvite(carol, "northwind", open.token), code("forbidden"));
  const erin = await signUp({ email: "erin@example.org", username: "erin", password: "longenough" });
  assert.equal((await projectInviteInfo(erin, "northwind", open.token)).forViewer, true);
  assert.deepEqual(await acceptProjectInvite(erin, "northwind", open.token), { slug: "northwind", role: "viewer", outcome: "added" });
  await assert.rejects(acceptProjectInvite(erin, "northwind", open.token), code("conflict"));
  assert.equal((await getProject(erin, "northwind")).role, "viewer");
  assert.deepEqual((await listProjectInvites(alice, "northwind")).map((i) => [i.email, i.state, i.usedBy]), [["erin@example.org", "used", "erin"]]);
  await assert.rejects(listProjectInvites(erin, "northwind"), code("forbidden"));
  // invite mode: an owner who is no admin is told a new person needs an admin's invite; an admin's link also signs up
  await setSignUpMode(root, "invite");
  const byOwner = await createProjectInvite(alice, "northwind", { email: "frank@example.org", role: "operator", days: 7 });
  assert.equal(byOwner.signUp, "account-needed");
  await assert.rejects(signUp({ email: "frank@example.org", username: "frank", password: "longenough" }, { invite: byOwner.token }), code("forbidden"));
  const byAdmin = await createProjectInvite(root, "northwind", { email: "gina@example.org", role: "operator", days: 7 });
  assert.equal(byAdmin.signUp, "invite");
  assert.equal((await projectInviteInfo(null, "northwind", byAdmin.token)).signUp, "invite");
  const gina = await signUp({ email: "gina@example.org", username: "gina", password: "longenough" }, { invite: byAdmin.token });
  assert.equal((await acceptProjectInvite(gina, "northwind", byAdmin.token)).role, "operator");
  // withdrawn: the link stops working, and so does the sign-up that came with an admin's
  const withdrawn = await createProjectInvite(root, "northwind", { email: "hal@example.org", role: "viewer", days: 7 });
  await revokeProjectInvite(alice, "northwind", withdrawn.invite.id);
  await assert.rejects(projectInviteInfo(null, "northwind", withdrawn.token), code("not_found"));
  await assert.rejects(signUp({ email: "hal@example.org", username: "hal", password: "longenough" }, { invite: withdrawn.token }), code("forbidden"));
  await setSignUpMode(root, "closed");
  assert.equal((await createProjectInvite(root, "northwind", { email: "ivy@example.org", role: "viewer", days: 1 })).signUp, "account-needed");
  await setSignUpMode(root, "open");
  // a personal project invites nobody
  await assert.rejects(createProjectInvite(alice, "alice", { email: "x@example.org", role: "viewer", days: 1 }), code("validation"));
});

test("a project with records is kept; an empty one can be deleted by its owners", async () => {
  const { createProject, deleteProject } = await import("./projects.ts");
  await assert.rejects(deleteProject(alice, "northwind"), code("conflict"));
  await createProject(bob, { slug: "scratch", name: "scratch", description: "", client: "" });
  await assert.rejects(deleteProject(alice, "scratch"), code("not_found"));
  await deleteProject(bob, "scratch");
  const { db } = await import("../platform/db.ts");
  assert.equal(await db().project.count({ where: { slug: "scratch" } }), 0);
  assert.ok(await db().auditEvent.findFirst({ where: { action: "project.delete", target: "scratch" } }));
});

test("the window is checked when it is set: it must end after it starts; a change is audited with both windows", async () => {
  const { updateProject } = await import("./projects.ts");
  const startAt = new Date("2026-12-01T09:00:00Z");
  const endAt = new Date("2026-12-05T18:00:00Z");
  await updateProject(alice, "northwind", { windowStart: startAt, windowEnd: endAt });
  await assert.rejects(updateProject(alice, "northwind", { windowStart: new Date("2026-12-06T00:00:00Z") }), (e: Rejection) => e.code === "conflict" && Boolean(e.fieldErrors?.windowEnd));
  await assert.rejects(updateProject(bob, "northwind", { windowEnd: null }), code("forbidden"));
  await updateProject(alice, "northwind", { windowStart: null, windowEnd: null });
  const { db } = await import("../platform/db.ts");
  const rows = await db().auditEvent.findMany({ where: { action: "project.window", target: "northwind" }, orderBy: { id: "asc" } });
  assert.deepEqual(
    rows.map((r) => r.data),
    [
      { before: "always", after: "2026-12-01 09:00 UTC – 2026-12-05 18:00 UTC" },
      { before: "2026-12-01 09:00 UTC – 2026-12-05 18:00 UTC", after: "always" },
    ],
  );
});
