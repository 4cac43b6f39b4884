/**
 * `npm run worker` as an operator runs it, against a fake hub (runner/test/fake-hub.ts) and this
 * machine's Docker engine: it registers with the settings of its environment, and a SIGTERM stops
 * it cleanly; a bad setting stops it before anything starts.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { FAKE_TOKEN, FakeHub } from "../runner/test/fake-hub.ts";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "worker.ts");
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

/** the worker's own settings are not inherited from the test's environment (empty reads as unset) */
const UNSET = { LEVHUB_WORKER_NAME: "", LEVHUB_WORKER_CAPACITY: "", LEVHUB_WORKER_LABELS: "", LEVHUB_WORKER_DATA_DIR: "" };

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], { env: { ...process.env, ...UNSET, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
  });
  return { child, exited, output: () => out };
}

test("npm run worker registers with its environment's settings and stops on SIGTERM", async () => {
  const hub = await new FakeHub().start();
  const dataDir = await mkdtemp(path.join(tmpdir(), "worker-script-"));
  cleanups.push(() => hub.close(), () => rm(dataDir, { recursive: true, force: true }));
  const w = run({
    LEVHUB_HUB_URL: hub.url,
    LEVHUB_WORKER_TOKEN: FAKE_TOKEN,
    LEVHUB_WORKER_NAME: "ops-1",
    LEVHUB_WORKER_CAPACITY: "3",
    LEVHUB_WORKER_LABELS: "hostNetwork",
    LEVHUB_WORKER_DATA_DIR: dataDir,
  });
  const t0 = Date.now();
  while (!w.output().includes("serving as instance")) {
    if (Date.now() - t0 > 60_000 || w.child.exitCode !== null) throw new Error(`the worker did not register:\n${w.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const [reg] = hub.registrations;
  assert.equal(reg.name, "ops-1");
  assert.equal(reg.capacity, 3);
  // the engine is this machine's and the worker runs as root: it can enforce a scope; IPv6 is the machine's own fact
  assert.deepEqual({ ...reg.labels, enforceScopeIpv6: undefined }, { hostNetwork: true, enforceScope: true, enforceScopeIpv6: undefined });
  assert.equal(typeof reg.labels.enforceScopeIpv6, "boolean");
  assert.match(reg.engine.version, /^\d+\./, "the engine's version, from Docker itself");
  assert.deepEqual(await readdir(dataDir), ["worker.pid"]);
  w.child.kill("SIGTERM");
  assert.equal(await w.exited, 0, w.output());
  assert.match(w.output(), /finishing the running runs, taking no new one/);
  assert.match(w.output(), /stopped/);
  assert.deepEqual(await readdir(dataDir), [], "the data directory is given back");
});

test("a bad setting stops npm run worker at once with a clear message", async () => {
  const w = run({ LEVHUB_HUB_URL: "http://127.0.0.1:1", LEVHUB_WORKER_TOKEN: "t", LEVHUB_WORKER_CAPACITY: "lots" });
  assert.equal(await w.exited, 2);
  assert.equal(w.output().trim(), "npm run worker: LEVHUB_WORKER_CAPACITY: 'lots' is not a whole number from 1 to 256");
});
