/**
 * The bundled examples as `npm start` publishes them (dependencies first, the operator's grant
 * for the examples that ask for the host network), and the workflow-only example run through the
 * hub: levhub.recon imports szczecin.nmap_python and levhub.hello and writes no tool of its own.
 * Docker, PostgreSQL and FerretDB are real; the only target is a network namespace the test
 * creates (lib/testing/netns-target.ts).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { publishOrder, readExample } from "../../scripts/example-order.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import { createNetnsTarget, type NetnsTarget } from "../testing/netns-target.ts";
import type { PublishResult, Viewer } from "../types.ts";

const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples");

let hub: TestHub;
let alice: Viewer;
const published = new Map<string, PublishResult>();

let target: NetnsTarget;

before(async () => {
  target = await createNetnsTarget();
  hub = await startTestHub();
  // runs go through the queue: a worker on this machine's engine takes them
  await hub.startWorker();
  const { signUp } = await import("../accounts/users.ts");
  alice = await signUp({ email: "alice@example.org", username: "alice", password: "longenough" });
  const { publishDirectory } = await import("./upload.ts");
  const { ensureOperatorGrant } = await import("../policy/grants.ts");
  const dirs = publishOrder(readdirSync(EXAMPLES).map((d) => readExample(path.join(EXAMPLES, d)))).filter((e) => e.name);
  for (const { dir } of dirs) {
    const r = await publishDirectory("system", dir, { skipExisting: true });
    published.set(`${r.namespace}.${r.name}`, r);
    await ensureOperatorGrant(r);
  }
});
after(async () => {
  await hub?.close();
  await target?.close();
});

test("npm start's order publishes every example; recon is a workflow-only package pinned to the other two", async () => {
  assert.deepEqual([...published.keys()].sort(), ["levhub.hello", "levhub.importers", "levhub.reach", "levhub.recon", "szczecin.nmap_python"]);
  const recon = published.get("levhub.recon")!;
  assert.deepEqual(recon.manifest.tools, [], "no tool of its own");
  assert.deepEqual(recon.manifest.workflows.map((w) => w.qualified), ["sweep_and_greet"]);
  assert.equal(recon.imageRef, null, "no image of its own");
  const { getPackage } = await import("../catalog/catalog.ts");
  const detail = await getPackage(null, "levhub", "recon");
  const pinned = detail.dependsOn.map((d) => `${d.namespace}.${d.name}@${d.version}`).sort();
  assert.deepEqual(pinned, [`levhub.hello@${published.get("levhub.hello")!.version}`, `szczecin.nmap_python@${published.get("szczecin.nmap_python")!.version}`]);
  const hello = await getPackage(null, "levhub", "hello");
  assert.deepEqual(hello.usedBy.map((d) => `${d.namespace}.${d.name}`), ["levhub.recon"]);
  // the recon package asks for nothing itself: nmap's host network is szczecin's to be granted
  const { db } = await import("../platform/db.ts");
  assert.equal(await db().grant.count({ where: { namespace: { name: "levhub" }, OR: [{ packageId: null }, { package: { name: { in: ["recon", "hello"] } } }] } }), 0);
  // levhub.reach connects out (a host-network mode): the run's own network, as for nmap
  assert.deepEqual(
    (await db().grant.findMany({ where: { namespace: { name: "levhub" } }, select: { network: true, caps: true, modes: true, package: { select: { name: true } } } })).map((g) => ({ ...g, package: g.package?.name })),
    [{ network: "bridge", caps: ["NET_RAW"], modes: ["tcp.connect"], package: "reach" }],
  );
});

test("sweep_and_greet runs nmap and hello from their own packages through the hub and stores its summary", async () => {
  // nmap's alive mode runs under szczecin's grant (built by the planner from its own code), on the run's own network
  const { startRun, waitForRun, runDocuments } = await import("../runs/index.ts");
  const recon = published.get("levhub.recon")!;
  const started = await startRun(alice, { versionId: recon.versionId, function: "sweep_and_greet", args: { ip: target.ip, limit: 2 } });
  const run = await waitForRun(alice, started.id);
  assert.equal(run.status, "succeeded", JSON.stringify({ error: run.error, tasks: run.tasks.map((t) => [t.coll, t.status, t.error]) }));
  const docs = await runDocuments(alice, started.id);
  const byColl = (pattern: RegExp) => docs.filter((d) => pattern.test(d.coll)).map((d) => d.doc);
  assert.deepEqual(byColl(/szczecin\/nmap_python\.alive@1\.0$/).map((d) => d.alive), [[target.ip]], "nmap's alive mode stored the sweep");
  assert.ok(docs.some((d) => d.doc.greeting === `hello, ${target.ip}`), "hello's mode stored its greeting");
  const summary = docs.find((d) => "greetings" in d.doc)?.doc;
  assert.ok(summary, `the workflow stored its summary (collections: ${docs.map((d) => d.coll).join(", ")})`);
  assert.deepEqual(
    { target: summary.target, alive: summary.alive, greetings: summary.greetings, greeted: summary.greeted, skipped: summary.skipped },
    { target: target.ip, alive: [target.ip], greetings: [`hello, ${target.ip}`], greeted: 1, skipped: 0 },
  );
});

test("without szczecin's grant the same sweep is refused at nmap's task: the grant follows the package whose code asks", async () => {
  const { db } = await import("../platform/db.ts");
  const { startRun, waitForRun } = await import("../runs/index.ts");
  await db().grant.deleteMany({ where: { namespace: { name: "szczecin" } } });
  const recon = published.get("levhub.recon")!;
  const started = await startRun(alice, { versionId: recon.versionId, function: "sweep_and_greet", args: { ip: target.ip, limit: 2 } });
  const run = await waitForRun(alice, started.id);
  assert.equal(run.status, "failed");
  assert.equal((run.error as { type?: string } | null)?.type, "PolicyDenied", JSON.stringify(run.error));
});
