/**
 * Membership on every query: each lib function that reads or changes runs, results, comparisons,
 * exports, charts, scans and projects, called as the project's owner, an operator, a viewer, a
 * non-member and an admin, against one team project on a real PostgreSQL. The whole table is
 * written out: readers see everything of the project, a non-member nothing (not found, or an empty
 * list), and only those with the run right change anything.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findFunction, type Manifest } from "../../runner/src/index.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { TokenScope, Viewer } from "../types.ts";

const HELLO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/levhub.hello");
const COLL = "it|proj@1";
const CALLERS = ["owner", "operator", "viewer", "non-member", "admin"] as const;
type Caller = (typeof CALLERS)[number];

let hub: TestHub;
const as = {} as Record<Caller, Viewer>;
let versionId: string;
let packageId: string;
let fnName: string;
let goodArgs: Record<string, unknown>;
/** two finished runs of the same configuration in the project (by the owner, then the operator), with documents */
let earlier: string;
let later: string;
let docId: string;
let scanId: string;

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { signUp } = await import("../accounts/users.ts");
  const { root, alice, bob } = await signUpTestUsers();
  const carol = await signUp({ email: "carol@example.org", username: "carol", password: "longenough" });
  const dave = await signUp({ email: "dave@example.org", username: "dave", password: "longenough" });
  Object.assign(as, { owner: alice, operator: bob, viewer: carol, "non-member": dave, admin: root });

  const { publishDirectory } = await import("../packages/upload.ts");
  const published = await publishDirectory("system", HELLO);
  versionId = published.versionId;
  packageId = published.packageId;
  const m: Manifest = published.manifest;
  const fn = findFunction(m, "hello") ?? [...m.modes, ...m.tools.flatMap((t) => t.modes)][0];
  fnName = fn.qualified;
  goodArgs = Object.fromEntries(fn.params.filter((p) => p.required).map((p) => [p.name, p.holder ?? "x"]));

  const { teamProject } = await import("../testing/projects.ts");
  const projectId = await teamProject(alice, "acme", [
    [bob, "operator"],
    [carol, "viewer"],
  ]);
  const { db } = await import("../platform/db.ts");
  const { indexDocument } = await import("../results/index-writer.ts");
  let number = 900_000;
  const finished = async (owner: Viewer, at: Date, port: number) => {
    // numbers far from the results store's counter, which numbers the runs started through lib
    const run = await db().run.create({
      data: { number: ++number, ownerId: owner.id, projectId, versionId, function: fnName, args: goodArgs as object, status: "succeeded", createdAt: at, startedAt: at, endedAt: at },
    });
    await indexDocument("put", COLL, run.number, 1, { host: "127.0.0.1", port, owner: owner.username }, { run: run.id, at });
    return run.id;
  };
  earlier = await finished(alice, new Date(Date.now() - 60_000), 22);
  later = await finished(bob, new Date(), 80);
  const { listDocuments } = await import("../results/documents.ts");
  docId = (await listDocuments(alice, { run: later })).items[0].id;
  const { createScan } = await import("../scans/scans.ts");
  scanId = (await createScan(alice, { name: "nightly", project: "acme", package: "levhub.hello", function: fnName, args: goodArgs, cron: "0 3 * * *" })).id;
  // the non-member has work of their own, which nobody else sees either
  await createScan(dave, { name: "dave's own", package: "levhub.hello", function: fnName, args: goodArgs });
});

after(async () => {
  const { closeResultsPool } = await import("../results/pg.ts");
  await closeResultsPool();
  await hub?.close();
});

/** "ok", the error code it was refused with, or what the read returned (a count, a flag). */
async function outcome(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    const v = await fn();
    return v === undefined ? "ok" : v;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!code) throw err;
    return code;
  }
}

async function table(f: (v: Viewer) => Promise<unknown>): Promise<Record<Caller, unknown>> {
  const out = {} as Record<Caller, unknown>;
  for (const c of CALLERS) out[c] = await outcome(() => f(as[c]));
  return out;
}

const readers = <T,>(seen: T, unseen: unknown) => ({ owner: seen, operator: seen, viewer: seen, "non-member": unseen, admin: seen });

test("every read of the project's runs, results, comparisons and scans: members and admins see them, a non-member does not", async () => {
  const runs = await import("../runs/index.ts");
  const results = await import("../results/documents.ts");
  const { exportDocuments } = await import("../results/export.ts");
  const { topValues, countsPerRun } = await import("../results/chart.ts");
  const compare = await import("../compare/runs.ts");
  const rerun = await import("../scans/rerun.ts");
  const scans = await import("../scans/scans.ts");
  const projects = await import("./projects.ts");
  const ok = async (p: Promise<unknown>) => (await p, true);
  const firstEvent = async (v: Viewer) => {
    const ac = new AbortController();
    for await (const ev of runs.runEvents(v, later, ac.signal)) {
      ac.abort();
      return ev.type;
    }
    return "none";
  };
  const exported = async (v: Viewer) => {
    const { stream } = await exportDocuments(v, { coll: COLL }, "ndjson");
    return (await new Response(stream).text()).trim().split("\n").filter(Boolean).length;
  };
  const cases: [string, (v: Viewer) => Promise<unknown>, Record<Caller, unknown>][] = [
    ["getRun", (v) => ok(runs.getRun(v, later)), readers(true, "not_found")],
    ["runDocuments", (v) => ok(runs.runDocuments(v, later)), readers(true, "not_found")],
    ["runEvents (SSE)", firstEvent, readers("snapshot", "not_found")],
    ["listRuns in the project", async (v) => (await runs.listRuns(v, { project: "acme" })).total, readers(2, 0)],
    ["listRuns, all", async (v) => (await runs.listRuns(v)).items.filter((r) => r.project.slug === "acme").length, readers(2, 0)],
    ["runsForPackage", async (v) => (await runs.runsForPackage(v, packageId)).filter((r) => r.project.slug === "acme").length, readers(2, 0)],
    ["runDocumentsPage", async (v) => (await results.runDocumentsPage(v, later)).items.length, readers(1, "not_found")],
    ["listCollections", async (v) => (await results.listCollections(v)).find((c) => c.coll === COLL)?.documents ?? 0, readers(2, 0)],
    ["listCollections of the project", async (v) => (await results.listCollections(v, { project: "acme" })).length, readers(1, 0)],
    ["listDocuments", async (v) => (await results.listDocuments(v, { coll: COLL })).items.length, readers(2, 0)],
    ["listDocuments of the project", async (v) => (await results.listDocuments(v, { project: "acme" })).items.length, readers(2, 0)],
    ["listDocuments of a run", async (v) => (await results.listDocuments(v, { run: later })).items.length, readers(1, 0)],
    ["getDocument", (v) => ok(results.getDocument(v, docId)), readers(true, "not_found")],
    ["exportDocuments", exported, readers(2, 0)],
    ["topValues", async (v) => (await topValues(v, { coll: COLL }, "port")).length, readers(2, 0)],
    ["countsPerRun", async (v) => (await countsPerRun(v, { coll: COLL })).length, readers(2, 0)],
    ["compareRunsFor", async (v) => (await compare.compareRunsFor(v, earlier, later)).diff.totals.new, readers(1, "not_found")],
    ["previousRunId (across members)", async (v) => (await compare.previousRunId(v, later)) === earlier, readers(true, "not_found")],
    ["changesSincePrevious", async (v) => (await compare.changesSincePrevious(v, later))?.previous === earlier, readers(true, "not_found")],
    ["comparableRuns", async (v) => (await compare.comparableRuns(v, later)).length, readers(2, "not_found")],
    ["runDocumentsForCompare", async (v) => (await compare.runDocumentsForCompare(v, later)).docs.length, readers(1, "not_found")],
    ["previousRunOf", async (v) => (await rerun.previousRunOf(v, later)) === earlier, readers(true, "not_found")],
    ["runOrigin", async (v) => (await rerun.runOrigin(v, later)).trigger, readers("manual", "not_found")],
    ["listScans", async (v) => (await scans.listScans(v)).filter((s) => s.project.slug === "acme").length, readers(1, 0)],
    ["getScan", (v) => ok(scans.getScan(v, scanId)), readers(true, "not_found")],
    ["getProject", async (v) => (await projects.getProject(v, "acme")).members.length, readers(3, "not_found")],
    ["listProjects", async (v) => (await projects.listProjects(v)).some((p) => p.slug === "acme"), readers(true, false)],
  ];
  const mismatches: string[] = [];
  for (const [name, f, want] of cases) {
    const got = await table(f);
    if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${name}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
  assert.deepEqual(mismatches, []);
  // and nobody but dave (and the admin) sees dave's own scan
  assert.deepEqual(await table(async (v) => (await scans.listScans(v)).some((s) => s.name === "dave's own")), { owner: false, operator: false, viewer: false, "non-member": true, admin: true });
});

test("every change: operators and owners run, cancel, re-run and schedule; a viewer is refused (403), a non-member finds nothing (404)", async () => {
  const runs = await import("../runs/index.ts");
  const rerun = await import("../scans/rerun.ts");
  const scans = await import("../scans/scans.ts");
  const { runScanNow } = await import("../scans/fire.ts");
  const projects = await import("./projects.ts");
  const { db } = await import("../platform/db.ts");
  const queued = () => runs.startRun(as.owner, { versionId, function: fnName, args: goodArgs, project: "acme" });
  const ownScan = async (name: string) => (await scans.createScan(as.owner, { name, project: "acme", package: "levhub.hello", function: fnName, args: goodArgs })).id;
  const runsBefore = await db().run.count();
  const cases: [string, (v: Viewer) => Promise<unknown>, Record<Caller, unknown>][] = [
    ["startRun in the project", (v) => runs.startRun(v, { versionId, function: fnName, args: goodArgs, project: "acme" }).then(() => "ok"), { owner: "ok", operator: "ok", viewer: "forbidden", "non-member": "not_found", admin: "ok" }],
    ["cancelRun", async (v) => { const r = await queued(); await runs.cancelRun(v, r.id); }, { owner: "ok", operator: "ok", viewer: "forbidden", "non-member": "not_found", admin: "ok" }],
    ["rerun", (v) => rerun.rerun(v, later).then(() => "ok"), { owner: "ok", operator: "ok", viewer: "forbidden", "non-member": "not_found", admin: "ok" }],
    ["createScan in the project", (v) => scans.createScan(v, { name: `by ${v.username}`, project: "acme", package: "levhub.hello", function: fnName, args: goodArgs }).then(() => "ok"), { owner: "ok", operator: "ok", viewer: "forbidden", "non-member": "not_found", admin: "ok" }],
    ["saveRunAsScan", (v) => rerun.saveRunAsScan(v, { runId: later, name: `saved by ${v.username}` }).then(() => "ok"), { owner: "ok", operator: "ok", viewer: "forbidden", "non-member": "not_found", admin: "ok" }],
    ["pause a scan", (v) => scans.updateScan(v, scanId, { enabled: true }).then(() => "ok"), { owner: "ok", operator: "ok", viewer: "forbidden", "non-member": "not_found", admin: "ok" }],
    ["edit a scan (its creator only)", (v) => scans.updateScan(v, scanId, { args: goodArgs }).then(() => "ok"), { owner: "ok", operator: "forbidden", viewer: "forbidden", "non-member": "not_found", admin: "forbidden" }],
    ["run a scan now (its creator only)", (v) => runScanNow(v, scanId).then(() => "ok"), { owner: "ok", operator: "forbidden", viewer: "forbidden", "non-member": "not_found", admin: "forbidden" }],
    ["delete a scan", async (v) => scans.deleteScan(v, await ownScan(`doomed ${v.username}`)), { owner: "ok", operator: "ok", viewer: "forbidden", "non-member": "not_found", admin: "ok" }],
    ["change the project", (v) => projects.updateProject(v, "acme", { client: `client set by ${v.username}` }).then(() => "ok"), { owner: "ok", operator: "forbidden", viewer: "forbidden", "non-member": "not_found", admin: "ok" }],
    ["start in one's personal project", (v) => runs.startRun(v, { versionId, function: fnName, args: goodArgs }).then(() => "ok"), { owner: "ok", operator: "ok", viewer: "ok", "non-member": "ok", admin: "ok" }],
  ];
  const mismatches: string[] = [];
  for (const [name, f, want] of cases) {
    const got = await table(f);
    if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${name}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
  assert.deepEqual(mismatches, []);
  // runs made: 3 + 3 queued for the cancels (5 callers each) + 3 re-runs + 1 run now + 5 personal
  assert.equal(await db().run.count(), runsBefore + 3 + 5 + 3 + 1 + 5);
  // every run a refused caller asked for is missing: each run of the project is an allowed caller's
  const inProject = await db().run.findMany({ where: { project: { slug: "acme" }, createdAt: { gte: new Date(Date.now() - 600_000) } }, select: { owner: { select: { username: true } } } });
  assert.ok(inProject.every((r) => ["alice", "bob", "root_1"].includes(r.owner.username)), JSON.stringify(inProject));
});

test("a run started elsewhere belongs to its project: the admin's run in the team project is seen by its members, audited as an admin's", async () => {
  const runs = await import("../runs/index.ts");
  const { db } = await import("../platform/db.ts");
  const r = await runs.startRun(as.admin, { versionId, function: fnName, args: goodArgs, project: "acme" });
  assert.deepEqual(r.project, { slug: "acme", name: "acme", personal: false });
  assert.equal((await runs.getRun(as.viewer, r.id)).owner, as.admin.username);
  const row = await db().auditEvent.findFirstOrThrow({ where: { action: "run.start", target: r.id } });
  assert.equal(row.projectId, (await db().project.findUniqueOrThrow({ where: { slug: "acme" } })).id);
  assert.equal((row.data as { asAdmin?: boolean }).asAdmin, true);
  // a member's own start is not an admin's
  const own = await runs.startRun(as.operator, { versionId, function: fnName, args: goodArgs, project: "acme" });
  const ownRow = await db().auditEvent.findFirstOrThrow({ where: { action: "run.start", target: own.id } });
  assert.equal((ownRow.data as { asAdmin?: boolean }).asAdmin, undefined);
});

test("an API token's rights are its scopes intersected with the role", async () => {
  const runs = await import("../runs/index.ts");
  const { listDocuments } = await import("../results/documents.ts");
  const readOnly = withToken(as.operator, ["read"]);
  assert.equal((await runs.getRun(readOnly, later)).canRun, false);
  await assert.rejects(runs.startRun(readOnly, { versionId, function: fnName, args: goodArgs, project: "acme" }), (e: { code?: string }) => e.code === "forbidden");
  // a token that may act in a project sees the project it acts in (the read routes still want the read scope)
  const runOnly = withToken(as.operator, ["run"]);
  assert.equal((await runs.getRun(runOnly, later)).canRun, true);
  assert.equal((await listDocuments(runOnly, { coll: COLL })).items.length, (await listDocuments(readOnly, { coll: COLL })).items.length);
  // a token with neither reads nothing
  const publishOnly = withToken(as.operator, ["publish"]);
  await assert.rejects(runs.getRun(publishOnly, later), (e: { code?: string }) => e.code === "not_found");
  assert.equal((await listDocuments(publishOnly, { coll: COLL })).items.length, 0);
  // an admin's token without the admin scope is a member like any other: here, none
  const adminReadOnly = withToken(as.admin, ["read", "run"]);
  await assert.rejects(runs.getRun(adminReadOnly, later), (e: { code?: string }) => e.code === "not_found");
  assert.equal((await runs.getRun(withToken(as.admin, ["read", "admin"]), later)).canRun, false);
});

/** `viewer` calling with an API token that holds only `scopes` (as viewerFromToken makes it) */
function withToken(viewer: Viewer, scopes: readonly TokenScope[]): Viewer {
  return { ...viewer, token: { id: "test-token", scopes: [...scopes], namespace: null, expiresAt: new Date(Date.now() + 86_400_000).toISOString() } };
}
