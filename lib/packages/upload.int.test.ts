import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import { goodInit, packageEntries } from "../testing/packages.ts";
import { buildTarGz, buildZip } from "./archives.ts";
import type { Viewer } from "../types.ts";

/** The problems an error carries, each as `where: message` (or the message alone). */
const said = (e: { problems?: { where: string; message: string }[] }) => (e.problems ?? []).map((p) => (p.where ? `${p.where}: ${p.message}` : p.message));

let hub: TestHub;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ root, alice, bob } = await signUpTestUsers());
});
after(async () => {
  await hub?.close();
});

type Rejection = { code?: string; message?: string; problems?: { where: string; code: string; message: string }[] };

async function assertNothingStored() {
  const { db } = await import("../platform/db.ts");
  assert.equal(await db().packageVersion.count(), 0, "no version row");
  assert.equal(await db().package.count(), 0, "no package row");
  const pkgs = path.join(hub.dataDir, "packages");
  const stored = existsSync(pkgs) ? readdirSync(pkgs, { recursive: true }) : [];
  assert.deepEqual(stored, [], "no files under packages/");
  const staging = path.join(hub.dataDir, "staging");
  assert.deepEqual(existsSync(staging) ? readdirSync(staging) : [], [], "staging is cleaned up");
}

test("publishArchive refuses unsafe archives and wrong layouts before running anything, storing nothing", async () => {
  const { publishArchive } = await import("./upload.ts");
  const init = goodInit();
  const cases: [string, string, Buffer, RegExp, string][] = [
    ["traversal", "t.zip", buildZip([...packageEntries("alice", "t", "0.1.0", init), { name: "alice.t/../../evil.py", data: "x" }]), /'\.\.'/, "validation"],
    ["symlink", "s.tar.gz", await buildTarGz([...packageEntries("alice", "s", "0.1.0", init), { name: "alice.s/lev/alice/s/data", type: "symlink", linkname: "/etc/passwd" }]), /link/, "validation"],
    ["missing __init__", "m.zip", buildZip(packageEntries("alice", "m", "0.1.0", null)), /__init__\.py/, "validation"],
    ["no version", "v.zip", buildZip(packageEntries("alice", "v", null, init)), /version/, "validation"],
    ["not an archive", "x.rar", Buffer.from("x"), /\.zip, \.tar\.gz/, "validation"],
    ["someone else's namespace", "b.zip", buildZip(packageEntries("bob", "b", "0.1.0", init)), /belongs to someone else/, "forbidden"],
    ["the hub's namespace", "h.zip", buildZip(packageEntries("levhub", "h", "0.1.0", init)), /not yours/, "forbidden"],
  ];
  for (const [name, filename, data, re, code] of cases) {
    await assert.rejects(
      publishArchive(alice, { filename, data }),
      (e: Rejection) => e.code === code && re.test([e.message, ...(said(e))].join("\n")),
      name,
    );
  }
  await assertNothingStored();
});

test("publishArchive rejects a package whose introspection finds problems, showing each, storing nothing", async () => {
  const { publishArchive } = await import("./upload.ts");
  // (an annot.Param naming no parameter is only a warning: lib/packages/compat.int.test.ts)
  const badExport = buildZip(packageEntries("alice", "badexport", "0.1.0", goodInit().replace("annot.meta([greet]", "annot.meta([greet, 42]")));
  await assert.rejects(publishArchive(alice, { filename: "badexport.zip", data: badExport }), (e: Rejection) => {
    assert.equal(e.code, "validation");
    assert.match((said(e)).join("\n"), /export #2 \(42\) is neither a function nor a tool module/);
    return true;
  });
  const syntax = buildZip(packageEntries("alice", "syntax", "0.1.0", "def broken(:\n"));
  await assert.rejects(publishArchive(alice, { filename: "syntax.zip", data: syntax }), (e: Rejection) => {
    assert.equal(e.code, "validation");
    assert.match([e.message, ...(said(e))].join("\n"), /SyntaxError|syntax/i);
    return true;
  });
  await assertNothingStored();
});

test("publishArchive publishes a good package; the same version again is a conflict; a new version becomes latest", async () => {
  const { publishArchive } = await import("./upload.ts");
  const { db } = await import("../platform/db.ts");
  const zip = buildZip(packageEntries("alice", "greeter", "0.1.0", goodInit()));
  const r = await publishArchive(alice, { filename: "greeter-0.1.0.zip", data: zip });
  assert.equal(r.created, true);
  assert.equal(r.private, true, "a new package is private until its owner says otherwise");
  assert.equal(`${r.namespace}.${r.name}@${r.version}`, "alice.greeter@0.1.0");
  const ex = await db().export.findMany({ where: { versionId: r.versionId } });
  assert.deepEqual(ex.map((e) => [e.qualified, e.kind, e.attck, e.blackarch, e.tags]), [["greet", "mode", ["Discovery"], ["misc"], ["greeting"]]].map((x) => x));
  const v = await db().packageVersion.findUniqueOrThrow({ where: { id: r.versionId } });
  assert.ok(existsSync(path.join(v.dir, "lev/alice/greeter/__init__.py")), "stored unwrapped");
  assert.ok(v.archivePath && existsSync(v.archivePath));

  const again = await buildTarGz(packageEntries("alice", "greeter", "0.1.0", goodInit({ desc: "changed" })));
  await assert.rejects(publishArchive(alice, { filename: "greeter.tar.gz", data: again }), (e: Rejection) => e.code === "conflict" && /immutable/.test(e.message ?? ""));
  assert.equal((await db().packageVersion.findUniqueOrThrow({ where: { id: r.versionId } })).manifest !== null, true);
  assert.equal(await db().packageVersion.count(), 1);

  const v2 = await publishArchive(alice, { filename: "greeter.tar.gz", data: await buildTarGz(packageEntries("alice", "greeter", "0.2.0", goodInit({ tag: "hello" }))) }, { private: false });
  const pkg = await db().package.findUniqueOrThrow({ where: { id: v2.packageId } });
  assert.equal(pkg.latestVersionId, v2.versionId);
  assert.equal(pkg.private, false, "made public by the upload that asked for it");
  // bob may not publish into alice's namespace, root (admin) may
  await assert.rejects(publishArchive(bob, { filename: "g.zip", data: buildZip(packageEntries("alice", "greeter", "0.3.0", goodInit())) }), (e: Rejection) => e.code === "forbidden");
  const byAdmin = await publishArchive(root, { filename: "g.zip", data: buildZip(packageEntries("alice", "greeter", "0.3.0", goodInit())) });
  assert.equal(byAdmin.version, "0.3.0");
  assert.equal(byAdmin.private, false, "an existing package keeps its visibility when the upload says nothing");
});

test("a wheel is a zip whose version may come from METADATA", async () => {
  const { publishArchive } = await import("./upload.ts");
  const whl = buildZip([
    { name: "lev/bob/wheely/__init__.py", data: goodInit() },
    { name: "lev_bob_wheely-1.2.3.dist-info/METADATA", data: "Metadata-Version: 2.1\nName: lev.bob.wheely\nVersion: 1.2.3\n" },
  ]);
  const r = await publishArchive(bob, { filename: "lev_bob_wheely-1.2.3-py3-none-any.whl", data: whl }, { private: true });
  assert.equal(r.version, "1.2.3");
});

test("catalog: counts per tactic and category, browse facets and search, private packages", async () => {
  const { categoryOverview, browse, getPackage, listFiles, readSourceFile } = await import("../catalog/catalog.ts");
  const anon = await categoryOverview(null);
  assert.equal(anon.attck.length, 16);
  assert.equal(anon.blackarch.length, 48);
  assert.equal(anon.attck.find((c) => c.key === "Discovery")?.count, 1, "bob's private wheel is not counted for strangers");
  assert.equal(anon.attck.find((c) => c.key === "Impact")?.count, 0);
  assert.equal((await categoryOverview(bob)).attck.find((c) => c.key === "Discovery")?.count, 2);
  assert.equal((await categoryOverview(root)).blackarch.find((c) => c.key === "misc")?.count, 2);

  const byTactic = await browse(alice, { tactic: "Discovery" });
  assert.deepEqual(byTactic.items.map((p) => p.fullName), ["alice.greeter"]);
  assert.deepEqual(byTactic.facets.kind.map((k) => [k.key, k.count]), [["tool", 1]]);
  assert.equal((await browse(null, { tag: "greeting" })).total, 1);
  assert.equal((await browse(null, { q: "greets SOMEONE" })).total, 1, "docstrings are searched, case-insensitively");
  assert.equal((await browse(null, { q: "nothing-matches-this" })).total, 0);
  assert.equal((await browse(null, { q: "Greets PEOPLE" })).total, 1, "the package description is searched");
  assert.equal((await browse(null, { q: "tiny greeting tool" })).total, 1, "the package docstring is searched");
  assert.equal((await browse(null, { q: "alice.gree" })).total, 1, "ns.name prefixes are searched");
  assert.equal((await browse(null, { kind: "workflow" })).total, 0);
  assert.equal((await browse(bob, { q: "wheely" })).total, 1);
  assert.equal((await browse(alice, { q: "wheely" })).total, 0);

  const { recentPackages } = await import("../catalog/catalog.ts");
  assert.deepEqual((await recentPackages(null, 5)).map((p) => p.fullName), ["alice.greeter"]);
  assert.deepEqual((await recentPackages(bob, 5)).map((p) => p.fullName), ["bob.wheely", "alice.greeter"]);
  await assert.rejects(getPackage(alice, "bob", "wheely"), (e: Rejection) => e.code === "not_found");
  assert.equal((await getPackage(root, "bob", "wheely")).private, true);
  const detail = await getPackage(null, "alice", "greeter");
  assert.deepEqual(detail.versions.map((v) => v.version), ["0.3.0", "0.2.0", "0.1.0"]);
  assert.equal(detail.current.version, "0.3.0");
  assert.equal(detail.canPublish, false);
  const files = await listFiles(null, "alice", "greeter", "0.1.0");
  assert.deepEqual(files.map((f) => f.name), ["lev", "pyproject.toml"]);
  const src = await readSourceFile(null, "alice", "greeter", "0.1.0", "lev/alice/greeter/__init__.py");
  assert.equal(src.language, "python");
  assert.match(src.content, /def greet/);
  await assert.rejects(readSourceFile(null, "alice", "greeter", "0.1.0", "../../../etc/passwd"), (e: Rejection) => e.code === "validation");
});
