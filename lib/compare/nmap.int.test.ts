/**
 * The nmap example through the hub, twice, with a port opened on the test's own target (a network
 * namespace, lib/testing/netns-target.ts) between the scans: with the key paths the example
 * declares, the opened port is ONE change (an item new at hosts[ip=T].ports[port=P,protocol=tcp]),
 * and nmap's OS guesses are left out. Docker, PostgreSQL and FerretDB are real; the scan runs on
 * the run's own network with NET_RAW.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import { createNetnsTarget, type NetnsTarget } from "../testing/netns-target.ts";
import type { Viewer } from "../types.ts";

const NMAP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/szczecin.nmap_python");

let hub: TestHub;
let alice: Viewer;
let versionId: string;
let target: NetnsTarget;

before(async () => {
  target = await createNetnsTarget();
  hub = await startTestHub();
  // runs go through the queue: a worker on this machine's engine takes them
  await hub.startWorker({ hostNetwork: true });
  const { signUp } = await import("../accounts/users.ts");
  alice = await signUp({ email: "alice@example.org", username: "alice", password: "longenough" });
  const { publishDirectory } = await import("../packages/upload.ts");
  const { ensureOperatorGrant } = await import("../policy/grants.ts");
  const r = await publishDirectory("system", NMAP);
  await ensureOperatorGrant(r);
  versionId = r.versionId;
});
after(async () => {
  await hub?.close();
  await target?.close();
});

async function scan(ports: string): Promise<string> {
  const { startRun, waitForRun } = await import("../runs/index.ts");
  const started = await startRun(alice, { versionId, function: "nmap.port_os", args: { ip: target.ip, ports } });
  const run = await waitForRun(alice, started.id);
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
  return started.id;
}

test("a port opened between two scans of the test's target is one change", async () => {
  // a port nothing listens on: the kernel's pick in the target, released at once
  const port = await target.open();
  await target.shut(port);
  // 30 ports: nmap folds the closed ones into a count, so the opened port is a new item
  const ports = `${port}-${Math.min(port + 29, 65535)}`;
  const first = await scan(ports);
  try {
    await target.open(port);
    const second = await scan(ports);
    const { compareRunsFor, previousRunId } = await import("./runs.ts");
    assert.equal(await previousRunId(alice, second), first);
    const { diff, assets } = await compareRunsFor(alice, first, second);
    const [c] = diff.collections;
    assert.equal(c.coll, "szczecin/nmap_python.port_os@1.0");
    // nmap's OS guesses shift between scans of an unchanged host: the example ignores them
    assert.deepEqual(c.ignored, ["hosts[].os"]);
    assert.deepEqual(c.changed.flatMap((d) => d.changes.filter((ch) => /\.os\b/.test(ch.path))), []);
    assert.deepEqual(c.added, []);
    assert.deepEqual(c.removed, []);
    assert.deepEqual(c.changed.map((d) => d.label), [`target=${target.ip}`]);
    const portChanges = c.changed[0].changes.filter((ch) => ch.path.includes(`port=${port},`));
    assert.deepEqual(
      portChanges.map((ch) => [ch.op, ch.path, (ch.after as { state?: string }).state]),
      [["added", `hosts[ip=${target.ip}].ports[port=${port},protocol=tcp]`, "open"]],
    );
    // the example maps its scan to assets: in those terms, one new service on a host both runs saw
    assert.equal(assets.mapped, true);
    assert.deepEqual([assets.services.new.items, assets.services.gone.count], [[`${target.ip}:${port}/tcp`], 0]);
    assert.deepEqual([assets.hosts.new.count, assets.hosts.gone.count], [0, 0]);
  } finally {
    await target.shut(port);
  }
});
