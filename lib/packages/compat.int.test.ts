/**
 * Packages written with the idioms of published Leviathan packages, uploaded to the hub (the
 * compatibility corpus, runner/python/tests/fixtures/compat): an annot.Param typo is a warning
 * kept with the version, a tool module's categories and tags reach every mode in the catalog (and
 * the migration completes rows written before), and `.ns.name:tag` runs the package's own build.
 * Docker, PostgreSQL and FerretDB are real; nothing touches the network.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { PublishResult, Viewer } from "../types.ts";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const COMPAT = path.join(REPO, "runner/python/tests/fixtures/compat");
const MIGRATION = path.join(REPO, "prisma/migrations/20261207100000_wild_py_tool_facets/migration.sql");

let hub: TestHub;
let alice: Viewer;
const published = new Map<string, PublishResult>();

before(async () => {
  hub = await startTestHub();
  await hub.startWorker();
  const { signUp } = await import("../accounts/users.ts");
  alice = await signUp({ email: "alice@example.org", username: "alice", password: "longenough" });
  const { publishDirectory } = await import("./upload.ts");
  for (const name of ["levdoc.hello_world", "wild.cracker", "wild.cewl"]) {
    const r = await publishDirectory("system", path.join(COMPAT, name));
    published.set(name, r);
  }
});
after(async () => {
  // the images this test's uploads built (their tags are this corpus's alone)
  const { getEngine } = await import("../platform/engine.ts");
  for (const r of published.values()) if (r.imageRef) await getEngine().docker.getImage(r.imageRef).remove({ force: true }).catch(() => undefined);
  await hub?.close();
});

async function exportsOf(name: string) {
  const { db } = await import("../platform/db.ts");
  const rows = await db().export.findMany({ where: { versionId: published.get(name)!.versionId }, orderBy: { qualified: "asc" } });
  return Object.fromEntries(rows.map((e) => [e.qualified, { attck: [...e.attck].sort(), blackarch: [...e.blackarch].sort(), tags: [...e.tags].sort() }]));
}

test("an annot.Param naming no parameter is a warning kept with the version, not a refusal", async () => {
  const cracker = published.get("wild.cracker")!;
  assert.deepEqual(
    cracker.manifest.warnings?.map((w) => [w.severity, w.code, w.where]),
    [["warning", "unknown-param", "crack_file"]],
  );
  assert.match(cracker.manifest.warnings?.[0].message ?? "", /annot\.Param\('birtday'\) names no parameter/);
  const { db } = await import("../platform/db.ts");
  const stored = (await db().packageVersion.findUniqueOrThrow({ where: { id: cracker.versionId } })).manifest as { warnings?: unknown[] };
  assert.equal(stored.warnings?.length, 1, "the stored manifest keeps it for the package page");
  assert.deepEqual(published.get("levdoc.hello_world")!.manifest.warnings?.map((w) => w.where), ["hello.exp"]);
});

test("a tool module's categories and tags reach every mode that declares none; a mode's own win per family", async () => {
  assert.deepEqual(await exportsOf("wild.cracker"), {
    crack_file: { attck: [], blackarch: [], tags: [] },
    "john.crack": { attck: ["CredentialAccess", "LateralMovement"], blackarch: ["cracker"], tags: ["john", "password"] },
    "john.extract_hash": { attck: ["CredentialAccess", "LateralMovement"], blackarch: ["cracker"], tags: ["john", "password"] },
    "john.raw": { attck: ["CredentialAccess", "LateralMovement"], blackarch: ["cracker"], tags: ["john", "password"] },
  });
  const hello = await exportsOf("levdoc.hello_world");
  assert.deepEqual(hello["hello.exp"], { attck: ["Reconnaissance"], blackarch: ["misc"], tags: ["greeting", "hello"] });
  assert.deepEqual(hello["hello.hello"], { attck: ["Reconnaissance"], blackarch: ["misc"], tags: ["greeting", "hello"] }, "its own tactic, the tool's category");
  const { browse } = await import("../catalog/catalog.ts");
  const byTactic = await browse(alice, { tactic: "CredentialAccess" });
  assert.deepEqual(byTactic.items.map((p) => p.fullName).sort(), ["wild.cewl", "wild.cracker"]);
  assert.equal(byTactic.facets.tag.find((t) => t.key === "john")?.count, 1);
  assert.deepEqual((await browse(alice, { category: "cracker" })).items.map((p) => p.fullName), ["wild.cracker"]);
  assert.deepEqual((await browse(alice, { tag: "wordlist" })).items.map((p) => p.fullName), ["wild.cewl"]);
});

test("the migration completes rows written before the rule and rebuilds the search documents", async () => {
  const client = new pg.Client({ connectionString: hub.databaseUrl });
  await client.connect();
  try {
    // rows as the upload wrote them before: the modes' own facets and the package's, no tool's
    await client.query(`UPDATE "Export" SET "attck" = '{}', "blackarch" = '{}', "tags" = '{}' WHERE "tool" = 'john'`);
    await client.query(`UPDATE "Export" SET "blackarch" = '{}', "tags" = '{}' WHERE "tool" = 'hello'`);
    await client.query(`SELECT "levhub_package_search_refresh"("id") FROM "Package"`);
    const { browse } = await import("../catalog/catalog.ts");
    assert.deepEqual((await browse(alice, { category: "cracker" })).items, [], "the old rows hide the package");
    await client.query("BEGIN");
    await client.query(readFileSync(MIGRATION, "utf8"));
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
  assert.deepEqual((await exportsOf("wild.cracker"))["john.raw"], { attck: ["CredentialAccess", "LateralMovement"], blackarch: ["cracker"], tags: ["john", "password"] });
  assert.deepEqual((await exportsOf("wild.cracker"))["crack_file"], { attck: [], blackarch: [], tags: [] }, "a workflow has no tool");
  assert.deepEqual((await exportsOf("levdoc.hello_world"))["hello.hello"], { attck: ["Reconnaissance"], blackarch: ["misc"], tags: ["greeting", "hello"] });
  const { browse } = await import("../catalog/catalog.ts");
  assert.deepEqual((await browse(alice, { category: "cracker" })).items.map((p) => p.fullName), ["wild.cracker"]);
});

test(".ns.name:tag runs the package's own build; a bare image id without an admin's alias is refused clearly", async () => {
  const { startRun, waitForRun, runDocuments } = await import("../runs/index.ts");
  const cracker = published.get("wild.cracker")!;
  assert.ok(cracker.imageRef, "the Dockerfile was built");
  const raw = await startRun(alice, { versionId: cracker.versionId, function: "john.raw", args: { argv: ["--format", "zip"] } });
  const done = await waitForRun(alice, raw.id);
  assert.equal(done.status, "succeeded", JSON.stringify({ error: done.error, tasks: done.tasks }));
  assert.equal(done.tasks[0].image, ".wild.cracker:v1.0");
  const { db } = await import("../platform/db.ts");
  const version = await db().packageVersion.findUniqueOrThrow({ where: { id: cracker.versionId } });
  assert.equal(done.tasks[0].resolvedImage, version.imageDigest, "the image built from its Dockerfile");
  assert.deepEqual((await runDocuments(alice, raw.id)).map((d) => d.doc.result), ["--format zip"]);
  const crack = await startRun(alice, { versionId: cracker.versionId, function: "john.crack", args: { password_hash: "00" } });
  const refused = await waitForRun(alice, crack.id);
  assert.equal(refused.status, "failed");
  assert.equal(refused.error?.type, "ImageNotFound");
  assert.match(refused.error?.message ?? "", /^image '2746dc3d57b0' is not available to this run: it is an image id/);
});
