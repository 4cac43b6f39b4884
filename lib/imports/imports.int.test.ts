/**
 * Importing reports into a project through the real runner (Docker, PostgreSQL, FerretDB): the
 * hub's importer package parses an uploaded nmap XML and nuclei JSONL in its tool container, and the
 * package's mappings make the project's hosts, services and findings. The same report imported twice
 * dedupes; a finding marked fixed reopens when an import sees it again. Another package's workflow
 * calls the importer through its dependencies. No network is touched: the reports name addresses.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

const IMPORTERS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/levhub.importers");
const SLUG = "imported";
const HOST = "192.0.2.10";

const NMAP = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sV --script vulners ${HOST}">
  <host><status state="up"/><address addr="${HOST}" addrtype="ipv4"/>
    <hostnames><hostname name="web.example.test" type="PTR"/></hostnames>
    <ports>
      <port protocol="tcp" portid="22"><state state="open"/><service name="ssh" product="OpenSSH" version="9.2p1"/>
        <script id="vulners" output="CVE-2023-38408 9.8"/></port>
      <port protocol="tcp" portid="443"><state state="open"/><service name="https" product="nginx"/></port>
      <port protocol="tcp" portid="25"><state state="closed"/><service name="smtp"/></port>
    </ports>
  </host>
</nmaprun>`;

const NUCLEI = [
  JSON.stringify({ "template-id": "CVE-2021-44228", info: { name: "Log4Shell", severity: "critical" }, type: "http", host: `https://${HOST}`, "matched-at": `https://${HOST}/api`, ip: HOST, port: "443" }),
  "{not json",
  JSON.stringify({ "template-id": "exposed-git", info: { name: "Exposed .git", severity: "medium" }, type: "http", host: "https://app.example.test", "matched-at": "https://app.example.test/.git/config" }),
].join("\n");

let hub: TestHub;
let alice: Viewer;
let bob: Viewer;
let carol: Viewer;

before(async () => {
  hub = await startTestHub();
  await hub.startWorker();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { signUp } = await import("../accounts/users.ts");
  ({ alice, bob } = await signUpTestUsers());
  carol = await signUp({ email: "carol@example.org", username: "carol", password: "longenough" });
  const { teamProject } = await import("../testing/projects.ts");
  await teamProject(alice, SLUG, [[carol, "viewer"]]);
  const { publishDirectory } = await import("../packages/upload.ts");
  await publishDirectory("system", IMPORTERS, { skipExisting: true });
});

after(async () => {
  await hub?.close();
});

async function upload(viewer: Viewer, name: string, content: string) {
  const { stageTestFile } = await import("../testing/files.ts");
  const { uploadFile } = await import("../files/uploads.ts");
  return uploadFile(viewer, await stageTestFile(name, content), { project: SLUG });
}

/** Imports a report and waits for its run; the run must succeed. */
async function importReport(format: "nmap" | "nuclei" | "sarif", name: string, content: string) {
  const { startImport } = await import("./imports.ts");
  const { waitForRun } = await import("../runs/index.ts");
  const file = await upload(alice, name, content);
  const started = await startImport(alice, SLUG, { format, file: file.id });
  const run = await waitForRun(alice, started.id);
  assert.equal(run.status, "succeeded", JSON.stringify({ error: run.error, tasks: run.tasks.map((t) => [t.coll, t.status, t.error]) }));
  return run;
}

async function findings() {
  const { listFindings } = await import("../findings/findings.ts");
  return (await listFindings(alice, SLUG, { state: undefined })).items;
}

test("an nmap XML import becomes the project's host, open services and the script's finding; the importer holds no grant", async () => {
  const run = await importReport("nmap", "scan.xml", NMAP);
  assert.equal(run.project.slug, SLUG);
  assert.equal(run.package, "levhub.importers");
  const { listHosts, listServices } = await import("../findings/assets.ts");
  const hosts = await listHosts(alice, SLUG, {});
  assert.deepEqual(hosts.items.map((h) => [h.address, h.names]), [[HOST, ["web.example.test"]]]);
  const services = await listServices(alice, SLUG, {});
  assert.deepEqual(services.items.map((s) => [s.port, s.protocol, s.service, s.product]).sort(), [[22, "tcp", "ssh", "OpenSSH"], [443, "tcp", "https", "nginx"]]);
  const f = await findings();
  assert.deepEqual(f.map((x) => [x.key, x.severity, x.state]), [["nmap-script:vulners", "low", "new"]]);
  // the importer is granted nothing (its Cr asks for offline=True: Docker's "none" network, container-config.test.ts)
  const { db } = await import("../platform/db.ts");
  const row = await db().run.findUniqueOrThrow({ where: { id: run.id }, select: { policy: true } });
  assert.deepEqual([(row.policy as { network?: string }).network, (row.policy as { caps?: string[] }).caps], ["none", []]);
});

test("the same report imported again dedupes; a finding marked fixed reopens when an import sees it again, audited", async () => {
  const before = await findings();
  const { triageFindings } = await import("../findings/triage.ts");
  await triageFindings(alice, SLUG, { ids: before.map((f) => f.id), state: "fixed", note: "patched" });
  await importReport("nmap", "scan-again.xml", NMAP);
  const again = await findings();
  assert.deepEqual(again.map((f) => [f.id, f.state]), before.map((f) => [f.id, "new"]), "the same findings, reopened, none added");
  const { listHosts } = await import("../findings/assets.ts");
  assert.equal((await listHosts(alice, SLUG, {})).items.length, 1);
  const { db } = await import("../platform/db.ts");
  assert.equal(await db().auditEvent.count({ where: { action: "finding.reopen", projectId: (await db().project.findUniqueOrThrow({ where: { slug: SLUG } })).id } }), 1);
});

test("a nuclei JSONL import: a malformed line is counted, results land on the service and the web origin", async () => {
  const run = await importReport("nuclei", "nuclei.jsonl", NUCLEI);
  const { runDocuments } = await import("../runs/index.ts");
  const [doc] = (await runDocuments(alice, run.id)).map((d) => d.doc as { counts: unknown; malformed: unknown });
  assert.deepEqual(doc.counts, { lines: 3, results: 2, malformed: 1 });
  assert.deepEqual(doc.malformed, [{ line: 2, problem: "not JSON" }]);
  const f = await findings();
  const nuclei = f.filter((x) => x.key.startsWith("nuclei:")).map((x) => [x.key, x.severity, x.asset?.kind]);
  assert.deepEqual(nuclei.sort(), [
    [`nuclei:CVE-2021-44228 https://${HOST}/api`, "critical", "service"],
    ["nuclei:exposed-git https://app.example.test/.git/config", "medium", "origin"],
  ]);
});

test("a refused report fails its run with the parser's reason; a viewer may not import; a file of no use is not found", async () => {
  const { startImport } = await import("./imports.ts");
  const { waitForRun } = await import("../runs/index.ts");
  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><nmaprun>&lol2;</nmaprun>`;
  const file = await upload(alice, "laughs.xml", laughs);
  const run = await waitForRun(alice, (await startImport(alice, SLUG, { format: "nmap", file: file.id })).id);
  assert.equal(run.status, "failed");
  assert.match(JSON.stringify({ run: run.error, tasks: run.tasks.map((t) => t.error) }), /entities are never expanded/);
  await assert.rejects(startImport(carol, SLUG, { format: "nmap", file: file.id }), (e: { code?: string }) => e.code === "forbidden");
  await assert.rejects(startImport(bob, SLUG, { format: "nmap", file: file.id }), (e: { code?: string }) => e.code === "not_found");
});

test("another package's workflow calls the importer through its dependencies", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "levhub-reimport-"));
  // mkdtemp makes it 0700; the copy keeps that, and introspection reads it as nobody
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, "lev", "alice", "reimport"), { recursive: true });
  writeFileSync(path.join(dir, "pyproject.toml"), '[project]\nname = "lev.alice.reimport"\nversion = "0.1.0"\ndependencies = ["levrt", "lev.levhub.importers>=1,<2"]\n');
  writeFileSync(
    path.join(dir, "lev", "alice", "reimport", "__init__.py"),
    [
      "from levrt import File, annot, ctx",
      "from lev.levhub.importers import formats",
      "",
      '@annot.meta(desc="import a scan and count its hosts", params=[annot.Param("report", "nmap XML", kind="file")])',
      "async def count_hosts(report: File = None):",
      "    doc = await formats.nmap_xml(report)",
      "    ctx.set(hosts=[h['ip'] for h in (await doc.get())['hosts']])",
      "",
      '__lev__ = annot.meta([count_hosts], desc="a workflow over the importer")',
      "",
    ].join("\n"),
  );
  const { publishDirectory } = await import("../packages/upload.ts");
  const pub = await publishDirectory("system", dir);
  const { startRun, waitForRun, runDocuments } = await import("../runs/index.ts");
  const file = await upload(alice, "scan.xml", NMAP);
  const started = await startRun(alice, { versionId: pub.versionId, function: "count_hosts", args: { report: { $lev: "file", id: file.id } }, project: SLUG });
  const run = await waitForRun(alice, started.id);
  assert.equal(run.status, "succeeded", JSON.stringify({ error: run.error, tasks: run.tasks.map((t) => [t.coll, t.status, t.error]) }));
  const docs = await runDocuments(alice, run.id);
  assert.ok(docs.some((d) => /levhub\/importers\.nmap@1\.0$/.test(d.coll)), "the importer stored its document");
  assert.deepEqual(docs.find((d) => "hosts" in d.doc && Array.isArray(d.doc.hosts) && typeof d.doc.hosts[0] === "string")?.doc.hosts, [HOST]);
});
