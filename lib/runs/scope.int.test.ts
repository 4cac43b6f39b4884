/**
 * The project's scope on the run target path, on a real PostgreSQL: out-of-scope targets refused
 * (422, a field error naming the value and the rule; nothing queued) on runs, saved scans (created,
 * edited, fired after the scope changed) and re-runs; an unscoped project as before; a run's
 * policy carrying the compiled scope as it was at submit. No worker runs here: the runs queued
 * are cancelled, and every target that could be queued is 127.0.0.1.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

const NMAP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/szczecin.nmap_python");
const PKG = "szczecin.nmap_python";
const FN = "nmap.port_os";

let hub: TestHub;
let alice: Viewer;

type Rejection = { code?: string; message?: string; fieldErrors?: Record<string, string> };

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ alice } = await signUpTestUsers());
  const { publishDirectory } = await import("../packages/upload.ts");
  await publishDirectory("system", NMAP);
  const { createProject } = await import("../projects/projects.ts");
  await createProject(alice, { slug: "lab", name: "Lab", description: "", client: "", windowStart: null, windowEnd: null });
  await setScope({ allow: ["127.0.0.0/8", "10.231.0.0/16"], exclude: ["10.231.5.0/24"] });
});
after(async () => {
  await hub?.close();
});

async function setScope(scope: { allow: string[]; exclude?: string[] } | null) {
  const { setProjectScope } = await import("../projects/scope.ts");
  const { projectScopeBodySchema } = await import("../schemas/projects.ts");
  return setProjectScope(alice, "lab", projectScopeBodySchema.parse({ scope }));
}

async function runCount() {
  const { db } = await import("../platform/db.ts");
  return db().run.count();
}

const outside = (value: string, rule: RegExp) => (e: Rejection) =>
  e.code === "validation" && (e.fieldErrors?.["args.ip"] ?? "").startsWith(`${value} `) && rule.test(e.fieldErrors?.["args.ip"] ?? "") && e.message === e.fieldErrors?.["args.ip"];

test("the manifest marks the nmap example's target parameters", async () => {
  const { db } = await import("../platform/db.ts");
  const { findFunction } = await import("../../runner/src/index.ts");
  const v = await db().packageVersion.findFirstOrThrow({ where: { package: { name: "nmap_python" } } });
  const fn = findFunction(v.manifest as never, FN)!;
  assert.deepEqual(fn.params.map((p) => [p.name, p.kind ?? null]), [["ip", "target"], ["ports", null]]);
});

test("a run: an out-of-scope or excluded target is refused naming the value and the rule, nothing queued; an in-scope run carries the compiled scope", async () => {
  const { startRun, getRun, cancelRun } = await import("./index.ts");
  const { db } = await import("../platform/db.ts");
  const { compileScope } = await import("../../runner/src/scope/rules.ts");
  const before = await runCount();
  await assert.rejects(startRun(alice, { package: PKG, function: FN, args: { ip: "10.9.9.9" }, project: "lab" }), outside("10.9.9.9", /is outside the project's scope \(allowed: 127\.0\.0\.0\/8, 10\.231\.0\.0\/16; excluded: 10\.231\.5\.0\/24\)$/));
  await assert.rejects(startRun(alice, { package: PKG, function: FN, args: { ip: "10.231.5.9" }, project: "lab" }), outside("10.231.5.9", /excluded from the project's scope by 10\.231\.5\.0\/24/));
  // a CIDR reaching into the exclusion, a target list with one bad item, garbage
  await assert.rejects(startRun(alice, { package: PKG, function: FN, args: { ip: "10.231.0.0/16" }, project: "lab" }), outside("10.231.0.0/16", /excluded/));
  await assert.rejects(startRun(alice, { package: PKG, function: FN, args: { ip: "127.0.0.1 10.9.9.9" }, project: "lab" }), outside("10.9.9.9", /outside/));
  await assert.rejects(startRun(alice, { package: PKG, function: FN, args: { ip: "$(id)" }, project: "lab" }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.["args.ip"]));
  assert.equal(await runCount(), before, "nothing was queued");

  const run = await startRun(alice, { package: PKG, function: FN, args: { ip: "127.0.0.1" }, project: "lab" });
  const row = await db().run.findUniqueOrThrow({ where: { id: run.id } });
  const expected = compileScope({ allow: ["127.0.0.0/8", "10.231.0.0/16"], exclude: ["10.231.5.0/24"], services: [] });
  assert.deepEqual((row.policy as { scope?: unknown }).scope, expected);
  assert.deepEqual((await getRun(alice, run.id)).scope, { allow: ["127.0.0.0/8", "10.231.0.0/16"], exclude: ["10.231.5.0/24"], services: [] });
  await cancelRun(alice, run.id);
});

test("an unscoped project checks nothing and its runs carry no scope", async () => {
  const { startRun, getRun, cancelRun } = await import("./index.ts");
  const { db } = await import("../platform/db.ts");
  const run = await startRun(alice, { package: PKG, function: FN, args: { ip: "127.0.0.1" } });
  assert.equal(run.project.slug, "alice");
  const row = await db().run.findUniqueOrThrow({ where: { id: run.id } });
  assert.equal("scope" in (row.policy as object), false);
  assert.equal((await getRun(alice, run.id)).scope, null);
  await cancelRun(alice, run.id);
});

test("scans: refused when saved or edited out of scope; one that fell out of scope is refused at its next fire with the reason recorded; a re-run likewise", async () => {
  const { createScan, updateScan, getScan } = await import("../scans/scans.ts");
  const { fireDueScans } = await import("../scans/fire.ts");
  const { rerun } = await import("../scans/rerun.ts");
  const { startRun, cancelRun } = await import("./index.ts");
  const { db } = await import("../platform/db.ts");
  await assert.rejects(createScan(alice, { name: "stray", project: "lab", package: PKG, function: FN, args: { ip: "10.9.9.9" }, cron: "0 3 * * *" }), outside("10.9.9.9", /outside/));
  const scan = await createScan(alice, { name: "nightly", project: "lab", package: PKG, function: FN, args: { ip: "127.0.0.1" }, cron: "0 3 * * *" });
  await assert.rejects(updateScan(alice, scan.id, { args: { ip: "10.231.5.1" } }), outside("10.231.5.1", /excluded/));
  const earlier = await startRun(alice, { package: PKG, function: FN, args: { ip: "127.0.0.1" }, project: "lab" });
  await cancelRun(alice, earlier.id);

  // the owner narrows the scope: the scan's and the earlier run's target fall outside
  await setScope({ allow: ["10.231.0.0/16"] });
  const before = await runCount();
  await db().savedScan.update({ where: { id: scan.id }, data: { nextRunAt: new Date(Date.now() - 60_000) } });
  const fired = await fireDueScans(new Date());
  assert.equal(fired.started, 0);
  const after = await getScan(alice, scan.id);
  assert.equal(after.lastError?.code, "validation");
  assert.match(after.lastError?.message ?? "", /127\.0\.0\.1 is outside the project's scope \(allowed: 10\.231\.0\.0\/16\)/);
  await assert.rejects(rerun(alice, earlier.id), outside("127.0.0.1", /outside the project's scope \(allowed: 10\.231\.0\.0\/16\)/));
  assert.equal(await runCount(), before, "neither the scan nor the re-run queued a run");

  // unscoped again: the re-run goes as before
  await setScope(null);
  const again = await rerun(alice, earlier.id);
  await cancelRun(alice, again.id);
});
