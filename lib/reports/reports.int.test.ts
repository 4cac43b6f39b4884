/**
 * Reports on a real PostgreSQL and FerretDB: a project populated through the hub's indexing store
 * (two nmap runs, a data store opened between them) gives a report whose model, Markdown and PDF
 * text say what ran, the assets, the findings with evidence and what changed since a date; a run's
 * report holds only what that run saw; the evidence bundle's hashes verify; downloads are audited;
 * someone else's project and runs are not found.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { MongoResultStore } from "../../runner/src/index.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import { pdfText } from "../testing/pdf-text.ts";
import type { SeededPackage } from "../results/testing.ts";
import type { Viewer } from "../types.ts";
import { nmapDocument, NMAP_MAPPINGS, PORT_OS } from "../findings/testing.ts";

let hub: TestHub;
let mongo: MongoResultStore;
let pkg: SeededPackage;
let projectId: string;
const as = {} as Record<"owner" | "viewer" | "other", Viewer>;
const SLUG = "acme-web";
const TARGET = "10.231.9.2";
const HOSTILE_PRODUCT = "<script>alert(1)</script>\u202Eredis";
let first: { id: string; number: number };
let second: { id: string; number: number };
let between: Date;

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { signUp } = await import("../accounts/users.ts");
  const { alice, bob } = await signUpTestUsers();
  const carol = await signUp({ email: "carol@example.org", username: "carol", password: "longenough" });
  Object.assign(as, { owner: alice, viewer: carol, other: bob });
  const { teamProject } = await import("../testing/projects.ts");
  projectId = await teamProject(alice, SLUG, [[carol, "viewer"]]);
  const { db } = await import("../platform/db.ts");
  await db().project.update({ where: { id: projectId }, data: { client: "ACME Corp", scope: { allow: ["10.231.9.0/24"], exclude: ["10.231.9.1"], services: [] } } });
  const { seedPackage, seedRun } = await import("../results/testing.ts");
  pkg = await seedPackage(null, "nmap_python");
  await db().packageVersion.update({ where: { id: pkg.versionId }, data: { manifest: { modes: [], tools: [], workflows: [], ...NMAP_MAPPINGS }, archiveSha256: "ab".repeat(32), imageDigest: `sha256:${"cd".repeat(32)}` } });
  mongo = await MongoResultStore.connect(hub.mongoUri);
  const { IndexingResultStore } = await import("../results/indexing-store.ts");
  const s = new IndexingResultStore(mongo, { log: () => undefined });
  const put = async (run: { id: string; number: number }, doc: Record<string, unknown>) => {
    await db().run.update({ where: { id: run.id }, data: { collections: [PORT_OS], args: { target: TARGET, ports: "22,23,6379" } } });
    await db().task.create({ data: { runId: run.id, number: 1, image: "levhub/nmap:bookworm", coll: PORT_OS, status: "succeeded", stored: true, startedAt: new Date(), endedAt: new Date() } });
    await s.put(PORT_OS, run.number, 1, doc, { owner: "alice", run: run.id, job: run.number, task: 1, package: pkg.fullName, at: new Date() });
  };
  first = await seedRun(alice.id, pkg, "nmap.port_os", new Date(Date.UTC(2026, 11, 10, 9, 0)), projectId);
  await put(first, nmapDocument(TARGET, [{ ip: TARGET, names: ["target.test"], ports: [{ port: 22, service: "ssh", product: "OpenSSH", version: "9.2" }, { port: 23, service: "telnet" }] }]));
  // what a run saw is first seen when the run started
  between = new Date(Date.UTC(2026, 11, 10, 9, 2));
  second = await seedRun(alice.id, pkg, "nmap.port_os", new Date(Date.UTC(2026, 11, 10, 9, 5)), projectId);
  await put(second, nmapDocument(TARGET, [{ ip: TARGET, names: ["target.test"], ports: [{ port: 22, service: "ssh", product: "OpenSSH", version: "9.2" }, { port: 23, service: "telnet" }, { port: 6379, service: "redis", product: HOSTILE_PRODUCT }] }]));
});

after(async () => {
  await mongo?.close();
  const { closeResultsPool } = await import("../results/pg.ts");
  await closeResultsPool();
  await hub?.close();
});

test("a project's report: scope, both runs with versions and digests, assets, findings with evidence, changes since a date", async () => {
  const { projectReport } = await import("./load.ts");
  const { model, projectId: pid } = await projectReport(as.viewer, SLUG, { since: between });
  assert.equal(pid, projectId);
  assert.equal(model.kind, "project");
  assert.equal(model.project.client, "ACME Corp");
  assert.deepEqual(model.scope, { allow: ["10.231.9.0/24"], exclude: ["10.231.9.1"], services: [] });
  assert.deepEqual(
    model.runs.items.map((r) => [r.number, r.package, r.version, r.archiveSha256, r.imageDigest, r.owner, r.tasks.map((t) => t.image)]),
    [second, first].map((r) => [r.number, pkg.fullName, "1.0.0", "ab".repeat(32), `sha256:${"cd".repeat(32)}`, "alice", ["levhub/nmap:bookworm"]]),
  );
  assert.deepEqual(JSON.parse(model.runs.items[0].args), { ports: "22,23,6379", target: TARGET });
  assert.deepEqual(model.hosts.items.map((h) => [h.address, h.names]), [[TARGET, ["target.test"]]]);
  assert.deepEqual(model.services.items.map((s) => s.port), [22, 23, 6379]);
  // the hostile product is text, its override replaced
  assert.equal(model.services.items[2].product, "<script>alert(1)</script>\ufffdredis");
  const medium = model.findings.find((f) => f.severity === "medium");
  assert.equal(medium?.total, 1);
  assert.match(medium?.items[0].title ?? "", /telnet on 23\/tcp/);
  assert.equal(medium?.items[0].asset, `${TARGET}:23/tcp`);
  assert.deepEqual(
    medium?.items[0].evidence.map((e) => e.run),
    [second.number, first.number],
  );
  assert.match(medium?.items[0].evidence[0].sha256 ?? "", /^[0-9a-f]{64}$/);
  // since between the runs: only the data store is new
  assert.deepEqual(model.changes, { hosts: { items: [], total: 0 }, services: { items: [`${TARGET}:6379/tcp`], total: 1 }, findings: { items: [], total: 0 } });
});

test("the PDF and Markdown downloads say the new service; the HTML carries its CSP; every download is audited", async () => {
  const { reportDownload } = await import("./download.ts");
  const pdf = await reportDownload(as.owner, { project: SLUG }, { format: "pdf", since: between });
  assert.equal(pdf.contentType, "application/pdf");
  assert.equal(pdf.fileName, `levhub-${SLUG}-report.pdf`);
  const bytes = new Uint8Array(await new Response(pdf.body).arrayBuffer());
  const text = await pdfText(bytes);
  for (const needle of ["Engagement report: Project acme-web", "ACME Corp", "10.231.9.0/24", `${TARGET}:6379/tcp`, "<script>alert(1)</script>?redis", `Run #${second.number}`, `sha256:${"cd".repeat(32)}`, "Medium (1)", "Changes since"]) {
    assert.ok(text.includes(needle), `the PDF says ${needle}`);
  }
  const md = await reportDownload(as.owner, { project: SLUG }, { format: "md", since: undefined });
  assert.ok(typeof md.body === "string" && md.body.includes("10.231.9.2:6379/tcp") && md.body.includes("\\<script\\>"));
  const html = await reportDownload(as.owner, { run: String(second.number) }, { format: "html", since: undefined });
  assert.equal(html.headers?.["content-security-policy"]?.startsWith("default-src 'none'; style-src 'unsafe-inline'"), true);
  assert.ok(typeof html.body === "string" && !html.body.includes("<script>"));
  const { db } = await import("../platform/db.ts");
  const rows = await db().auditEvent.findMany({ where: { action: "report.download", projectId }, orderBy: { id: "asc" } });
  assert.deepEqual(
    rows.map((r) => [r.target, (r.data as { format: string; kind: string }).format, (r.data as { kind: string }).kind]),
    [
      [SLUG, "pdf", "project"],
      [SLUG, "md", "project"],
      [second.id, "html", "run"],
    ],
  );
});

test("a run's report holds only what that run saw", async () => {
  const { runReport } = await import("./load.ts");
  const { model } = await runReport(as.viewer, first.id);
  assert.equal(model.kind, "run");
  assert.equal(model.title, `Run #${first.number} in ${SLUG}`);
  assert.deepEqual(model.runs.items.map((r) => r.number), [first.number]);
  assert.deepEqual(model.services.items.map((s) => s.port), [22, 23]);
  const medium = model.findings.find((f) => f.severity === "medium");
  assert.deepEqual(medium?.items[0].evidence.map((e) => e.run), [first.number]);
});

test("someone else's project and run are not found, for reports and evidence alike", async () => {
  const { projectReport, runReport } = await import("./load.ts");
  const { runEvidence } = await import("./evidence.ts");
  await assert.rejects(projectReport(as.other, SLUG), { code: "not_found" });
  await assert.rejects(runReport(as.other, first.id), { code: "not_found" });
  await assert.rejects(runEvidence(as.other, first.id), { code: "not_found" });
});

test("the evidence bundle: documents as canonical JSON, a manifest naming each with its sha256, SHA256SUMS that verifies", async () => {
  const { evidenceDownload } = await import("./download.ts");
  const d = await evidenceDownload(as.viewer, String(second.number));
  assert.equal(d.fileName, `levhub-run-${second.number}-evidence.tar.gz`);
  const entries = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: unknown) => void chunks.push(c as Buffer));
    stream.on("end", () => {
      entries.set(header.name, Buffer.concat(chunks));
      next();
    });
  });
  await pipeline(Readable.fromWeb(d.body as import("node:stream/web").ReadableStream), createGunzip(), extract);
  const names = [...entries.keys()];
  assert.deepEqual(names.slice(-2), ["manifest.json", "SHA256SUMS"]);
  // every line of SHA256SUMS names an entry whose bytes hash to it, and every other entry is named
  const sums = (entries.get("SHA256SUMS") ?? Buffer.alloc(0)).toString().trim().split("\n");
  assert.equal(sums.length, names.length - 1);
  for (const line of sums) {
    const [, sha, name] = /^([0-9a-f]{64}) {2}(.+)$/.exec(line) ?? [];
    assert.equal(createHash("sha256").update(entries.get(name) ?? "").digest("hex"), sha, `${name} verifies`);
  }
  const manifest = JSON.parse((entries.get("manifest.json") ?? "").toString()) as {
    format: string;
    run: { number: number; package: string; archiveSha256: string; imageDigest: string; args: unknown; tasks: { image: string }[] };
    documents: { file: string; coll: string; job: number; task: number; sha256: string }[];
  };
  assert.equal(manifest.format, "levhub-evidence/1");
  assert.deepEqual([manifest.run.number, manifest.run.package, manifest.run.archiveSha256, manifest.run.imageDigest], [second.number, pkg.fullName, "ab".repeat(32), `sha256:${"cd".repeat(32)}`]);
  assert.deepEqual(manifest.run.args, { ports: "22,23,6379", target: TARGET });
  assert.equal(manifest.documents.length, 1);
  const [doc] = manifest.documents;
  assert.deepEqual([doc.coll, doc.job, doc.task], [PORT_OS, second.number, 1]);
  // the collection's "/" and "@" never make a path of their own in the archive
  assert.match(doc.file, /^documents\/0001-[A-Za-z0-9._-]+-task1\.json$/);
  const body = entries.get(doc.file) ?? Buffer.alloc(0);
  assert.equal(createHash("sha256").update(body).digest("hex"), doc.sha256);
  const stored = JSON.parse(body.toString()) as { hosts: { ports: { port: number; product: string | null }[] }[] };
  assert.deepEqual(
    stored.hosts[0].ports.map((p) => [p.port, p.product]),
    [
      [22, "OpenSSH"],
      [23, null],
      [6379, HOSTILE_PRODUCT],
    ],
  );
  const { db } = await import("../platform/db.ts");
  assert.equal(await db().auditEvent.count({ where: { action: "evidence.download", target: second.id, projectId } }), 1);
});

test("a huge project stays a bounded report: findings past the cap per severity counted, evidence and excerpts capped", async () => {
  const { db } = await import("../platform/db.ts");
  const { teamProject } = await import("../testing/projects.ts");
  const { REPORT_CAPS } = await import("./model.ts");
  const bigId = await teamProject(as.owner, "big-one", []);
  const n = REPORT_CAPS.findingsPerSeverity + 25;
  await db().$executeRawUnsafe(
    `INSERT INTO "Finding" ("projectId", "assetRef", "key", "title", "severity", "stateAt", "firstSeen", "lastSeen", "tool", "function", "schema")
     SELECT $1, '', 'k' || i, 'finding ' || i, 'high', now(), now(), now() - (i || ' seconds')::interval, 'levhub.bench', 'scan', 's' FROM generate_series(1, ${n}) i`,
    bigId,
  );
  await db().$executeRawUnsafe(`INSERT INTO "Finding" ("projectId", "assetRef", "key", "title", "severity", "stateAt", "firstSeen", "lastSeen", "tool", "function", "schema") VALUES ($1, '', 'one', 'the only low', 'low', now(), now(), now(), 't', 'f', 's')`, bigId);
  // the newest-seen high finding gets five evidence rows, one with an excerpt past the cap
  await db().$executeRawUnsafe(
    `INSERT INTO "FindingEvidence" ("findingId", "runId", "coll", "job", "task", "path", "excerpt", "sha256", "seenAt")
     SELECT f."id", $2, 'c', $3, i, 'p', repeat('x', ${REPORT_CAPS.excerptChars + 100}), repeat('a', 64), now() FROM "Finding" f, generate_series(1, 5) i WHERE f."projectId" = $1 AND f."key" = 'k1'`,
    bigId,
    first.id,
    first.number,
  );
  const { projectReport } = await import("./load.ts");
  const { renderMarkdown } = await import("./markdown.ts");
  const { model } = await projectReport(as.owner, "big-one");
  const high = model.findings.find((f) => f.severity === "high");
  assert.equal(high?.total, n);
  assert.equal(high?.items.length, REPORT_CAPS.findingsPerSeverity);
  assert.equal(high?.items[0].title, "finding 1", "the newest seen first");
  assert.equal(high?.items[0].evidence.length, REPORT_CAPS.evidencePerFinding);
  assert.equal(high?.items[0].evidenceTotal, 5);
  assert.equal(high?.items[0].evidence[0].excerpt, `${"x".repeat(REPORT_CAPS.excerptChars)}…`);
  assert.deepEqual(model.findings.find((f) => f.severity === "low")?.items.map((f) => f.title), ["the only low"]);
  const md = renderMarkdown(model);
  assert.ok(md.includes(`${REPORT_CAPS.findingsPerSeverity} of ${n} high findings listed; the rest counted only.`));
  assert.ok(md.includes(`${REPORT_CAPS.evidencePerFinding} of 5 evidence rows shown.`));
});
