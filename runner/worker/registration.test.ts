import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { FakeEngine } from "../test/fake-engine.ts";
import { FAKE_TOKEN, FakeHub } from "../test/fake-hub.ts";
import { HubError } from "./hub-client.ts";
import { onHubMachine } from "./protocol.ts";
import { keepOnStart } from "./registration.ts";
import { startWorker } from "./worker.ts";

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test("at registration, what lost instances and dead old-style runners left on the engine is removed; nothing else", async () => {
  const lost = "11111111-1111-4111-8111-111111111111";
  const other = "22222222-2222-4222-8222-222222222222";
  const labels = (instance?: string) => ({ "zone.lev.managed": "1", ...(instance ? { "zone.lev.instance": instance } : {}) });
  assert.equal(keepOnStart(labels(lost), new Set([lost])), false);
  assert.equal(keepOnStart(labels(other), new Set([lost])), true, "another worker's, alive for all we know");
  assert.equal(keepOnStart(labels(`${hostname()}:999999999:ab`), new Set()), false, "an old-style runner whose process is gone");
  assert.equal(keepOnStart(labels(`${hostname()}:${process.pid}:ab`), new Set()), true, "an old-style runner still running");
  assert.equal(keepOnStart(labels(), new Set()), false, "no owner at all");

  const engine = new FakeEngine();
  const removed: string[] = [];
  engine.listManaged = async () => [
    { id: "c-lost", kind: "container", labels: labels(lost) },
    { id: "c-other", kind: "container", labels: labels(other) },
    { id: "n-lost", kind: "network", labels: labels(lost) },
  ];
  engine.remove = async (id) => void removed.push(id);
  engine.removeNetwork = async (id) => void removed.push(id);
  const hub = await new FakeHub().start();
  hub.lostInstances = [lost];
  const dataDir = await mkdtemp(path.join(tmpdir(), "worker-test-"));
  const worker = await startWorker({ hubUrl: hub.url, token: FAKE_TOKEN, name: "w-reap", engine, dataDir, capacity: 1, enforceScope: false });
  cleanups.push(async () => {
    await worker.stop({ cancelRunning: true });
    await hub.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  assert.deepEqual(removed, ["c-lost", "n-lost"], "containers first, then networks");
});

test("a bad credential is a clear error at registration, not a retry loop", async () => {
  const hub = await new FakeHub().start();
  const dataDir = await mkdtemp(path.join(tmpdir(), "worker-test-"));
  cleanups.push(async () => {
    await hub.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const err = await startWorker({ hubUrl: hub.url, token: "lwk_wrong", name: "w-bad", engine: new FakeEngine(), dataDir, capacity: 1, enforceScope: false }).catch((e: unknown) => e);
  assert.ok(err instanceof HubError);
  assert.equal(err.status, 401);
  assert.equal(err.message, "no worker credential");
});

test("the engine a worker registers names its socket, also when docker-modem finds the default one lazily", async () => {
  const { DockerodeEngine } = await import("../src/engine/engine.ts");
  const Docker = (await import("dockerode")).default;
  const { engineFacts } = await import("./registration.ts");
  // a socket nobody listens on: the version is unknown, the name is still what the worker uses
  const lazy = new Docker();
  (lazy.modem as unknown as { socketPath: () => Promise<string> }).socketPath = async () => "/nonexistent/levhub-test.sock";
  assert.deepEqual(await engineFacts(new DockerodeEngine(lazy)), { host: "unix:///nonexistent/levhub-test.sock", version: "unknown" });
  const fixed = new Docker({ socketPath: "/nonexistent/other.sock" });
  assert.deepEqual(await engineFacts(new DockerodeEngine(fixed)), { host: "unix:///nonexistent/other.sock", version: "unknown" });
});

test("the hub's machine: the same kernel boot id, or either one unknown (the safe side)", () => {
  const a = "fcfe559d-0b43-4efd-8d8c-3e3885666589";
  const b = "0d6f0e4c-1111-4222-8333-444455556666";
  assert.equal(onHubMachine(a, a), true);
  assert.equal(onHubMachine(a, b), false);
  assert.equal(onHubMachine(null, b), true, "a hub that cannot read its own");
  assert.equal(onHubMachine(a, undefined), true, "an engine that could not tell");
});
