import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

let hub: TestHub;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;
/** alice's public package alice.greet: 1.0.0 (param `name`), then 1.1.0 (the latest, param `who`) */
let v1: string;
let v2: string;

/** the same tool whose parameter is called `who` instead of `name` */
const renamedParam = (init: string) => init.replaceAll("name", "who");

type Rejection = { code?: string; fieldErrors?: Record<string, string>; message?: string };

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  const { publishArchive } = await import("../packages/upload.ts");
  const { buildTarGz } = await import("../packages/archives.ts");
  const { packageEntries, goodInit } = await import("../testing/packages.ts");
  v1 = (await publishArchive(alice, { filename: "g1.tar.gz", data: await buildTarGz(packageEntries("alice", "greet", "1.0.0", goodInit())) }, { private: false })).versionId;
  v2 = (await publishArchive(alice, { filename: "g2.tar.gz", data: await buildTarGz(packageEntries("alice", "greet", "1.1.0", renamedParam(goodInit()))) })).versionId;
});
after(async () => {
  const { stopBoss } = await import("../queue/boss.ts");
  await stopBoss();
  await hub?.close();
});

const scanCount = async () => (await import("../platform/db.ts")).db().savedScan.count();

test("a bad schedule, time zone, function or argument is a validation error naming the field, and nothing is stored", async () => {
  const { createScan } = await import("./scans.ts");
  const base = { name: "bad", package: "alice.greet", version: "1.0.0", function: "greet", args: { name: "x" } };
  const cases: [Record<string, unknown>, string][] = [
    [{ cron: "61 * * * *" }, "cron"],
    [{ cron: "*/10 * * * * *" }, "cron"],
    [{ cron: "* * * * *", timezone: "Mars/Olympus" }, "timezone"],
    [{ function: "nope" }, "function"],
    [{ args: { name: "x", no_such_param: 1 } }, "args.no_such_param"],
    [{ version: "9.9.9" }, "version"],
  ];
  for (const [over, field] of cases) {
    await assert.rejects(createScan(alice, { ...base, ...over } as never), (e: Rejection) => {
      assert.ok(e.fieldErrors && field in e.fieldErrors, `${JSON.stringify(over)} names ${field}: ${JSON.stringify(e)}`);
      return true;
    });
  }
  await assert.rejects(createScan(alice, { ...base, package: "alice.missing" } as never), (e: Rejection) => e.code === "not_found");
  assert.equal(await scanCount(), 0);
});

test("a scan in its creator's personal project: anyone else finds it nowhere (404); admins see and pause it but do not edit or start it", async () => {
  const { createScan, getScan, listScans, updateScan, deleteScan } = await import("./scans.ts");
  const { runScanNow } = await import("./fire.ts");
  const s = await createScan(alice, { name: "private to alice", package: "alice.greet", function: "greet", args: { who: "a" }, cron: "0 3 * * *", timezone: "Europe/Paris" });
  assert.equal(s.version, null, "no version = follow the latest");
  assert.equal(s.schedule, "daily at 03:00");
  assert.ok(s.nextRunAt && new Date(s.nextRunAt) > new Date());
  const isMissing = (e: Rejection) => e.code === "not_found";
  await assert.rejects(getScan(bob, s.id), isMissing);
  await assert.rejects(updateScan(bob, s.id, { enabled: false }), isMissing);
  await assert.rejects(deleteScan(bob, s.id), isMissing);
  await assert.rejects(runScanNow(bob, s.id), isMissing);
  assert.deepEqual(await listScans(bob), []);
  assert.deepEqual(
    (await listScans(root)).map((x) => x.name),
    ["private to alice"],
  );
  assert.deepEqual(await listScans(root, { all: false }), []);
  await assert.rejects(updateScan(root, s.id, { args: { who: "root" } }), (e: Rejection) => e.code === "forbidden");
  await assert.rejects(runScanNow(root, s.id), (e: Rejection) => e.code === "forbidden");
  const paused = await updateScan(root, s.id, { enabled: false });
  assert.equal(paused.enabled, false);
  assert.equal(paused.nextRunAt, null);
  // a second scan of the same name is a conflict on the name
  await assert.rejects(createScan(alice, { name: "private to alice", package: "alice.greet", function: "greet", args: {} }), (e: Rejection) => e.code === "conflict" && Boolean(e.fieldErrors?.name));
  await deleteScan(alice, s.id);
  await assert.rejects(getScan(alice, s.id), isMissing);
});

test("the tick with a clock in the past fires ONCE, links the run to its scan, and moves the next time after now", async () => {
  const { db } = await import("../platform/db.ts");
  const { createScan, getScan } = await import("./scans.ts");
  const { fireDueScans } = await import("./fire.ts");
  const s = await createScan(alice, { name: "every minute", package: "alice.greet", version: "1.0.0", function: "greet", args: { name: "tick" }, cron: "* * * * *" });
  // the hub was down for three hours: 180 missed times
  await db().savedScan.update({ where: { id: s.id }, data: { nextRunAt: new Date(Date.now() - 3 * 3600_000) } });
  const now = new Date();
  const first = await fireDueScans(now);
  assert.deepEqual(first, { started: 1, failed: 0, skipped: 0, disabled: 0 });
  assert.deepEqual(await fireDueScans(now), { started: 0, failed: 0, skipped: 0, disabled: 0 }, "a second tick at the same time fires nothing");
  const detail = await getScan(alice, s.id);
  assert.equal(detail.runs.length, 1);
  assert.equal(detail.runs[0].trigger, "schedule");
  assert.equal(detail.runs[0].packageVersion, "1.0.0");
  assert.ok(detail.nextRunAt && new Date(detail.nextRunAt) > now);
  assert.ok(new Date(detail.nextRunAt).getTime() - now.getTime() <= 60_000);
  assert.equal(detail.lastRunAt, now.toISOString());
  assert.equal(detail.lastError, null);
  const run = await db().run.findUniqueOrThrow({ where: { id: detail.runs[0].id } });
  assert.equal(run.scanId, s.id);
  assert.equal(run.ownerId, alice.id);
  assert.equal(run.versionId, v1);
  assert.deepEqual(run.args, { name: "tick" });
  await db().savedScan.update({ where: { id: s.id }, data: { enabled: false } });
});

test("a scan following the latest version runs the latest; 'run now' is linked with trigger manual", async () => {
  const { db } = await import("../platform/db.ts");
  const { createScan } = await import("./scans.ts");
  const { runScanNow } = await import("./fire.ts");
  const s = await createScan(alice, { name: "latest", package: "alice.greet", function: "greet", args: { who: "now" } });
  const run = await runScanNow(alice, s.id);
  const row = await db().run.findUniqueOrThrow({ where: { id: run.id } });
  assert.equal(row.versionId, v2);
  assert.equal(row.scanId, s.id);
  assert.equal(row.trigger, "manual");
  assert.equal(s.nextRunAt, null, "no schedule, no next time");
});

test("a firing whose package turned invisible or whose function is gone disables the scan with a clear error; the tick goes on", async () => {
  const { db } = await import("../platform/db.ts");
  const { createScan, getScan } = await import("./scans.ts");
  const { fireDueScans } = await import("./fire.ts");
  const bobs = await createScan(bob, { name: "bob on alice", package: "alice.greet", function: "greet", args: { who: "b" }, cron: "*/5 * * * *" });
  const gone = await createScan(alice, { name: "gone function", package: "alice.greet", version: "1.1.0", function: "greet", args: { who: "g" }, cron: "*/5 * * * *" });
  const fine = await createScan(alice, { name: "still fine", package: "alice.greet", version: "1.1.0", function: "greet", args: { who: "f" }, cron: "*/5 * * * *" });
  const past = new Date(Date.now() - 60_000);
  await db().savedScan.updateMany({ where: { id: { in: [bobs.id, gone.id, fine.id] } }, data: { nextRunAt: past } });
  await db().savedScan.update({ where: { id: gone.id }, data: { function: "no_longer_there" } });
  const pkg = await db().package.findFirstOrThrow({ where: { name: "greet", namespace: { name: "alice" } } });
  await db().package.update({ where: { id: pkg.id }, data: { private: true } });
  try {
    assert.deepEqual(await fireDueScans(), { started: 1, failed: 0, skipped: 0, disabled: 2 });
  } finally {
    await db().package.update({ where: { id: pkg.id }, data: { private: false } });
  }
  const b = await getScan(bob, bobs.id);
  assert.equal(b.enabled, false);
  assert.equal(b.lastError?.code, "not_found");
  assert.equal(b.runs.length, 0);
  const g = await getScan(alice, gone.id);
  assert.equal(g.enabled, false);
  assert.equal(g.lastError?.code, "validation");
  assert.match(g.lastError?.message ?? "", /no function 'no_longer_there'/);
  const f = await getScan(alice, fine.id);
  assert.equal(f.enabled, true);
  assert.equal(f.runs.length, 1);
});

test("re-run: the same version and arguments by default, the latest on request, edited arguments checked again", async () => {
  const { db } = await import("../platform/db.ts");
  const { startRun } = await import("../runs/index.ts");
  const { rerun, previousRunOf, runOrigin } = await import("./rerun.ts");
  const first = await startRun(alice, { versionId: v1, function: "greet", args: { name: "first" } });
  const same = await rerun(alice, first.id);
  const sameRow = await db().run.findUniqueOrThrow({ where: { id: same.id } });
  assert.equal(sameRow.versionId, v1);
  assert.deepEqual(sameRow.args, { name: "first" });
  assert.equal(sameRow.trigger, "rerun");
  assert.deepEqual(await runOrigin(alice, same.id), { trigger: "rerun", scan: null, newerVersion: "1.1.0" });
  assert.equal(await previousRunOf(alice, same.id), first.id);
  assert.equal(await previousRunOf(alice, first.id), null);
  // the latest version calls the parameter `who`: the old arguments no longer fit it
  await assert.rejects(rerun(alice, first.id, { latest: true }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.["args.name"]));
  const latest = await rerun(alice, first.id, { latest: true, args: { who: "edited" } });
  const latestRow = await db().run.findUniqueOrThrow({ where: { id: latest.id } });
  assert.equal(latestRow.versionId, v2);
  assert.deepEqual(latestRow.args, { who: "edited" });
  await assert.rejects(rerun(alice, first.id, { args: { name: "x", extra: 1 } }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.["args.extra"]));
  await assert.rejects(rerun(bob, first.id), (e: Rejection) => e.code === "not_found");
  const before = await db().run.count();
  await assert.rejects(rerun(alice, "no-such-run"), (e: Rejection) => e.code === "not_found");
  assert.equal(await db().run.count(), before);
});

test("save a run as a scan: its package, function and arguments; the version pinned only on request", async () => {
  const { startRun } = await import("../runs/index.ts");
  const { saveRunAsScan } = await import("./rerun.ts");
  const run = await startRun(alice, { versionId: v2, function: "greet", args: { who: "saved" } });
  const following = await saveRunAsScan(alice, { runId: run.id, name: "from a run", cron: "0 * * * *" });
  assert.deepEqual([following.package, following.version, following.function, following.args, following.schedule], ["alice.greet", null, "greet", { who: "saved" }, "hourly"]);
  const pinned = await saveRunAsScan(alice, { runId: run.id, name: "from a run, pinned", pinVersion: true });
  assert.equal(pinned.version, "1.1.0");
  // an old run's arguments checked against today's latest version: they no longer fit, nothing saved
  const old = await startRun(alice, { versionId: v1, function: "greet", args: { name: "old" } });
  await assert.rejects(saveRunAsScan(alice, { runId: old.id, name: "old, following" }), (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.["args.name"]));
  assert.equal((await saveRunAsScan(alice, { runId: old.id, name: "old, pinned", pinVersion: true })).version, "1.0.0");
  await assert.rejects(saveRunAsScan(bob, { runId: run.id, name: "stolen" }), (e: Rejection) => e.code === "not_found");
});

test("npm start's ticker: catch-up fires what came due, the schedule is pg-boss's, and a tick job fires due scans", async () => {
  const { db } = await import("../platform/db.ts");
  const { createScan, getScan } = await import("./scans.ts");
  const { startScanTicker, SCAN_TICK, SCAN_TICK_CRON } = await import("./tick-schedule.ts");
  const { getBoss } = await import("../queue/boss.ts");
  // quiet the scans of the earlier tests: only this test's scans may fire
  await db().savedScan.updateMany({ data: { enabled: false } });
  const missed = await createScan(alice, { name: "missed while down", package: "alice.greet", function: "greet", args: { who: "m" }, cron: "0 * * * *" });
  await db().savedScan.update({ where: { id: missed.id }, data: { nextRunAt: new Date(Date.now() - 26 * 3600_000) } });
  const ticker = await startScanTicker();
  try {
    assert.deepEqual(ticker.catchUp, { started: 1, failed: 0, skipped: 0, disabled: 0 });
    assert.equal((await getScan(alice, missed.id)).runs.length, 1, "a day of missed hours fired once");
    const boss = await getBoss();
    const schedules = await boss.getSchedules();
    assert.ok(schedules.some((s) => s.name === SCAN_TICK && s.cron === SCAN_TICK_CRON), "the tick is scheduled in pg-boss");
    // a tick job (what the schedule sends each minute) fires a scan that is due
    const due = await createScan(alice, { name: "due at the next tick", package: "alice.greet", function: "greet", args: { who: "t" }, cron: "*/5 * * * *" });
    await db().savedScan.update({ where: { id: due.id }, data: { nextRunAt: new Date(Date.now() - 1000) } });
    await boss.send(SCAN_TICK, {});
    const deadline = Date.now() + 30_000;
    while ((await db().run.count({ where: { scanId: due.id } })) === 0) {
      assert.ok(Date.now() < deadline, "the tick job fired the due scan within 30 s");
      await new Promise((r) => setTimeout(r, 250));
    }
    const run = await db().run.findFirstOrThrow({ where: { scanId: due.id } });
    assert.equal(run.trigger, "schedule");
  } finally {
    await ticker.stop();
  }
});
