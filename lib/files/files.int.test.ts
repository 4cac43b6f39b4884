/**
 * Files given to runs (`levrt.File`, issue 20) against the real hub: uploads through the route (a
 * streamed multipart body, caps, names), who may use a file (someone else's id is 404 in runs and
 * scans alike), runs on the real engine reading their file, the references runs, re-runs and scans
 * keep and the collector honours, and the worker route that serves a file only for a run its
 * instance holds.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { blobPath } from "../../runner/src/blobs.ts";
import { PROTOCOL_VERSION, type PollResponse, type RegisterResponse } from "../../runner/worker/protocol.ts";
import { fixtureFiles } from "../../e2e/support/archive.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { RouteServer } from "../testing/route-server.ts";
import type { FileView } from "./types.ts";
import type { RunSummary, Viewer } from "../types.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const LINES = path.join(ROOT, "e2e", "fixtures", "lines");
const PROJECT = "files-team";

let hub: TestHub;
let routes: RouteServer;
let alice: Viewer;
let bob: Viewer;
let olga: Viewer;
let vera: Viewer;
let token: Record<"alice" | "bob" | "olga" | "vera", string>;
let versionId: string;

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

type ApiError = { error: { code: string; message: string; fieldErrors?: Record<string, string> } };

/** A multipart body as a client sends it, written by hand so that every byte is the test's. */
function multipart(parts: { name: string; value: string | Buffer; filename?: string }[], boundary = `b${randomBytes(8).toString("hex")}`): { body: Buffer; type: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const file = p.filename !== undefined ? `; filename="${p.filename}"\r\nContent-Type: application/octet-stream` : "";
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${file}\r\n\r\n`), Buffer.from(p.value), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

async function post<T>(who: keyof typeof token, route: string, parts: Parameters<typeof multipart>[0]): Promise<{ status: number; json: T }> {
  const { body, type } = multipart(parts);
  const res = await fetch(`${routes.url}${route}`, { method: "POST", headers: { authorization: `Bearer ${token[who]}`, "content-type": type }, body: new Uint8Array(body) });
  return { status: res.status, json: (await res.json()) as T };
}

async function get<T>(who: keyof typeof token, route: string): Promise<{ status: number; json: T }> {
  const res = await fetch(`${routes.url}${route}`, { headers: { authorization: `Bearer ${token[who]}` } });
  return { status: res.status, json: (await res.json()) as T };
}

const upload = (who: keyof typeof token, name: string, content: string | Buffer, project?: string) =>
  post<FileView>(who, "/api/files", [{ name: "file", value: content, filename: name }, ...(project ? [{ name: "project", value: project }] : [])]);

const ref = (id: string) => ({ $lev: "file", id });

async function staged(): Promise<string[]> {
  return readdir(path.join(hub.dataDir, "uploads")).catch(() => []);
}

before(async () => {
  hub = await startTestHub();
  await hub.startWorker();
  const { serveRoutes } = await import("../testing/route-server.ts");
  routes = await serveRoutes();
  const { signUp, getUser } = await import("../accounts/users.ts");
  const { createToken } = await import("../accounts/tokens.ts");
  const user = async (username: string) => (await getUser((await signUp({ email: `${username}@example.test`, username, password: "a long enough password" })).id))!;
  [alice, bob, olga, vera] = [await user("alice"), await user("bob"), await user("olga"), await user("vera")];
  token = {
    alice: (await createToken(alice, { name: "t" })).token,
    bob: (await createToken(bob, { name: "t" })).token,
    olga: (await createToken(olga, { name: "t" })).token,
    vera: (await createToken(vera, { name: "t" })).token,
  };
  // alice's team: olga may run there, vera only reads
  const { teamProject } = await import("../testing/projects.ts");
  await teamProject(alice, PROJECT, [
    [olga, "operator"],
    [vera, "viewer"],
  ]);
  const { buildZip } = await import("../packages/archives.ts");
  const { publishArchive } = await import("../packages/upload.ts");
  const zip = await buildZip(fixtureFiles(LINES, "alice").map((f) => ({ name: `alice.lines/${f.path}`, data: f.content })));
  const published = await publishArchive(alice, { filename: "lines.zip", data: zip }, { private: false });
  versionId = published.versionId;
});

after(async () => {
  await routes?.close();
  await hub?.close();
});

test("an upload streams to a read-only blob named by its content; its id is random; its name is cleaned, never a path", async () => {
  const content = "one\ntwo\nthree\n";
  const r = await upload("alice", "../../../../etc/passwd", content);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.name, "passwd");
  assert.equal(r.json.size, content.length);
  assert.equal(r.json.sha256, sha(content));
  assert.match(r.json.id, /^[A-Za-z0-9_-]{24}$/);
  assert.notEqual(r.json.id, r.json.sha256);
  assert.deepEqual(r.json.project, { slug: "alice", name: "alice", personal: true }, "the uploader's personal project by default");
  const blob = blobPath(path.join(hub.dataDir, "blobs"), sha(content));
  assert.equal(statSync(blob).mode & 0o777, 0o444);
  assert.deepEqual(await staged(), [], "the staged copy is gone");
  // the same content again: a new id, the same blob
  const again = await upload("alice", "again.txt", content);
  assert.notEqual(again.json.id, r.json.id);
  assert.equal(again.json.sha256, r.json.sha256);
  // names that carry tricks: control characters, a direction override, a NUL (refused: nothing can store it)
  assert.equal((await upload("alice", "a\u202Etxt.exe", "x")).json.name, "atxt.exe");
  const nul = await upload("alice", "a\u0000b.txt", "x");
  assert.equal(nul.status, 422);
  assert.match((nul.json as unknown as ApiError).error.message, /file name must not contain the NUL character/);
  assert.deepEqual(await staged(), []);
});

test("who may see a file: its uploader and whoever may run in its project; a viewer, a stranger and a guessed id find none", async () => {
  const r = await upload("alice", "team.txt", "team\n", PROJECT);
  assert.equal(r.status, 201);
  assert.equal(r.json.project?.slug, PROJECT);
  assert.equal((await get("alice", `/api/files/${r.json.id}`)).status, 200);
  assert.equal((await get("olga", `/api/files/${r.json.id}`)).status, 200, "an operator of the project");
  for (const who of ["vera", "bob"] as const) {
    const res = await get<ApiError>(who, `/api/files/${r.json.id}`);
    assert.equal(res.status, 404, who);
    assert.equal(res.json.error.message, "file not found");
  }
  // guessing: a random id, the content's sha256, someone's id with a character changed
  for (const guess of [randomBytes(18).toString("base64url"), r.json.sha256, `${r.json.id.slice(0, -1)}${r.json.id.endsWith("A") ? "B" : "A"}`]) {
    const res = await get<ApiError>("alice", `/api/files/${encodeURIComponent(guess)}`);
    assert.equal(res.status, 404, guess);
    assert.equal(res.json.error.message, "file not found", "the same answer as for someone else's file");
  }
  // uploading into a project: its viewers may not, strangers find no such project
  assert.equal((await upload("vera", "v.txt", "v", PROJECT)).status, 403);
  assert.equal((await upload("bob", "b.txt", "b", PROJECT)).status, 404);
});

test("caps: one file past the admin's limit and a user past their quota are refused with 413; nothing is kept", async () => {
  const { updateSettings } = await import("../platform/settings.ts");
  const { db } = await import("../platform/db.ts");
  await updateSettings({ files: { maxBytes: 4096, quotaBytes: 10_000 } });
  try {
    const before = await db().fileUpload.count();
    const big = await upload("bob", "big.bin", randomBytes(5000));
    assert.equal(big.status, 413);
    assert.match((big.json as unknown as ApiError).error.message, /big\.bin is 4\.9 KiB, over the limit of 4 KiB for one file/);
    // far past the body's cap: refused before it is read (the route itself: over a socket the
    // client may see the connection closed under the body it is still sending)
    const { POST } = await import("../../app/api/files/route.ts");
    const hugeBody = multipart([{ name: "file", value: randomBytes(200_000), filename: "huge.bin" }]);
    const huge = await POST(
      new Request(`${routes.url}/api/files`, { method: "POST", headers: { authorization: `Bearer ${token.bob}`, "content-type": hugeBody.type }, body: new Uint8Array(hugeBody.body) }),
      { params: Promise.resolve({}) },
    );
    assert.equal(huge.status, 413);
    assert.equal(((await huge.json()) as ApiError).error.code, "too_large");
    const a = await upload("bob", "a.bin", randomBytes(4000));
    const b = await upload("bob", "b.bin", randomBytes(4000));
    assert.deepEqual([a.status, b.status], [201, 201]);
    const c = await upload("bob", "c.bin", randomBytes(4000));
    assert.equal(c.status, 413);
    assert.match((c.json as unknown as ApiError).error.message, /^your files already take 7\.8 KiB of your 9\.8 KiB; this one \(3\.9 KiB\) does not fit/);
    // the same content as one already held costs nothing
    const same = await post<FileView>("bob", "/api/files", [{ name: "file", value: await (await import("node:fs/promises")).readFile(blobPath(path.join(hub.dataDir, "blobs"), a.json.sha256)), filename: "a-again.bin" }]);
    assert.equal(same.status, 201, JSON.stringify(same.json));
    assert.equal(await db().fileUpload.count(), before + 3);
    assert.deepEqual(await staged(), []);
  } finally {
    await updateSettings({ files: { maxBytes: 64 * 1024 * 1024, quotaBytes: 1024 * 1024 * 1024 } });
  }
});

test("multipart bombs and tricks: too many parts or files, endless headers, a file in a field that takes none, a second file field, an unknown field", async () => {
  const many = Array.from({ length: 70 }, (_, i) => ({ name: `f${i}`, value: "1" }));
  assert.equal((await post<ApiError>("alice", "/api/files", many)).status, 422);
  const files = Array.from({ length: 20 }, (_, i) => ({ name: "file", value: "x", filename: `f${i}` }));
  const tooMany = await post<ApiError>("alice", "/api/files", files);
  assert.equal(tooMany.status, 422);
  assert.match(tooMany.json.error.message, /more than 16 files/);
  const twice = await post<ApiError>("alice", "/api/files", [
    { name: "file", value: "1", filename: "one" },
    { name: "file", value: "2", filename: "two" },
  ]);
  assert.equal(twice.status, 422, "one file per upload");
  const noFile = await post<ApiError>("alice", "/api/files", [{ name: "file", value: "text, not a file" }]);
  assert.equal(noFile.status, 422);
  assert.ok(noFile.json.error.fieldErrors?.file);
  // a field the upload does not take (a misspelt `project`) is refused, never ignored
  const typo = await post<ApiError>("alice", "/api/files", [{ name: "file", value: "1", filename: "one" }, { name: "projcet", value: "alice" }]);
  assert.equal(typo.status, 422);
  assert.deepEqual(typo.json.error.fieldErrors, { projcet: "is not a field of this request" });
  const headers = await fetch(`${routes.url}/api/files`, {
    method: "POST",
    headers: { authorization: `Bearer ${token.alice}`, "content-type": "multipart/form-data; boundary=xyz" },
    body: `--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\nX-Pad: ${"a".repeat(20_000)}\r\n\r\nx\r\n--xyz--\r\n`,
  });
  assert.equal(headers.status, 422);
  assert.equal((await post<ApiError>("alice", "/api/runs", [{ name: "function", value: "count" }, { name: "package", value: "alice.lines" }, { name: "evil", value: "x", filename: "x" }])).status, 422);
  assert.deepEqual(await staged(), [], "every refusal removed what it had staged");
});

async function finished(viewer: Viewer, runId: string) {
  const { waitForRun } = await import("../runs/index.ts");
  return waitForRun(viewer, runId);
}

async function countDoc(viewer: Viewer, runId: string) {
  const { runDocuments } = await import("../runs/index.ts");
  const docs = await runDocuments(viewer, runId);
  return docs.find((d) => d.coll.endsWith("lines.count"))?.doc as Record<string, unknown> | undefined;
}

test("a run with a file: the tool reads it where the mode mounts it; an empty file parameter mounts nothing; re-run keeps the same reference", async () => {
  const { startRun, getRun } = await import("../runs/index.ts");
  const { rerun } = await import("../scans/rerun.ts");
  const content = "alpha\nbeta\ngamma\ndelta\n";
  const f = await upload("alice", "words.txt", content);
  const run = await startRun(alice, { versionId, function: "count", args: { f: ref(f.json.id) } });
  const done = await finished(alice, run.id);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error) + done.logs.map((l) => l.line).join("\n"));
  assert.deepEqual(done.files, [{ id: f.json.id, name: "words.txt", size: content.length }]);
  const doc = await countDoc(alice, run.id);
  assert.deepEqual([doc?.given, doc?.name, doc?.size, doc?.read, doc?.lines, doc?.sha256], [true, "words.txt", content.length, content.length, 4, sha(content)]);
  const none = await startRun(alice, { versionId, function: "count", args: {} });
  assert.equal((await finished(alice, none.id)).status, "succeeded");
  assert.equal((await countDoc(alice, none.id))?.given, false);
  const again = await rerun(alice, run.id);
  const redone = await finished(alice, again.id);
  assert.equal(redone.status, "succeeded");
  assert.deepEqual(redone.args, { f: ref(f.json.id) }, "the same reference");
  assert.equal((await countDoc(alice, again.id))?.sha256, sha(content));
  assert.equal((await getRun(alice, again.id)).files[0]?.id, f.json.id);
});

test("someone else's file is 404 in runs, re-runs and scans, a sha256 is no file id at all, and nothing is made", async () => {
  const { startRun } = await import("../runs/index.ts");
  const { createScan } = await import("../scans/scans.ts");
  const { db } = await import("../platform/db.ts");
  const mine = await upload("alice", "mine.txt", "private\n");
  const team = await upload("alice", "team.txt", "team\n", PROJECT);
  const runs = await db().run.count();
  const scans = await db().savedScan.count();
  for (const id of [mine.json.id, randomBytes(18).toString("base64url")]) {
    await assert.rejects(startRun(bob, { versionId, function: "count", args: { f: ref(id) } }), (e: { code?: string; fieldErrors?: Record<string, string> }) => {
      assert.equal(e.code, "not_found", id);
      assert.equal(e.fieldErrors?.["args.f"], "no such file");
      return true;
    });
    await assert.rejects(createScan(bob, { name: `s-${id.slice(0, 8)}`, package: "alice.lines", function: "count", args: { f: ref(id) } }), (e: { code?: string }) => e.code === "not_found");
  }
  // a sha256 is no reference at all: refused by its shape, the same for a file that exists and one that does not
  for (const id of [mine.json.sha256, randomBytes(32).toString("hex")]) {
    for (const who of [bob, alice]) {
      await assert.rejects(startRun(who, { versionId, function: "count", args: { f: ref(id) } }), (e: { code?: string; fieldErrors?: Record<string, string> }) => {
        assert.equal(e.code, "validation", id);
        assert.ok(e.fieldErrors?.["args.f"], JSON.stringify(e.fieldErrors));
        return true;
      });
    }
    await assert.rejects(createScan(bob, { name: `s-${id.slice(0, 8)}`, package: "alice.lines", function: "count", args: { f: ref(id) } }), (e: { code?: string }) => e.code === "validation");
  }
  // the team's file: its operator may run with it, its viewer may not even name it
  await assert.rejects(startRun(vera, { versionId, function: "count", args: { f: ref(team.json.id) }, project: PROJECT }), (e: { code?: string }) => e.code === "forbidden");
  await assert.rejects(startRun(vera, { versionId, function: "count", args: { f: ref(team.json.id) } }), (e: { code?: string }) => e.code === "not_found", "in her own project, the team's file is none of hers");
  assert.equal(await db().run.count(), runs);
  assert.equal(await db().savedScan.count(), scans);
  const byOlga = await startRun(olga, { versionId, function: "count", args: { f: ref(team.json.id) }, project: PROJECT });
  assert.equal((await finished(olga, byOlga.id)).status, "succeeded");
  // and over HTTP, with the same answer
  const res = await fetch(`${routes.url}/api/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token.bob}`, "content-type": "application/json" },
    body: JSON.stringify({ package: "alice.lines", function: "count", args: { f: ref(mine.json.id) } }),
  });
  assert.equal(res.status, 404);
  assert.equal(((await res.json()) as ApiError).error.fieldErrors?.["args.f"], "no such file");
});

test("a multipart run carries its file as args.<param>; a refused one keeps none of the files it brought", async () => {
  const { db } = await import("../platform/db.ts");
  const content = "1\n2\n3\n";
  const r = await post<RunSummary>("alice", "/api/runs", [
    { name: "package", value: "alice.lines" },
    { name: "function", value: "count" },
    { name: "args", value: "{}" },
    { name: "args.f", value: content, filename: "three.txt" },
  ]);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const done = await finished(alice, r.json.id);
  assert.equal(done.status, "succeeded", JSON.stringify(done.error));
  assert.equal(done.files[0]?.name, "three.txt");
  assert.equal((await countDoc(alice, r.json.id))?.lines, 3);
  const uploads = await db().fileUpload.count();
  const refused = await post<ApiError>("alice", "/api/runs", [
    { name: "package", value: "alice.lines" },
    { name: "function", value: "no_such_function" },
    { name: "args.f", value: "x\n", filename: "x.txt" },
  ]);
  assert.equal(refused.status, 422);
  assert.equal(await db().fileUpload.count(), uploads, "the refused run's upload is gone");
  const twice = await post<ApiError>("alice", "/api/runs", [
    { name: "package", value: "alice.lines" },
    { name: "function", value: "count" },
    { name: "args", value: JSON.stringify({ f: ref("a".repeat(24)) }) },
    { name: "args.f", value: "x\n", filename: "x.txt" },
  ]);
  assert.equal(twice.status, 422);
  assert.match(twice.json.error.fieldErrors?.["args.f"] ?? "", /given twice/);
  assert.equal(await db().fileUpload.count(), uploads);
  assert.deepEqual(await staged(), []);
});

test("references: runs, re-runs and scans keep a file; deleting the scan leaves the runs'; unused uploads and their blobs go after the grace period", async () => {
  const { startRun } = await import("../runs/index.ts");
  const { rerun, saveRunAsScan } = await import("../scans/rerun.ts");
  const { createScan, deleteScan } = await import("../scans/scans.ts");
  const { collectFiles } = await import("./collect.ts");
  const { db } = await import("../platform/db.ts");
  const later = new Date(Date.now() + 2 * 24 * 3600_000);
  const blobOf = (s: string) => blobPath(path.join(hub.dataDir, "blobs"), s);

  const used = await upload("bob", "used.txt", `used ${randomBytes(4).toString("hex")}\n`);
  const run = await startRun(bob, { versionId, function: "count", args: { f: ref(used.json.id) } });
  await finished(bob, run.id);
  const again = await rerun(bob, run.id);
  await finished(bob, again.id);
  const scan = await saveRunAsScan(bob, { runId: run.id, name: "with a file" });
  assert.deepEqual(scan.files.map((f) => f.id), [used.json.id]);
  assert.equal(await db().runFile.count({ where: { fileId: used.json.id } }), 2, "the run and its re-run");
  assert.equal(await db().scanFile.count({ where: { fileId: used.json.id } }), 1);

  const scanOnly = await upload("bob", "scan-only.txt", `scan ${randomBytes(4).toString("hex")}\n`);
  const onlyScan = await createScan(bob, { name: "scan only", package: "alice.lines", function: "count", args: { f: ref(scanOnly.json.id) } });
  const unused = await upload("bob", "unused.txt", `unused ${randomBytes(4).toString("hex")}\n`);
  // two uploads of one content: removing one keeps the blob for the other
  const shared = `shared ${randomBytes(4).toString("hex")}\n`;
  const sharedA = await upload("bob", "a.txt", shared);
  const sharedB = await upload("bob", "b.txt", shared);
  const sharedRun = await startRun(bob, { versionId, function: "count", args: { f: ref(sharedB.json.id) } });
  await finished(bob, sharedRun.id);

  // young uploads are kept whatever references them
  await collectFiles(new Date());
  for (const f of [used, scanOnly, unused, sharedA, sharedB]) assert.ok(await db().fileUpload.findUnique({ where: { id: f.json.id } }), f.json.name);

  await deleteScan(bob, scan.id);
  await deleteScan(bob, onlyScan.id);
  const collected = await collectFiles(later);
  assert.ok(collected.uploads >= 3, JSON.stringify(collected));
  assert.ok(await db().fileUpload.findUnique({ where: { id: used.json.id } }), "its runs still reference it");
  assert.ok(existsSync(blobOf(used.json.sha256)));
  for (const gone of [scanOnly, unused, sharedA]) assert.equal(await db().fileUpload.findUnique({ where: { id: gone.json.id } }), null, gone.json.name);
  assert.ok(!existsSync(blobOf(scanOnly.json.sha256)) && !existsSync(blobOf(unused.json.sha256)), "their blobs went with them");
  assert.ok(existsSync(blobOf(sharedB.json.sha256)), "the shared blob stays for the upload a run references");

  // a run naming a file the collector removed is refused; the re-run of a run whose file stays still works
  await assert.rejects(startRun(bob, { versionId, function: "count", args: { f: ref(unused.json.id) } }), (e: { code?: string }) => e.code === "not_found");
  const third = await rerun(bob, run.id);
  assert.equal((await finished(bob, third.id)).status, "succeeded");

  // a blob on disk that no upload names (a hub stopped between the blob and its row) goes too
  const { writeFile, mkdir, utimes } = await import("node:fs/promises");
  const orphan = sha("orphan");
  await mkdir(path.dirname(blobOf(orphan)), { recursive: true });
  await writeFile(blobOf(orphan), "orphan");
  await utimes(blobOf(orphan), new Date(0), new Date(0));
  await collectFiles(later);
  assert.ok(!existsSync(blobOf(orphan)));
});

test("the worker route serves a file only to the instance holding a run given it; the assignment names it by sha256, never a path", async () => {
  const { callWorkerRoute, workerHeaders } = await import("../testing/route-server.ts");
  const { startRun } = await import("../runs/index.ts");
  // a hand-driven worker on a queue of its own: a device of carol's, so the hub's test worker never takes her run
  const { createDevice } = await import("../devices/devices.ts");
  const { signUp, getUser } = await import("../accounts/users.ts");
  const carol = (await getUser((await signUp({ email: "carol@example.test", username: "carol", password: "a long enough password" })).id))!;
  const { token: deviceToken } = await createDevice(carol, "laptop");
  const reg = await callWorkerRoute<RegisterResponse>(routes.url, deviceToken, "POST", "/api/worker/register", {
    protocol: PROTOCOL_VERSION,
    name: "laptop",
    version: "test",
    engine: { host: "unix:///var/run/docker.sock", version: "test" },
    capacity: 1,
    labels: { hostNetwork: false },
  });
  assert.equal(reg.status, 201, JSON.stringify(reg.json));
  const instance = reg.json.instance;
  const { uploadFile } = await import("./uploads.ts");
  const { stageTestFile } = await import("../testing/files.ts");
  const carols = await uploadFile(carol, await stageTestFile("carol.txt", "carol's secret\n"));
  const alices = await upload("alice", "alice.txt", `alice's secret ${randomBytes(4).toString("hex")}\n`);
  const run = await startRun(carol, { versionId, function: "count", args: { f: ref(carols.id) }, device: "laptop" });
  const fetchFile = (sha256: string) => fetch(`${routes.url}/api/worker/files/${sha256}`, { headers: { authorization: `Bearer ${deviceToken}`, ...workerHeaders(instance) } });

  // not held yet (queued): nothing
  assert.equal((await fetchFile(carols.sha256)).status, 404);
  const poll = await callWorkerRoute<PollResponse>(routes.url, deviceToken, "POST", "/api/worker/poll", { instance, free: 1, waitMs: 0 });
  const a = poll.json.assign.find((x) => x.runId === run.id);
  assert.ok(a, JSON.stringify(poll.json));
  assert.deepEqual(a.refs, { [carols.id]: { kind: "file", sha256: carols.sha256, size: carols.size, name: "carol.txt" } });
  assert.doesNotMatch(JSON.stringify(a), /blobs/, "no hub path in the assignment");
  const got = await fetchFile(carols.sha256);
  assert.equal(got.status, 200);
  assert.equal(await got.text(), "carol's secret\n");
  // another user's file, by its sha256: this instance holds no run given it
  assert.equal((await fetchFile(alices.json.sha256)).status, 404);
  // no instance named, or another credential: refused
  const anon = await fetch(`${routes.url}/api/worker/files/${carols.sha256}`, { headers: { authorization: `Bearer ${deviceToken}`, ...workerHeaders() } });
  assert.equal(anon.status, 422);
  const user = await fetch(`${routes.url}/api/worker/files/${carols.sha256}`, { headers: { authorization: `Bearer ${token.alice}`, ...workerHeaders(instance) } });
  assert.equal(user.status, 401);
});
