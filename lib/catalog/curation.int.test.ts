/**
 * Curation against the real database: only admins mark packages official, the mark names the
 * reviewer and the time, is audited, leaves "recently published" alone, and drives the catalog's
 * official filter without revealing anyone's private package.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import { goodInit, packageEntries } from "../testing/packages.ts";
import type { Viewer } from "../types.ts";

let hub: TestHub;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;

type Coded = { code?: string; fieldErrors?: Record<string, string> };
const refusedWith = (code: string) => (e: Coded) => e.code === code;

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { publishArchive } = await import("../packages/upload.ts");
  const { buildTarGz } = await import("../packages/archives.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  const publish = async (v: Viewer, name: string, isPrivate: boolean) =>
    publishArchive(v, { filename: `${name}.tar.gz`, data: await buildTarGz(packageEntries(v.username, name, "1.0.0", goodInit())) }, { private: isPrivate });
  await publish(alice, "reviewed", false);
  await publish(alice, "plain", false);
  await publish(bob, "secret", true);
});
after(async () => {
  await hub?.close();
});

async function snapshot() {
  const { db } = await import("../platform/db.ts");
  return JSON.stringify([
    await db().package.findMany({ select: { id: true, officialAt: true, officialById: true, updatedAt: true }, orderBy: { id: "asc" } }),
    await db().auditEvent.count(),
  ]);
}

test("only admins mark packages official; refusals and bad input change nothing", async () => {
  const { setOfficial } = await import("./curation.ts");
  const before = await snapshot();
  await assert.rejects(setOfficial(alice, { namespace: "alice", name: "reviewed", official: true }), refusedWith("forbidden"));
  await assert.rejects(setOfficial(root, { namespace: "alice", name: "nothere", official: true }), refusedWith("not_found"));
  await assert.rejects(setOfficial(root, { namespace: "alice", name: "reviewed", official: "yes" as never }), (e: Coded) => e.code === "validation" && Boolean(e.fieldErrors?.official));
  await assert.rejects(setOfficial(root, { namespace: "../x", name: "reviewed", official: true }), (e: Coded) => e.code === "validation" && Boolean(e.fieldErrors?.namespace));
  assert.equal(await snapshot(), before);
});

test("an admin's mark names the reviewer and the time, is audited, and does not move the package in 'recently published'", async () => {
  const { setOfficial } = await import("./curation.ts");
  const { getPackage, recentPackages } = await import("./catalog.ts");
  const { db } = await import("../platform/db.ts");
  const recentBefore = (await recentPackages(null)).map((p) => p.fullName);
  const updatedBefore = (await db().package.findFirstOrThrow({ where: { name: "reviewed" } })).updatedAt;
  const t0 = Date.now();
  const mark = await setOfficial(root, { namespace: "alice", name: "reviewed", official: "true" });
  assert.ok(mark);
  assert.equal(mark.by, "root_1");
  assert.ok(Date.parse(mark.at) >= t0 - 1000 && Date.parse(mark.at) <= Date.now() + 1000);
  const seen = await getPackage(bob, "alice", "reviewed");
  assert.deepEqual(seen.official, mark, "every viewer sees who reviewed it");
  assert.equal((await getPackage(bob, "alice", "plain")).official, null);
  assert.equal((await db().package.findFirstOrThrow({ where: { name: "reviewed" } })).updatedAt.getTime(), updatedBefore.getTime());
  assert.deepEqual((await recentPackages(null)).map((p) => p.fullName), recentBefore);
  const event = await db().auditEvent.findFirst({ where: { action: "package.official" }, orderBy: { createdAt: "desc" } });
  assert.equal(event?.target, "alice.reviewed");
  assert.equal(event?.actorId, root.id);
});

test("browse filters by the official mark (?official=true) with a facet that counts what the other filters leave", async () => {
  const { browse, browseQuerySchema } = await import("./catalog.ts");
  assert.equal(browseQuerySchema.parse({ official: "true" }).official, true);
  assert.equal(browseQuerySchema.parse({ official: ["true", "false"] }).official, true);
  assert.equal(browseQuerySchema.parse({ official: "yes" }).official, undefined, "anything else is no filter, not an error");
  assert.equal(browseQuerySchema.parse(browseQuerySchema.parse({ official: "true" })).official, true, "a parsed query parses the same");

  const all = await browse(alice, {});
  assert.deepEqual(all.facets.official, [{ key: "true", label: "Official", count: 1 }]);
  const official = await browse(alice, { official: true });
  assert.deepEqual(official.items.map((p) => p.fullName), ["alice.reviewed"]);
  assert.equal(official.total, 1);
  assert.equal(official.items[0].official?.by, "root_1");
  // the other facets count within the official packages
  assert.deepEqual(official.facets.kind.map((f) => [f.key, f.count]), [["tool", 1]]);
  const none = await browse(alice, { official: true, kind: "workflow" });
  assert.equal(none.total, 0);
  assert.deepEqual(none.facets.official, [{ key: "true", label: "Official", count: 0 }]);
});

test("a private package marked official stays invisible to others, in the filter and its count", async () => {
  const { setOfficial } = await import("./curation.ts");
  const { browse, getPackage } = await import("./catalog.ts");
  await setOfficial(root, { namespace: "bob", name: "secret", official: true });
  assert.deepEqual((await browse(alice, { official: true })).items.map((p) => p.fullName), ["alice.reviewed"]);
  assert.equal((await browse(alice, {})).facets.official[0].count, 1);
  assert.deepEqual((await browse(bob, { official: true })).items.map((p) => p.fullName), ["alice.reviewed", "bob.secret"]);
  await assert.rejects(getPackage(alice, "bob", "secret"), refusedWith("not_found"));
});

test("removing the mark is audited and takes the package out of the filter; removing it again is a no-op", async () => {
  const { setOfficial } = await import("./curation.ts");
  const { browse } = await import("./catalog.ts");
  const { db } = await import("../platform/db.ts");
  assert.equal(await setOfficial(root, { namespace: "alice", name: "reviewed", official: "false" }), null);
  assert.deepEqual((await browse(alice, { official: true })).items, []);
  const row = await db().package.findFirstOrThrow({ where: { name: "reviewed" } });
  assert.equal(row.officialAt, null);
  assert.equal(row.officialById, null);
  const events = await db().auditEvent.count({ where: { action: "package.unofficial", target: "alice.reviewed" } });
  assert.equal(events, 1);
  assert.equal(await setOfficial(root, { namespace: "alice", name: "reviewed", official: false }), null);
  assert.equal(await db().auditEvent.count({ where: { action: "package.unofficial", target: "alice.reviewed" } }), 1);
});

test("a version published after the review is newer than the mark; marking again records a new review", async () => {
  const { setOfficial } = await import("./curation.ts");
  const { getPackage } = await import("./catalog.ts");
  const { publishArchive } = await import("../packages/upload.ts");
  const { buildTarGz } = await import("../packages/archives.ts");
  const first = await setOfficial(root, { namespace: "alice", name: "plain", official: true });
  assert.ok(first);
  await publishArchive(alice, { filename: "plain.tar.gz", data: await buildTarGz(packageEntries("alice", "plain", "1.1.0", goodInit())) });
  const detail = await getPackage(alice, "alice", "plain");
  assert.deepEqual(detail.official, first, "a new version keeps the mark (the page names what the review did not see)");
  assert.deepEqual(detail.versions.filter((v) => Date.parse(v.createdAt) > Date.parse(first.at)).map((v) => v.version), ["1.1.0"]);
  const again = await setOfficial(root, { namespace: "alice", name: "plain", official: true });
  assert.ok(again && Date.parse(again.at) >= Date.parse(detail.versions[0].createdAt));
  assert.deepEqual((await getPackage(alice, "alice", "plain")).official, again);
});
