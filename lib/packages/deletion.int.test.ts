/**
 * Deleting a version or a package (lib/packages/deletion.ts) against the real database: who may,
 * the typed confirmation, what refuses it (a dependent, a queued run), and what stays (runs, their
 * pages) and goes (the catalog entry, running it again, scans pinned to it). Catalog rows are
 * written without Docker (lib/testing/catalog.ts).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

/** The problems an error carries, each as `where: message` (or the message alone). */
const said = (e: { problems?: { where: string; message: string }[] }) => (e.problems ?? []).map((p) => (p.where ? `${p.where}: ${p.message}` : p.message));

let hub: TestHub;
let root: Viewer, alice: Viewer, bob: Viewer;
type Coded = { code?: string; message?: string; fieldErrors?: Record<string, string> };

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ root, alice, bob } = await signUpTestUsers());
});
after(async () => {
  await hub?.close();
});

/** `owner`'s package at these versions (the last one latest); returns each version's id. */
async function has(owner: Viewer, name: string, versions: string[], opts: { private?: boolean; dependsOn?: { namespace: string; name: string } } = {}): Promise<Record<string, string>> {
  const { addTestPackage } = await import("../testing/catalog.ts");
  const { db } = await import("../platform/db.ts");
  const ids: Record<string, string> = {};
  for (const version of versions) {
    const id = await addTestPackage({ namespace: owner.username, ownerId: owner.id, name, version, private: opts.private ?? false, exports: [{ qualified: `${name}.go` }] });
    ids[version] = (await db().package.findUniqueOrThrow({ where: { id }, select: { latestVersionId: true } })).latestVersionId!;
  }
  if (opts.dependsOn) {
    const dep = await db().package.findFirstOrThrow({ where: { name: opts.dependsOn.name, namespace: { name: opts.dependsOn.namespace } }, select: { latestVersionId: true } });
    for (const id of Object.values(ids)) await db().versionDependency.create({ data: { versionId: id, dependencyId: dep.latestVersionId!, requirement: `lev.${opts.dependsOn.namespace}.${opts.dependsOn.name}` } });
  }
  return ids;
}

test("a version is deleted only by its publisher (or an admin), once confirmed by typing it; nothing changes otherwise", async () => {
  const { deletePackageVersions } = await import("./deletion.ts");
  const { getPackage } = await import("../catalog/catalog.ts");
  await has(alice, "secret", ["1.0.0"], { private: true });
  await has(alice, "open", ["1.0.0"]);
  await assert.rejects(deletePackageVersions(bob, { namespace: "alice", name: "secret", confirm: "alice.secret" }), (e: Coded) => e.code === "not_found", "someone else's private package does not exist");
  await assert.rejects(deletePackageVersions(bob, { namespace: "alice", name: "open", confirm: "alice.open" }), (e: Coded) => e.code === "forbidden", "a public package is not everyone's to delete");
  await assert.rejects(deletePackageVersions(alice, { namespace: "alice", name: "open", confirm: "alice.ope" }), (e: Coded) => e.code === "validation" && e.fieldErrors?.confirm === "type alice.open to confirm");
  await assert.rejects(deletePackageVersions(alice, { namespace: "alice", name: "open", version: "1.0.0", confirm: "alice.open" }), (e: Coded) => e.code === "validation" && /alice\.open@1\.0\.0/.test(e.message ?? ""));
  await assert.rejects(deletePackageVersions(alice, { namespace: "alice", name: "open", version: "9.9.9", confirm: "alice.open@9.9.9" }), (e: Coded) => e.code === "not_found");
  assert.equal((await getPackage(alice, "alice", "open")).version, "1.0.0", "still there");
  const done = await deletePackageVersions(root, { namespace: "alice", name: "secret", confirm: "alice.secret" });
  assert.deepEqual(done, { package: "alice.secret", versions: ["1.0.0"], latest: null, scansDisabled: 0 });
});

test("refused, naming why, while another package depends on it or one of its runs is queued", async () => {
  const { deletePackageVersions } = await import("./deletion.ts");
  const { db } = await import("../platform/db.ts");
  const base = await has(alice, "base", ["1.0.0"]);
  await has(alice, "tool", ["1.0.0"], { dependsOn: { namespace: "alice", name: "base" } });
  await has(bob, "hidden", ["0.1.0"], { private: true, dependsOn: { namespace: "alice", name: "base" } });
  const queued = await db().run.create({ data: { ownerId: bob.id, projectId: await personalProject(bob), versionId: base["1.0.0"], function: "base.go", args: {}, status: "queued" } });
  await assert.rejects(deletePackageVersions(alice, { namespace: "alice", name: "base", confirm: "alice.base" }), (e: Coded & { problems?: { where: string; code: string; message: string }[] }) => {
    assert.equal(e.code, "conflict");
    assert.deepEqual(said(e), ["alice.base: lev.alice.tool 1.0.0 depends on it", "alice.base: 1 more version you may not see depends on it", "alice.base: 1 of its runs is queued or running: cancel it or wait until it ends"]);
    assert.match(e.message ?? "", /^alice\.base cannot be deleted while something needs it: lev\.alice\.tool 1\.0\.0 depends on it; /);
    return true;
  });
  assert.equal((await db().packageVersion.findUniqueOrThrow({ where: { id: base["1.0.0"] } })).deletedAt, null, "nothing changed");
  // the dependents deleted and the run ended: nothing needs it any more
  await deletePackageVersions(alice, { namespace: "alice", name: "tool", confirm: "alice.tool" });
  await deletePackageVersions(bob, { namespace: "bob", name: "hidden", confirm: "bob.hidden" });
  await db().run.update({ where: { id: queued.id }, data: { status: "cancelled", endedAt: new Date() } });
  assert.equal((await deletePackageVersions(alice, { namespace: "alice", name: "base", confirm: "alice.base" })).latest, null);
});

test("a deleted version leaves the catalog and never runs again; its runs stay readable; scans pinned to it are disabled with the reason", async () => {
  const { deletePackageVersions } = await import("./deletion.ts");
  const { getPackage } = await import("../catalog/catalog.ts");
  const { resolveRunTarget, getRun } = await import("../runs/index.ts");
  const { db } = await import("../platform/db.ts");
  const ids = await has(alice, "twice", ["1.0.0", "2.0.0"]);
  const pkg = await db().package.findFirstOrThrow({ where: { name: "twice", namespace: { name: "alice" } } });
  const run = await db().run.create({ data: { ownerId: bob.id, projectId: await personalProject(bob), versionId: ids["2.0.0"], function: "twice.go", args: { x: 1 }, status: "succeeded", endedAt: new Date() } });
  const pinned = await db().savedScan.create({ data: { ownerId: bob.id, projectId: await personalProject(bob), name: "pinned", packageId: pkg.id, versionId: ids["2.0.0"], function: "twice.go", args: {}, cron: "0 3 * * *" } });
  const latest = await db().savedScan.create({ data: { ownerId: bob.id, projectId: await personalProject(bob), name: "follows", packageId: pkg.id, versionId: null, function: "twice.go", args: {}, cron: "0 3 * * *" } });

  const done = await deletePackageVersions(alice, { namespace: "alice", name: "twice", version: "2.0.0", confirm: "alice.twice@2.0.0" });
  assert.deepEqual(done, { package: "alice.twice", versions: ["2.0.0"], latest: "1.0.0", scansDisabled: 1 });
  const page = await getPackage(null, "alice", "twice");
  assert.equal(page.version, "1.0.0", "the latest moved to the highest version left");
  assert.deepEqual(page.versions.map((v) => v.version), ["1.0.0"]);
  await assert.rejects(getPackage(null, "alice", "twice", "2.0.0"), (e: Coded) => e.code === "not_found");
  assert.equal(await db().export.count({ where: { versionId: ids["2.0.0"] } }), 0, "its catalog rows are gone");
  await assert.rejects(resolveRunTarget(bob, { ref: { versionId: ids["2.0.0"] }, function: "twice.go", args: {}, projectId: null }), (e: Coded) => e.code === "not_found" && /was deleted by its publisher/.test(e.message ?? ""));
  await assert.rejects(resolveRunTarget(bob, { ref: { package: "alice.twice", version: "2.0.0" }, function: "twice.go", args: {}, projectId: null }), (e: Coded) => e.fieldErrors?.version === "deleted");
  // the run of it: its page and arguments as before
  const kept = await getRun(bob, run.id);
  assert.deepEqual([kept.packageVersion, kept.args], ["2.0.0", { x: 1 }]);
  const scans = await db().savedScan.findMany({ where: { id: { in: [pinned.id, latest.id] } }, orderBy: { name: "asc" } });
  assert.deepEqual(scans.map((s) => [s.name, s.enabled]), [["follows", true], ["pinned", false]]);
  assert.equal((scans[1].lastError as { message: string }).message, "version 2.0.0 of alice.twice was deleted by its publisher");

  // the whole package: gone from the catalog and search; every scan of it disabled; audited
  const all = await deletePackageVersions(alice, { namespace: "alice", name: "twice", confirm: "alice.twice" });
  assert.deepEqual(all, { package: "alice.twice", versions: ["1.0.0"], latest: null, scansDisabled: 1 });
  await assert.rejects(getPackage(root, "alice", "twice"), (e: Coded) => e.code === "not_found");
  assert.equal(await db().packageSearch.count({ where: { packageId: pkg.id } }), 0);
  const { browse } = await import("../catalog/catalog.ts");
  assert.equal((await browse(root, { q: "twice" })).items.some((p) => p.fullName === "alice.twice"), false);
  assert.equal((await getRun(bob, run.id)).id, run.id, "runs outlive their package");
  const audits = await db().auditEvent.findMany({ where: { target: pkg.id }, orderBy: { id: "asc" } });
  assert.deepEqual(audits.map((a) => a.action), ["version.delete", "package.delete"]);
  await assert.rejects(deletePackageVersions(alice, { namespace: "alice", name: "twice", confirm: "alice.twice" }), (e: Coded) => e.code === "not_found", "nothing left to delete");
});

/** The user's personal project (every run and scan belongs to a project). */
async function personalProject(user: Viewer): Promise<string> {
  const { db } = await import("../platform/db.ts");
  return (await db().project.findUniqueOrThrow({ where: { personalOwnerId: user.id }, select: { id: true } })).id;
}
