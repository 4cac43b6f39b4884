/**
 * The package page's visibility button (lib/packages/visibility.ts) against the real database:
 * who may change it, and the rule that a public package depends only on public ones. Catalog rows
 * are written without Docker (lib/testing/catalog.ts); the dependency rows as an upload pins them.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

let hub: TestHub;
let root: Viewer, alice: Viewer, bob: Viewer;
type Coded = { code?: string; message?: string };

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ root, alice, bob } = await signUpTestUsers());
});
after(async () => {
  await hub?.close();
});

/** A package of alice's at one version, optionally pinning `dependsOn`'s latest version; returns its latest version id. */
async function aliceHas(name: string, opts: { private: boolean; dependsOn?: string }): Promise<string> {
  const { addTestPackage } = await import("../testing/catalog.ts");
  const { db } = await import("../platform/db.ts");
  const id = await addTestPackage({ namespace: "alice", ownerId: alice.id, name, private: opts.private, exports: [{ qualified: `${name}.go` }] });
  const pkg = await db().package.findUniqueOrThrow({ where: { id }, select: { latestVersionId: true } });
  if (opts.dependsOn) {
    const dep = await db().package.findFirstOrThrow({ where: { name: opts.dependsOn, namespace: { name: "alice" } }, select: { latestVersionId: true } });
    await db().versionDependency.create({ data: { versionId: pkg.latestVersionId!, dependencyId: dep.latestVersionId!, requirement: `lev.alice.${opts.dependsOn}` } });
  }
  return pkg.latestVersionId!;
}

test("the owner and admins make a package public or private; others are refused, and someone else's private package does not exist for them", async () => {
  const { setPackageVisibility } = await import("./visibility.ts");
  const { getPackage } = await import("../catalog/catalog.ts");
  await aliceHas("solo", { private: true });
  await assert.rejects(setPackageVisibility(bob, { namespace: "alice", name: "solo", private: false }), (e: Coded) => e.code === "not_found");
  assert.deepEqual(await setPackageVisibility(alice, { namespace: "alice", name: "solo", private: false }), { private: false });
  assert.equal((await getPackage(null, "alice", "solo")).private, false, "anyone sees it now");
  // public now: bob sees it, but it is not his to change
  await assert.rejects(setPackageVisibility(bob, { namespace: "alice", name: "solo", private: true }), (e: Coded) => e.code === "forbidden");
  assert.deepEqual(await setPackageVisibility(root, { namespace: "alice", name: "solo", private: true }), { private: true });
  await assert.rejects(getPackage(bob, "alice", "solo"), (e: Coded) => e.code === "not_found");
  await assert.rejects(setPackageVisibility(alice, { namespace: "alice", name: "nothing", private: true }), (e: Coded) => e.code === "not_found");
});

test("a public package depends only on public ones: each change that would break that is refused, naming the package", async () => {
  const { setPackageVisibility } = await import("./visibility.ts");
  await aliceHas("base", { private: true });
  await aliceHas("tool", { private: true, dependsOn: "base" });
  await assert.rejects(setPackageVisibility(alice, { namespace: "alice", name: "tool", private: false }), (e: Coded) =>
    e.code === "conflict" && /depends on lev\.alice\.base, which is private/.test(e.message ?? ""));
  await setPackageVisibility(alice, { namespace: "alice", name: "base", private: false });
  await setPackageVisibility(alice, { namespace: "alice", name: "tool", private: false });
  await assert.rejects(setPackageVisibility(alice, { namespace: "alice", name: "base", private: true }), (e: Coded) =>
    e.code === "conflict" && /lev\.alice\.tool is public and depends on alice\.base/.test(e.message ?? ""));
  // once its dependent is private again, it may follow
  await setPackageVisibility(alice, { namespace: "alice", name: "tool", private: true });
  assert.deepEqual(await setPackageVisibility(alice, { namespace: "alice", name: "base", private: true }), { private: true });
});
