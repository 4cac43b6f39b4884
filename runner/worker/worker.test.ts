import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { archiveDirectory } from "../cli/hub.ts";
import { blobPath } from "../src/blobs.ts";
import { DEFAULT_BASE_IMAGES } from "../src/run/runner.ts";
import { restrictedPolicy } from "../src/policy/policy.ts";
import { channelClient, FakeEngine, type FakeContainer } from "../test/fake-engine.ts";
import { FAKE_TOKEN, FakeHub } from "../test/fake-hub.ts";
import type { RunAssignment } from "./protocol.ts";
import { startWorker, type WorkerHandle } from "./worker.ts";

const PKG = path.resolve(import.meta.dirname, "../test/fixtures/levtest.cases");
const PY = "levhub/python:bookworm";
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

type Client = Awaited<ReturnType<typeof channelClient>>;
const cr = (over: Record<string, unknown> = {}) => ({ image: PY, schema: "t/s.m", cmd: ["x"], ...over });
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const until = async (cond: () => boolean, what: string, ms = 30_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** A tool that puts `{a: 1}` and exits once `release` says so (at once by default). */
function toolPuts(engine: FakeEngine, release: () => boolean = () => true) {
  engine.onStart = (c: FakeContainer) => {
    const role = c.spec.labels["zone.lev.role"];
    if (role === "workflow") return void playWorkflow(c);
    if (role !== "tool") return;
    void channelClient(FakeEngine.socketOf(c)).then(async (t) => {
      await t.request("put", { fields: { a: 1 } });
      t.close();
      await until(() => release() || !c.running, "the tool's release", 60_000);
      for (let i = 0; i < 30; i++) c.listener?.("stdout", Buffer.from(`tool line ${i}\n`));
      c.exit(0);
    });
  };
}

/** The workflow: some log lines, one task, waited for; exits 0 when it succeeded. */
async function playWorkflow(c: FakeContainer) {
  const ch: Client = await channelClient(FakeEngine.socketOf(c));
  try {
    for (let i = 0; i < 20; i++) c.listener?.("stdout", Buffer.from(`line ${i}\n`));
    const s = await ch.request("start", { cr: cr() });
    if (!s.ok) return c.exit(2);
    const w = await ch.request("wait", { task: (s.result as { task: number }).task });
    c.exit(w.ok ? 0 : 3);
  } catch {
    c.exit(1);
  } finally {
    ch.close();
  }
}

async function setup(opts: { capacity?: number; memoryEvents?: number; engine?: FakeEngine; requestsInFlight?: number } = {}) {
  const hub = await new FakeHub().start();
  hub.requestsInFlight = opts.requestsInFlight ?? null;
  const engine = opts.engine ?? new FakeEngine();
  const dataDir = await mkdtemp(path.join(tmpdir(), "worker-test-"));
  const archive = await archiveDirectory(PKG);
  hub.packages.set(sha(archive), archive);
  let n = 0;
  const policy = restrictedPolicy({ refs: {}, base: DEFAULT_BASE_IMAGES, any: false });
  const assign = (over: Partial<RunAssignment> = {}): RunAssignment => {
    n++;
    const a: RunAssignment = {
      runId: `run-${n}`,
      job: n,
      owner: "alice",
      function: "wf",
      args: {},
      policy,
      package: { namespace: "levtest", name: "cases", version: "1.0.0", sha256: sha(archive) },
      dependencies: [],
      attempt: 1,
      ...over,
    };
    hub.queue.push(a);
    return a;
  };
  const logs: string[] = [];
  const worker: WorkerHandle = await startWorker({
    hubUrl: hub.url,
    token: FAKE_TOKEN,
    name: "w-test",
    engine,
    dataDir,
    capacity: opts.capacity ?? 2,
    storeTimes: { putRetryMs: 200, otherRetryMs: 5_000 },
    storeRetryMs: 30_000,
    reporter: { backoff: { baseMs: 20, maxMs: 200 }, ...(opts.memoryEvents ? { memoryEvents: opts.memoryEvents } : {}) },
    logger: (msg, fields) => logs.push(`${msg} ${JSON.stringify(fields ?? {})}`),
    // a fake engine: no bridge of its is ever in this namespace, and the machine's nftables stay untouched
    enforceScope: false,
  });
  cleanups.push(async () => {
    await worker.stop({ cancelRunning: true });
    await hub.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { hub, engine, dataDir, worker, assign, logs };
}

/** Every event the hub recorded for a run is there once, numbered 1..n, started first and finished last. */
function assertComplete(hub: FakeHub, runId: string) {
  const events = hub.run(runId).events;
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );
  assert.equal(events[0].event.type, "run.started");
  assert.equal(events.at(-1)!.event.type, "run.finished");
  assert.equal(events.filter((e) => e.event.type === "run.finished").length, 1);
}

test("register, poll, run on the engine, report every event in order, store the document", async () => {
  const { hub, engine, worker, assign, dataDir } = await setup();
  toolPuts(engine);
  assert.match(worker.instance, /^[0-9a-f-]{36}$/);
  assert.equal(hub.registrations.length, 1);
  assert.deepEqual(hub.registrations[0].labels, { hostNetwork: false, enforceScope: false, enforceScopeIpv6: false });
  const a = assign();
  await until(() => hub.finished(a.runId) !== undefined, "the run's end");
  assertComplete(hub, a.runId);
  const end = hub.finished(a.runId)!;
  assert.equal(end.status, "succeeded");
  assert.deepEqual(end.tasks, [], "the run's end carries no task: they came before it");
  assert.equal(hub.tasks(a.runId)[0].status, "succeeded");
  assert.equal(hub.tasks(a.runId)[0].stored, true);
  const logs = hub.run(a.runId).events.filter((e) => e.event.type === "log").map((e) => (e.event as { log: { line: string } }).log.line);
  assert.deepEqual(logs.filter((l) => l.startsWith("line ")), Array.from({ length: 20 }, (_, i) => `line ${i}`));
  assert.deepEqual([...hub.docs.values()], [{ a: 1 }]);
  assert.deepEqual(engine.containers.size > 0 && engine.alive(), [], "every container removed");
  // the containers are labelled with the instance the hub gave: that is what a reaper goes by
  assert.ok([...engine.containers.values()].every((c) => c.spec.labels["zone.lev.instance"] === worker.instance));
  assert.equal(hub.downloads.filter((d) => d.startsWith("/api/worker/packages/")).length, 1);
  assert.deepEqual(await readdir(path.join(dataDir, "packages")), [a.package.sha256], "only the unpacked version, no temporary file");
  // a second run of the same version uses the files already there
  const b = assign();
  await until(() => hub.finished(b.runId) !== undefined, "the second run's end");
  assert.equal(hub.downloads.filter((d) => d.startsWith("/api/worker/packages/")).length, 1);
  await until(() => hub.heartbeats.length > 0, "a heartbeat");
  assert.equal(hub.heartbeats[0].instance, worker.instance);
  assert.deepEqual(hub.unnamed, [], "every request named its instance in the header");
});

test("the hub's limit of requests in flight: the worker keeps within it, still polls and beats, and its runs complete", async () => {
  const { hub, engine, assign } = await setup({ capacity: 3, requestsInFlight: 2 });
  toolPuts(engine);
  hub.reportDelayMs = 40;
  const runs = [assign(), assign(), assign()];
  await until(() => runs.every((a) => hub.finished(a.runId) !== undefined), "the three runs' ends");
  for (const a of runs) {
    assertComplete(hub, a.runId);
    assert.equal(hub.finished(a.runId)!.status, "succeeded");
  }
  assert.equal(hub.docs.size, 3);
  assert.ok(hub.maxInFlight <= 2, `never more than the hub's limit at once (long polls aside): ${hub.maxInFlight}`);
  await until(() => hub.heartbeats.length > 0, "a heartbeat while the requests wait their turn");
});

test("the hub away mid-run: events are kept (spooled past the memory cap), resent once it is back, none lost or applied twice", async () => {
  const { hub, engine, assign, dataDir } = await setup({ memoryEvents: 5 });
  let release = false;
  toolPuts(engine, () => release);
  const a = assign();
  await until(() => engine.tools().some((c) => c.running), "the tool running");
  hub.down = true;
  const before = hub.run(a.runId).events.length;
  release = true;
  await until(() => engine.tools().every((c) => !c.running), "the tool ended while the hub is away");
  // events past the memory cap wait on disk
  let spooled: string[] = [];
  for (const deadline = Date.now() + 30_000; !spooled.includes(`${a.runId}.ndjson`) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 20));
    spooled = await readdir(path.join(dataDir, "spool")).catch((): string[] => []);
  }
  assert.ok(spooled.includes(`${a.runId}.ndjson`), "events past the memory cap wait on disk");
  assert.equal(hub.run(a.runId).events.length, before, "nothing arrived while the hub was away");
  hub.down = false;
  // the first answer after the outage is lost: the worker cannot know the hub recorded that batch
  hub.dropEventAnswers = 1;
  await until(() => hub.finished(a.runId) !== undefined, "the run's end after the hub came back");
  assertComplete(hub, a.runId);
  assert.ok(hub.run(a.runId).resent >= 1, "a batch was resent after its answer was lost");
  assert.equal(hub.finished(a.runId)!.status, "succeeded");
  assert.deepEqual([...hub.docs.values()], [{ a: 1 }], "the result written once the hub was back");
  const tool = hub.run(a.runId).events.filter((e) => e.event.type === "log" && e.event.log.line.startsWith("tool line "));
  assert.equal(tool.length, 30, "every line the tool wrote while the hub was away");
  await until(() => engine.alive().length === 0, "the run's containers gone");
  const spool = await readdir(path.join(dataDir, "spool")).catch(() => []);
  assert.deepEqual(spool, [], "the spool file is removed once everything was acknowledged");
});

test("the results store answers 503, then takes the document: written once, the task succeeds", async () => {
  const { hub, engine, assign, logs } = await setup();
  toolPuts(engine);
  hub.store503 = 3;
  const a = assign();
  await until(() => hub.finished(a.runId) !== undefined, "the run's end");
  const end = hub.finished(a.runId)!;
  assert.equal(end.status, "succeeded");
  assert.equal(hub.tasks(a.runId)[0].stored, true);
  assert.deepEqual([...hub.docs.values()], [{ a: 1 }]);
  assert.equal(hub.storeCalls.filter((c) => c === "put").length, 4, "three refused, one written");
  assert.ok(
    hub.run(a.runId).events.some((e) => e.event.type === "log" && /keeping it and retrying/.test(e.event.log.line)),
    `the run's log says the document is kept (${logs.join("; ")})`,
  );
});

test("a cancel order stops the run with the hub's reason; its containers are removed", async () => {
  const { hub, engine, assign } = await setup();
  toolPuts(engine, () => false);
  const a = assign();
  await until(() => engine.tools().some((c) => c.running), "the tool running");
  hub.cancels.push({ runId: a.runId, reason: "cancelled by alice" });
  await until(() => hub.finished(a.runId) !== undefined, "the run's end");
  const end = hub.finished(a.runId)!;
  assert.equal(end.status, "cancelled");
  assert.deepEqual(end.error, { type: "Cancelled", message: "cancelled by alice" });
  assert.deepEqual(engine.alive(), []);
});

test("a cancel while the run's files are still downloading ends it cancelled at once; the download still completes for others", async () => {
  const { hub, engine, assign, dataDir } = await setup();
  hub.packageDelayMs = 5000;
  const a = assign();
  await until(() => hub.downloads.length === 1, "the download under way");
  hub.cancels.push({ runId: a.runId, reason: "changed my mind" });
  await until(() => hub.finished(a.runId) !== undefined, "the run's end");
  // "at once" is: before the download it waited for came in, however slow the machine
  assert.ok(!(await readdir(path.join(dataDir, "packages")).catch((): string[] => [])).includes(a.package.sha256), "the run ended before its files arrived");
  assert.deepEqual(hub.finished(a.runId)!.error, { type: "Cancelled", message: "changed my mind" });
  assert.equal(engine.containers.size, 0, "nothing started");
  let unpacked: string[] = [];
  for (let i = 0; i < 600 && !unpacked.includes(a.package.sha256); i++) {
    await new Promise((r) => setTimeout(r, 50));
    unpacked = await readdir(path.join(dataDir, "packages"));
  }
  assert.deepEqual(unpacked, [a.package.sha256], "the shared download was not stopped by one run's cancel");
});

/** A workflow that starts one tool with `files` and waits for it; the tool exits 0 (after `onTool` looked at it). */
function playFiles(engine: FakeEngine, files: Record<string, unknown>, onTool: (c: FakeContainer) => Promise<void> = async () => undefined) {
  engine.onStart = (c: FakeContainer) => {
    const role = c.spec.labels["zone.lev.role"];
    if (role === "tool") return void onTool(c).finally(() => c.exit(0));
    if (role !== "workflow") return;
    void (async () => {
      const ch = await channelClient(FakeEngine.socketOf(c));
      try {
        const s = await ch.request("start", { cr: cr({ files }) });
        if (!s.ok) return c.exit(2);
        const w = await ch.request("wait", { task: (s.result as { task: number }).task });
        c.exit(w.ok ? 0 : 3);
      } finally {
        ch.close();
      }
    })();
  };
}

const FILE_ID = "wordlist-0123456789ab";

test("a run given a file: fetched by sha256 once, mounted read-only where the Cr puts it, removed from the worker when the run ends", async () => {
  const { hub, engine, assign, dataDir } = await setup();
  const words = Buffer.from("alpha\nbeta\n");
  hub.files.set(sha(words), words);
  const seen: { host?: string; mode?: number; content?: string } = {};
  playFiles(engine, { "/in/words": { $lev: "file", id: FILE_ID } }, async (c) => {
    const bind = c.spec.binds.find((b) => b.endsWith(":/in/words:ro"));
    seen.host = bind?.split(":")[0];
    if (seen.host) {
      seen.mode = (await stat(seen.host)).mode & 0o777;
      seen.content = await readFile(seen.host, "utf8");
    }
  });
  const a = assign({ args: { words: { $lev: "file", id: FILE_ID } }, refs: { [FILE_ID]: { kind: "file", sha256: sha(words), size: words.length, name: "words.txt" } } });
  await until(() => hub.finished(a.runId) !== undefined, "the run's end");
  assertComplete(hub, a.runId);
  assert.equal(hub.finished(a.runId)!.status, "succeeded", JSON.stringify(hub.finished(a.runId)!.error));
  assert.equal(seen.host, blobPath(path.join(dataDir, "blobs"), sha(words)), "the worker's own copy, by content");
  assert.equal(seen.mode, 0o444);
  assert.equal(seen.content, "alpha\nbeta\n");
  assert.deepEqual(hub.downloads.filter((d) => d.startsWith("/api/worker/files/")), [`/api/worker/files/${sha(words)}`]);
  const wf = [...engine.containers.values()].find((c) => c.spec.labels["zone.lev.role"] === "workflow")!;
  assert.doesNotMatch(wf.spec.env.join("\n"), /blobs/, "the workflow learns the file's name and size, never where it is");
  await until(() => !existsSync(seen.host!), "the file removed once no run holds it", 5_000);
});

test("a file the hub sends with other content, or does not have, ends the run FileUnavailable before anything starts; nothing is kept", async () => {
  const { hub, engine, assign, dataDir } = await setup();
  const words = Buffer.from("alpha\nbeta\n");
  hub.files.set(sha(words), Buffer.from("alpha\nBETA\n"));
  playFiles(engine, { "/in/words": { $lev: "file", id: FILE_ID } });
  const refs = (content: Buffer) => ({ [FILE_ID]: { kind: "file" as const, sha256: sha(content), size: content.length, name: "words.txt" } });
  const tampered = assign({ args: { words: { $lev: "file", id: FILE_ID } }, refs: refs(words) });
  const missing = assign({ args: { words: { $lev: "file", id: FILE_ID } }, refs: refs(Buffer.from("never uploaded")) });
  await until(() => hub.finished(tampered.runId) !== undefined && hub.finished(missing.runId) !== undefined, "both runs' ends");
  for (const a of [tampered, missing]) assertComplete(hub, a.runId);
  assert.equal(hub.finished(tampered.runId)!.error?.type, "FileUnavailable");
  assert.match(hub.finished(tampered.runId)!.error?.message ?? "", /^the run's file 'words\.txt' does not match its sha256 \(expected [0-9a-f]{64}, got [0-9a-f]{64}\); refused$/);
  assert.equal(hub.finished(missing.runId)!.error?.type, "FileUnavailable");
  assert.match(hub.finished(missing.runId)!.error?.message ?? "", /^the run's file 'words\.txt' could not be fetched from the hub: /);
  assert.equal(engine.containers.size, 0, "nothing ran");
  const left = await readdir(path.join(dataDir, "blobs"), { recursive: true }).catch((): string[] => []);
  assert.deepEqual(left.filter((f) => /[0-9a-f]{64}|download/.test(f)), [], "no file and no partial download left");
});

test("410 on heartbeat: the worker stops its runs and registers again as a new instance", async () => {
  const { hub, engine, worker, assign } = await setup();
  toolPuts(engine, () => false);
  const a = assign();
  await until(() => engine.tools().some((c) => c.running), "the tool running");
  const first = worker.instance;
  hub.gone.add(first);
  await until(() => hub.registrations.length === 2, "a second registration");
  await until(() => worker.instance !== first, "the new instance");
  assert.notEqual(hub.registrations[1].instance, first);
  await until(() => engine.alive().length === 0, "the lost instance's containers stopped");
  // the new instance takes runs again
  toolPuts(engine);
  const b = assign();
  await until(() => hub.finished(b.runId) !== undefined, "a run on the new instance");
  assert.equal(hub.finished(b.runId)!.status, "succeeded");
  assert.ok([...engine.containers.values()].filter((c) => c.spec.labels["zone.lev.run"] === b.runId).every((c) => c.spec.labels["zone.lev.instance"] === worker.instance));
  assert.equal(hub.run(a.runId).events.some((e) => e.event.type === "run.finished"), false, "the lost run's end is the hub's to say");
});

test("a package archive whose sha256 does not match is refused: the run fails clearly, nothing is unpacked", async () => {
  const { hub, engine, assign, dataDir } = await setup();
  const bogus = "0".repeat(64);
  hub.packages.set(bogus, await archiveDirectory(PKG));
  const a = assign({ package: { namespace: "levtest", name: "cases", version: "6.6.6", sha256: bogus } });
  await until(() => hub.finished(a.runId) !== undefined, "the run's end");
  assertComplete(hub, a.runId);
  const end = hub.finished(a.runId)!;
  assert.equal(end.status, "failed");
  assert.equal(end.error?.type, "RunnerError");
  assert.match(end.error?.message ?? "", /levtest\/cases@6\.6\.6: the package archive does not match its sha256 \(expected 0{64}, got [0-9a-f]{64}\); refused/);
  assert.deepEqual(await readdir(path.join(dataDir, "packages")), []);
  assert.equal(engine.containers.size, 0, "nothing ran");
});

test("a hostile package archive (a path out of the package) is refused; nothing outside the cache is written", async () => {
  const { hub, assign, dataDir } = await setup();
  const p = pack();
  p.entry({ name: "../../escaped.txt" }, "x");
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  const evil = gzipSync(Buffer.concat(chunks));
  hub.packages.set(sha(evil), evil);
  const a = assign({ package: { namespace: "levtest", name: "cases", version: "6.6.7", sha256: sha(evil) } });
  await until(() => hub.finished(a.runId) !== undefined, "the run's end");
  assert.match(hub.finished(a.runId)!.error?.message ?? "", /the package archive is refused: "\.\.\/\.\.\/escaped\.txt": '\.\.' is not allowed in paths/);
  assert.deepEqual(await readdir(path.join(dataDir, "packages")), []);
  assert.deepEqual((await readdir(dataDir)).filter((f) => f.includes("escaped")), []);
  assert.deepEqual((await readdir(path.dirname(dataDir))).filter((f) => f === "escaped.txt"), []);
});

test("an image missing on the engine is loaded from the hub once, for two runs that need it at once", async () => {
  const engine = new FakeEngine();
  engine.images.delete(PY);
  const { hub, assign } = await setup({ engine });
  hub.images.set(PY, Buffer.from(`${PY}\n`));
  toolPuts(engine);
  const a = assign();
  const b = assign();
  await until(() => hub.finished(a.runId) !== undefined && hub.finished(b.runId) !== undefined, "both runs' ends");
  assert.equal(hub.finished(a.runId)!.status, "succeeded");
  assert.equal(hub.finished(b.runId)!.status, "succeeded");
  assert.deepEqual(engine.loaded, [PY], "one load");
  assert.equal(hub.downloads.filter((d) => d.startsWith("/api/worker/images/")).length, 1);
});

test("graceful stop finishes the running run and takes no new one; a second stop cancels", async () => {
  const { hub, engine, worker, assign } = await setup();
  let release = false;
  toolPuts(engine, () => release);
  const a = assign();
  await until(() => engine.tools().some((c) => c.running), "the tool running");
  let stopped = false;
  const stopping = worker.stop({ cancelRunning: false }).then(() => (stopped = true));
  // a poll already under way may still bring a run (it would be run); after it, none is asked for
  await new Promise((r) => setTimeout(r, hub.pollMs + 600));
  const b = assign();
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(stopped, false, "the run still runs");
  assert.equal(hub.queue.length, 1, "the new run was not taken");
  release = true;
  await stopping;
  assert.equal(hub.finished(a.runId)!.status, "succeeded", "the running run finished");
  assert.equal(hub.runs.has(b.runId), false);

  const second = await setup();
  toolPuts(second.engine, () => false);
  const c = second.assign();
  await until(() => second.engine.tools().some((x) => x.running), "the tool running");
  void second.worker.stop({ cancelRunning: false });
  await new Promise((r) => setTimeout(r, 100));
  await second.worker.stop({ cancelRunning: true });
  const end = second.hub.finished(c.runId)!;
  assert.equal(end.status, "cancelled");
  assert.equal(end.error?.message, "the worker is shutting down");
  assert.deepEqual(second.engine.alive(), []);
});
