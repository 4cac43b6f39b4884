import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { FAKE_TOKEN, FakeHub } from "../test/fake-hub.ts";
import { HubClient } from "./hub-client.ts";
import type { ReportedEvent } from "./protocol.ts";
import { DEFAULT_REPORTER_OPTIONS, RunReporter } from "./reporter.ts";

const INSTANCE = "33333333-3333-4333-8333-333333333333";
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

async function setup(over: Partial<typeof DEFAULT_REPORTER_OPTIONS> = {}) {
  const hub = await new FakeHub().start();
  const spoolDir = await mkdtemp(path.join(tmpdir(), "reporter-test-"));
  cleanups.push(() => hub.close(), () => rm(spoolDir, { recursive: true, force: true }));
  const cancels: string[] = [];
  const reporter = new RunReporter(
    new HubClient({ url: hub.url, token: FAKE_TOKEN, timeoutMs: 2000 }),
    "r1",
    INSTANCE,
    { ...DEFAULT_REPORTER_OPTIONS, backoff: { baseMs: 10, maxMs: 50 }, ...over, spoolDir },
    (reason) => cancels.push(reason),
    () => undefined,
  );
  return { hub, spoolDir, reporter, cancels };
}

const log = (i: number, line = `l${i}`): ReportedEvent => ({ type: "log", log: { task: 0, stream: "stdout", line, at: "2026-01-01T00:00:00.000Z" } });
const end: ReportedEvent = { type: "run.finished", status: "succeeded", error: null, exitCode: 0, tasks: [], collections: [], startedAt: "a", endedAt: "b" };

test("past the memory byte cap, events wait on disk; all arrive in order once, and the spool is removed", async () => {
  const { hub, reporter, spoolDir } = await setup({ memoryBytes: 2000, batchEvents: 7 });
  hub.down = true;
  reporter.push({ type: "run.started", at: "a" });
  for (let i = 0; i < 60; i++) reporter.push(log(i, "x".repeat(200)));
  reporter.push(end);
  reporter.push(log(999));
  let spooled: string[] = [];
  for (let i = 0; i < 100 && !spooled.length; i++) {
    await new Promise((r) => setTimeout(r, 50));
    spooled = await readdir(spoolDir);
  }
  assert.deepEqual(spooled, ["r1.ndjson"]);
  assert.equal(hub.run("r1").events.length, 0);
  hub.down = false;
  await reporter.delivered;
  const events = hub.run("r1").events;
  assert.deepEqual(events.map((e) => e.seq), Array.from({ length: 62 }, (_, i) => i + 1), "nothing after the final event is sent");
  assert.equal(events.at(-1)!.event.type, "run.finished");
  assert.equal(reporter.acknowledged, 62);
  assert.deepEqual(await readdir(spoolDir), []);
});

test("a batch stays within the byte cap (a longer event goes alone); all arrive in order once", async () => {
  const { hub, reporter } = await setup({ batchBytes: 1000, batchEvents: 50 });
  reporter.push({ type: "run.started", at: "a" });
  for (let i = 0; i < 20; i++) reporter.push(log(i, "y".repeat(150)));
  reporter.push(log(20, "z".repeat(3000)));
  for (let i = 21; i < 30; i++) reporter.push(log(i, "y".repeat(150)));
  reporter.push(end);
  await reporter.delivered;
  const run = hub.run("r1");
  assert.deepEqual(run.events.map((e) => e.seq), Array.from({ length: 32 }, (_, i) => i + 1));
  assert.ok(run.batches.length >= 6, `split into several requests: ${JSON.stringify(run.batches)}`);
  for (const b of run.batches) {
    // the request's JSON around the events is about 80 bytes
    if (b.events > 1) assert.ok(b.bytes <= 1000 + 100, `a batch of ${b.events} events is ${b.bytes} bytes`);
  }
  assert.ok(run.batches.some((b) => b.events === 1 && b.bytes > 3000), "the long event went alone");
});

test("the hub's cancel in an events answer reaches the run; a refusal (4xx) drops the report instead of retrying forever", async () => {
  const { hub, reporter, cancels, spoolDir } = await setup();
  hub.run("r1").cancel = "cancelled by bob";
  reporter.push({ type: "run.started", at: "a" });
  for (const deadline = Date.now() + 30_000; !cancels.length && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(cancels, ["cancelled by bob"]);

  const refusing = new RunReporter(
    new HubClient({ url: hub.url, token: "lwk_revoked", timeoutMs: 2000 }),
    "r2",
    INSTANCE,
    { ...DEFAULT_REPORTER_OPTIONS, spoolDir },
    () => undefined,
    () => undefined,
  );
  refusing.push(end);
  await refusing.delivered;
  assert.equal(refusing.acknowledged, 0);
  assert.equal(hub.runs.has("r2"), false);
});
