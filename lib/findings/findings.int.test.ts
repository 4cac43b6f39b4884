/**
 * Assets and findings on a real PostgreSQL and FerretDB: documents stored through the hub's
 * indexing store become a project's hosts, services, observations and findings; findings dedupe,
 * reopen, are triaged all or nothing with every change recorded; the project's events say what was
 * new; every query answers by membership (owner, operator, viewer, non-member, admin).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MongoResultStore } from "../../runner/src/index.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { SeededPackage } from "../results/testing.ts";
import type { Viewer } from "../types.ts";
import { nmapDocument, NMAP_MAPPINGS, PORT_OS } from "./testing.ts";

let hub: TestHub;
let mongo: MongoResultStore;
let pkg: SeededPackage;
let projectId: string;
const as = {} as Record<"owner" | "operator" | "viewer" | "other" | "admin", Viewer>;
const SLUG = "pentest";
const TARGET = "10.231.9.2";

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { signUp } = await import("../accounts/users.ts");
  const { root, alice, bob } = await signUpTestUsers();
  const carol = await signUp({ email: "carol@example.org", username: "carol", password: "longenough" });
  const dave = await signUp({ email: "dave@example.org", username: "dave", password: "longenough" });
  Object.assign(as, { owner: alice, operator: bob, viewer: carol, other: dave, admin: root });
  const { teamProject } = await import("../testing/projects.ts");
  projectId = await teamProject(alice, SLUG, [
    [bob, "operator"],
    [carol, "viewer"],
  ]);
  const { seedPackage } = await import("../results/testing.ts");
  pkg = await seedPackage(null, "nmap_python");
  const { db } = await import("../platform/db.ts");
  await db().packageVersion.update({ where: { id: pkg.versionId }, data: { manifest: { modes: [], tools: [], workflows: [], ...NMAP_MAPPINGS } } });
  mongo = await MongoResultStore.connect(hub.mongoUri);
});

after(async () => {
  await mongo?.close();
  const { closeResultsPool } = await import("../results/pg.ts");
  await closeResultsPool();
  await hub?.close();
});

async function store(opts = {}) {
  const { IndexingResultStore } = await import("../results/indexing-store.ts");
  return new IndexingResultStore(mongo, { log: () => undefined, ...opts });
}

let minute = 0;
/** A finished run in the team project, each one a minute after the last. */
async function newRun(owner: Viewer = as.owner) {
  const { seedRun } = await import("../results/testing.ts");
  return seedRun(owner.id, pkg, "nmap.port_os", new Date(Date.UTC(2026, 11, 10, 9, minute++)), projectId);
}

const meta = (run: { id: string; number: number }, task: number) => ({ owner: "alice", run: run.id, job: run.number, task, package: pkg.fullName, at: new Date() });

async function events(type?: string) {
  const { db } = await import("../platform/db.ts");
  const rows = await db().projectEvent.findMany({ where: { projectId, ...(type ? { type } : {}) }, orderBy: { id: "asc" } });
  return rows.map((r) => ({ type: r.type, data: r.data as Record<string, unknown> }));
}

let first: { id: string; number: number };
let second: { id: string; number: number };

test("a stored nmap document becomes hosts, services, what the run saw and findings; events say what was new", async () => {
  const s = await store();
  first = await newRun();
  await s.put(PORT_OS, first.number, 1, nmapDocument(TARGET, [{ ip: TARGET, names: ["target.test"], ports: [{ port: 22, service: "ssh", product: "OpenSSH", version: "9.2" }, { port: 23, service: "telnet" }, { port: 80, state: "closed", service: "http" }] }]), meta(first, 1));
  const { listHosts, getHost, listServices } = await import("./assets.ts");
  const { listFindings } = await import("./findings.ts");
  const hosts = await listHosts(as.owner, SLUG, {});
  assert.deepEqual(hosts.items.map((h) => [h.address, h.names, h.serviceCount, h.openFindings, h.lastRun?.number]), [[TARGET, ["target.test"], 2, 1, first.number]]);
  const host = await getHost(as.owner, SLUG, TARGET);
  assert.deepEqual(host.services.map((x) => [x.port, x.protocol, x.state, x.service, x.product, x.version]), [
    [22, "tcp", "open", "ssh", "OpenSSH", "9.2"],
    [23, "tcp", "open", "telnet", null, null],
  ]);
  assert.deepEqual(host.timeline.map((t) => [t.run.number, t.coll, t.task, t.services.map((x) => x.port)]), [[first.number, PORT_OS, 1, [22, 23]]]);
  assert.equal((await listServices(as.owner, SLUG, { port: 23 })).items.length, 1);
  const findings = await listFindings(as.owner, SLUG, {});
  assert.deepEqual(findings.items.map((f) => [f.title, f.severity, f.state, f.asset?.label, f.tool, f.function, f.firstRun?.number]), [
    ["Cleartext remote access service reachable: telnet on 23/tcp (named by port number)", "medium", "new", `${TARGET}:23/tcp`, pkg.fullName, "nmap.port_os", first.number],
  ]);
  assert.equal(findings.counts.severity.medium, 1);
  assert.equal(findings.counts.state.new, 1);
  assert.deepEqual(findings.counts.tools, [{ tool: pkg.fullName, count: 1 }]);
  assert.deepEqual(
    (await events()).map((e) => [e.type, e.data.count]),
    [
      ["assets.new_services", 2],
      ["finding.new", 1],
    ],
  );
  const { getFinding } = await import("./findings.ts");
  const detail = await getFinding(as.owner, SLUG, findings.items[0].id);
  assert.equal(detail.evidence.length, 1);
  assert.deepEqual([detail.evidence[0].run.number, detail.evidence[0].coll, detail.evidence[0].task, detail.evidence[0].path], [first.number, PORT_OS, 1, "hosts[0].ports[1]"]);
  assert.match(detail.evidence[0].sha256, /^[0-9a-f]{64}$/);
  assert.ok(detail.evidence[0].documentId, "the document is still in the index");
  assert.deepEqual(detail.history.map((h) => [h.from, h.to, h.by, h.run?.number, h.note]), [[null, "new", null, first.number, `found by run #${first.number}`]]);
});

test("mapping the same document again changes nothing and tells nothing twice", async () => {
  const s = await store();
  const before = await events();
  await s.put(PORT_OS, first.number, 1, nmapDocument(TARGET, [{ ip: TARGET, names: ["target.test"], ports: [{ port: 22, service: "ssh", product: "OpenSSH", version: "9.2" }, { port: 23, service: "telnet" }, { port: 80, state: "closed", service: "http" }] }]), meta(first, 1));
  const { rederiveRun } = await import("./ingest.ts");
  assert.deepEqual(await rederiveRun(first.id), { documents: 1 });
  assert.deepEqual(await events(), before);
  const { db } = await import("../platform/db.ts");
  assert.equal(await db().findingStateChange.count({ where: { projectId } }), 1);
  assert.equal(await db().findingEvidence.count(), 1);
  assert.equal(await db().assetObservation.count({ where: { runId: first.id } }), 3, "one host and two services");
});

test("a later run with a port opened: one new service and one new finding, counted between the two runs", async () => {
  const s = await store();
  second = await newRun(as.operator);
  await s.put(PORT_OS, second.number, 1, nmapDocument(TARGET, [{ ip: TARGET, ports: [{ port: 22, service: "ssh" }, { port: 23, service: "telnet" }, { port: 21, service: "ftp" }] }]), meta(second, 1));
  const { assetChangesBetween } = await import("./changes.ts");
  const changes = await assetChangesBetween(first.id, second.id);
  assert.equal(changes.mapped, true);
  assert.deepEqual([changes.services.new, changes.services.gone], [{ count: 1, items: [`${TARGET}:21/tcp`] }, { count: 0, items: [] }]);
  assert.deepEqual([changes.hosts.new.count, changes.hosts.gone.count], [0, 0]);
  assert.deepEqual([changes.findings.new.count, changes.findings.new.items.map((f) => f.title)], [1, ["Cleartext remote access service reachable: ftp on 21/tcp (named by port number)"]]);
  assert.equal(changes.findings.gone.count, 0);
  const back = await assetChangesBetween(second.id, first.id);
  assert.deepEqual([back.services.gone.items, back.findings.gone.count], [[`${TARGET}:21/tcp`], 1]);
  const { getHost } = await import("./assets.ts");
  const host = await getHost(as.viewer, SLUG, TARGET);
  assert.deepEqual(host.names, ["target.test"], "names a later run did not see are kept");
  assert.deepEqual(host.timeline.map((t) => [t.run.number, t.services.map((x) => x.port)]), [
    [second.number, [21, 22, 23]],
    [first.number, [22, 23]],
  ]);
  assert.equal(host.lastRun?.number, second.number);
  const telnet = host.findings.find((f) => f.asset?.port === 23)!;
  assert.deepEqual([telnet.firstRun?.number, telnet.lastRun?.number], [first.number, second.number], "one finding, seen by both runs");
  const last = (await events()).slice(-2);
  assert.deepEqual(last.map((e) => [e.type, e.data.count]), [
    ["assets.new_services", 1],
    ["finding.new", 1],
  ]);
});

test("triage: all or nothing, every change recorded and audited, viewers refused, non-members find nothing", async () => {
  const { listFindings } = await import("./findings.ts");
  const { triageFindings } = await import("./triage.ts");
  const found = (await listFindings(as.owner, SLUG, {})).items;
  const ids = found.map((f) => f.id);
  assert.equal(ids.length, 2);
  await assert.rejects(triageFindings(as.operator, SLUG, { ids: [...ids, "999999"], state: "confirmed", note: "" }), (e: Error & { code?: string; message: string }) => e.code === "not_found" && /no finding 999999 in project pentest: nothing was changed/.test(e.message));
  assert.deepEqual((await listFindings(as.owner, SLUG, { state: ["new"] })).items.length, 2, "nothing changed");
  await assert.rejects(triageFindings(as.viewer, SLUG, { ids, state: "confirmed", note: "" }), { code: "forbidden" });
  await assert.rejects(triageFindings(as.other, SLUG, { ids, state: "confirmed", note: "" }), { code: "not_found" });
  assert.deepEqual(await triageFindings(as.operator, SLUG, { ids, state: "confirmed", note: "verified by hand" }), { changed: 2, unchanged: 0 });
  assert.deepEqual(await triageFindings(as.operator, SLUG, { ids, state: "confirmed", note: "" }), { changed: 0, unchanged: 2 });
  const page = await listFindings(as.viewer, SLUG, { state: ["new", "confirmed"] });
  assert.deepEqual(page.items.map((f) => [f.state, f.stateBy, f.note]), [
    ["confirmed", "bob", "verified by hand"],
    ["confirmed", "bob", "verified by hand"],
  ]);
  assert.deepEqual([page.counts.state.confirmed, page.counts.state.new], [2, 0], "the counters follow");
  const { db } = await import("../platform/db.ts");
  const audit = await db().auditEvent.findMany({ where: { projectId, action: "finding.triage" } });
  assert.equal(audit.length, 1, "a request that changed nothing is not audited");
  assert.deepEqual((audit[0].data as { count: number; state: string }).count, 2);
  // an admin who is no member triages as an admin, and is audited so (not the FTP finding: the next test reopens that one)
  const notFtp = found.find((f) => f.asset?.port !== 21)!.id;
  assert.deepEqual(await triageFindings(as.admin, SLUG, { ids: [notFtp], state: "accepted_risk", note: "client accepts" }), { changed: 1, unchanged: 0 });
  const adminAudit = await db().auditEvent.findFirstOrThrow({ where: { projectId, action: "finding.triage", actorId: as.admin.id } });
  assert.equal((adminAudit.data as { asAdmin?: boolean }).asAdmin, true);
});

test("a fixed finding seen again by a run started after the fix is new again, audited; an earlier run does not reopen it", async () => {
  const { listFindings, getFinding } = await import("./findings.ts");
  const { triageFindings } = await import("./triage.ts");
  const ftp = (await listFindings(as.owner, SLUG, {})).items.find((f) => f.asset?.port === 21)!;
  const stale = await newRun();
  await new Promise((r) => setTimeout(r, 5));
  const { db } = await import("../platform/db.ts");
  // fixed after `stale` was created (its createdAt is in 2026; the fix is now, later: make the clock agree)
  await triageFindings(as.operator, SLUG, { ids: [ftp.id], state: "fixed", note: "service removed" });
  await db().finding.update({ where: { id: BigInt(ftp.id) }, data: { stateAt: new Date(Date.UTC(2026, 11, 10, 9, minute++)) } });
  const s = await store();
  await s.put(PORT_OS, stale.number, 1, nmapDocument(TARGET, [{ ip: TARGET, ports: [{ port: 21, service: "ftp" }] }]), meta(stale, 1));
  assert.equal((await getFinding(as.owner, SLUG, ftp.id)).state, "fixed", "a run started before the fix does not reopen it");
  const later = await newRun();
  await s.put(PORT_OS, later.number, 1, nmapDocument(TARGET, [{ ip: TARGET, ports: [{ port: 21, service: "ftp" }] }]), meta(later, 1));
  const reopened = await getFinding(as.owner, SLUG, ftp.id);
  assert.deepEqual([reopened.state, reopened.stateBy, reopened.lastRun?.number], ["new", null, later.number]);
  assert.deepEqual(reopened.history.map((h) => [h.from, h.to, h.by, h.run?.number ?? null]), [
    [null, "new", null, second.number],
    ["new", "confirmed", "bob", null],
    ["confirmed", "fixed", "bob", null],
    ["fixed", "new", null, later.number],
  ]);
  assert.equal(reopened.evidence.length, 3, "evidence from each run that saw it");
  const ev = await events("finding.reopened");
  assert.deepEqual(ev.map((e) => [e.data.count, (e.data.findings as { id: string }[]).map((f) => f.id)]), [[1, [ftp.id]]]);
  assert.equal(await db().auditEvent.count({ where: { projectId, action: "finding.reopen" } }), 1);
});

test("a merge maps the merged document; a document whose collection maps nothing is left alone", async () => {
  const s = await store();
  const run = await newRun();
  await s.merge(PORT_OS, run.number, 2, { target: "10.231.9.5" }, meta(run, 2));
  await s.merge(PORT_OS, run.number, 2, { hosts: [{ ip: "10.231.9.5", ports: [{ port: 5432, protocol: "tcp", state: "open", service: "postgresql" }] }] }, meta(run, 2));
  await s.put("other|thing@1", run.number, 3, { hosts: [{ ip: "10.231.9.6" }] }, meta(run, 3));
  const { getHost, listHosts } = await import("./assets.ts");
  assert.deepEqual((await getHost(as.owner, SLUG, "10.231.9.5")).services.map((x) => x.port), [5432]);
  assert.ok(!(await listHosts(as.owner, SLUG, {})).items.some((h) => h.address === "10.231.9.6"));
  const { documentMappings } = await import("./ingest.ts");
  assert.deepEqual((await documentMappings(run.id)).map((m) => [m.coll, m.task, m.hosts, m.services]), [[PORT_OS, 2, 1, 1]]);
});

test("hostile values are refused item by item and their reasons kept beside the document", async () => {
  const s = await store();
  const run = await newRun();
  await s.put(PORT_OS, run.number, 1, { hosts: [{ ip: "10.231.9.300", ports: [] }, { ip: "10.231.9.7", hostnames: ["bad name\u0000"], ports: [{ port: 99999, state: "open" }, { port: 8080, state: "open", service: "http\u0000-proxy" }] }] }, meta(run, 1));
  const { documentMappings } = await import("./ingest.ts");
  const [m] = await documentMappings(run.id);
  assert.deepEqual([m.hosts, m.services, m.skipped], [1, 1, 3]);
  assert.equal(m.problems.length, 3);
  assert.match(m.problems[0], /^hosts\[0\]\.ip: "10\.231\.9\.300" is not an IP address$/);
  const { getHost } = await import("./assets.ts");
  assert.deepEqual((await getHost(as.owner, SLUG, "10.231.9.7")).services.map((x) => [x.port, x.service]), [[8080, "http -proxy"]], "a NUL in a value never reaches the database");
});

test("a mapping the database refuses is retried from the index and nothing is lost", async () => {
  const logs: string[] = [];
  let failures = 1;
  const { deriveDocument } = await import("./ingest.ts");
  const s = await store({
    derive: async () => {
      if (failures-- > 0) throw new Error("database away");
      return null;
    },
    rederive: (await import("./ingest.ts")).rederiveRun,
    repairDelayMs: 20,
    log: (msg: string) => logs.push(msg),
  });
  void deriveDocument;
  const run = await newRun();
  await s.put(PORT_OS, run.number, 1, nmapDocument(TARGET, [{ ip: "10.231.9.8", ports: [{ port: 23, service: "telnet" }] }]), meta(run, 1));
  await s.idle();
  assert.ok(logs.some((m) => /mapping a document to assets and findings failed/.test(m)), logs.join("\n"));
  assert.ok(logs.some((m) => /mapped to assets and findings again/.test(m)), logs.join("\n"));
  const { getHost } = await import("./assets.ts");
  assert.deepEqual((await getHost(as.owner, SLUG, "10.231.9.8")).services.map((x) => x.port), [23]);
});

test("membership on every query: readers read, operators triage, a non-member finds nothing", async () => {
  const { listHosts, getHost, listServices, inventoryOverview } = await import("./assets.ts");
  const { listFindings, getFinding } = await import("./findings.ts");
  const { triageFindings } = await import("./triage.ts");
  const id = (await listFindings(as.owner, SLUG, {})).items[0].id;
  const outcome = async (p: Promise<unknown>) => p.then(() => "ok", (e: { code?: string }) => e.code ?? "error");
  const table: Record<string, string[]> = {};
  for (const [who, viewer] of Object.entries(as)) {
    table[who] = await Promise.all([
      outcome(listHosts(viewer, SLUG, {})),
      outcome(getHost(viewer, SLUG, TARGET)),
      outcome(listServices(viewer, SLUG, {})),
      outcome(listFindings(viewer, SLUG, {})),
      outcome(getFinding(viewer, SLUG, id)),
      outcome(triageFindings(viewer, SLUG, { ids: [id], state: "confirmed", note: "" })),
    ]);
  }
  assert.deepEqual(table, {
    owner: ["ok", "ok", "ok", "ok", "ok", "ok"],
    operator: ["ok", "ok", "ok", "ok", "ok", "ok"],
    viewer: ["ok", "ok", "ok", "ok", "ok", "forbidden"],
    other: ["not_found", "not_found", "not_found", "not_found", "not_found", "not_found"],
    admin: ["ok", "ok", "ok", "ok", "ok", "ok"],
  });
  // a finding or host of another project is not found through this one
  const { teamProject } = await import("../testing/projects.ts");
  await teamProject(as.other, "elsewhere");
  await assert.rejects(getFinding(as.other, "elsewhere", id), { code: "not_found" });
  await assert.rejects(getHost(as.other, "elsewhere", TARGET), { code: "not_found" });
  await assert.rejects(triageFindings(as.other, "elsewhere", { ids: [id], state: "fixed", note: "" }), { code: "not_found" });
  const overview = await inventoryOverview(as.viewer);
  const mine = overview.find((p) => p.slug === SLUG)!;
  assert.ok(mine.hosts >= 3 && mine.services >= 3);
  assert.ok(!(await inventoryOverview(as.other)).some((p) => p.slug === SLUG));
});

test("keyset pages and filters: hosts by address, search by network, name and product; findings by severity, state and tool", async () => {
  const s = await store();
  const run = await newRun();
  const many = Array.from({ length: 7 }, (_, i) => ({ ip: `10.231.10.${i + 1}`, names: [`web${i}.corp.test`], ports: [{ port: 80 + i, service: "http", product: i === 3 ? "nginx" : "Apache httpd" }] }));
  await s.put(PORT_OS, run.number, 1, nmapDocument("10.231.10.0/24", many), meta(run, 1));
  const { listHosts } = await import("./assets.ts");
  const seen: string[] = [];
  let after: string | undefined;
  do {
    const page = await listHosts(as.owner, SLUG, { q: "10.231.10.0/24", limit: 3, after });
    seen.push(...page.items.map((h) => h.address));
    after = page.next ?? undefined;
  } while (after);
  assert.deepEqual(seen, many.map((h) => h.ip));
  assert.deepEqual((await listHosts(as.owner, SLUG, { q: "nginx" })).items.map((h) => h.address), ["10.231.10.4"]);
  assert.deepEqual((await listHosts(as.owner, SLUG, { q: "WEB5.corp" })).items.map((h) => h.address), ["10.231.10.6"]);
  assert.deepEqual((await listHosts(as.owner, SLUG, { q: "10.231.10.2" })).items.map((h) => h.address), ["10.231.10.2"]);
  assert.deepEqual((await listHosts(as.owner, SLUG, { port: 86 })).items.map((h) => h.address), ["10.231.10.7"]);
  assert.deepEqual((await listHosts(as.owner, SLUG, { q: "100%_" })).items, [], "LIKE's wildcards are text");
  await assert.rejects(listHosts(as.owner, SLUG, { after: "bm9wZQ" }), { code: "validation" });
  const { listFindings } = await import("./findings.ts");
  const all = await listFindings(as.owner, SLUG, { limit: 1 });
  assert.ok(all.next);
  const rest = await listFindings(as.owner, SLUG, { after: all.next! });
  assert.ok(!rest.items.some((f) => f.id === all.items[0].id));
  assert.deepEqual((await listFindings(as.owner, SLUG, { severity: ["critical"] })).items, []);
  assert.equal((await listFindings(as.owner, SLUG, { tool: "no.such" })).items.length, 0);
  const open = await listFindings(as.owner, SLUG, { state: ["new", "confirmed"] });
  assert.ok(open.items.every((f) => f.state === "new" || f.state === "confirmed"));
  assert.equal(
    Object.values(open.counts.state).reduce((a, b) => a + b, 0),
    Object.values((await listFindings(as.owner, SLUG, {})).counts.state).reduce((a, b) => a + b, 0),
    "state counts ignore the state filter",
  );
});

test("a run that ends failed records run.failed in its project, in the same transaction", async () => {
  const { db } = await import("../platform/db.ts");
  const { endRun } = await import("../queue/lifecycle/index.ts");
  const run = await newRun();
  await db().run.update({ where: { id: run.id }, data: { status: "running", endedAt: null } });
  assert.equal(await db().$transaction((tx) => endRun(tx, run.id, { type: "WorkerLost", message: "the worker stopped answering" })), true);
  const [e] = (await events("run.failed")).slice(-1);
  assert.deepEqual(e.data, { run: { id: run.id, number: run.number, function: "nmap.port_os", package: pkg.fullName }, error: { type: "WorkerLost", message: "the worker stopped answering" } });
  // a run that was not ended (not applied) tells nothing
  assert.equal(await db().$transaction((tx) => endRun(tx, run.id, { type: "WorkerLost", message: "again" })), false);
  assert.equal((await events("run.failed")).length, 1);
});
