/**
 * The nmap example through the hub, twice, with a listener opened on 127.0.0.1 between the scans:
 * with the key paths the example declares, the opened port is ONE change (an item new at
 * hosts[ip=127.0.0.1].ports[port=P,protocol=tcp]), and nmap's OS guesses are left out. Docker,
 * PostgreSQL and FerretDB are real; the only target is 127.0.0.1.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

const NMAP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../examples/szczecin.nmap_python");

let hub: TestHub;
let alice: Viewer;
let versionId: string;

before(async () => {
  hub = await startTestHub();
  // runs go through the queue: a worker on this machine's engine takes them
  await hub.startWorker({ hostNetwork: true });
  const { signUp } = await import("../accounts/users.ts");
  alice = await signUp({ email: "alice@example.org", username: "alice", password: "longenough" });
  const { publishDirectory } = await import("../packages/upload.ts");
  const { ensureOperatorGrant } = await import("../policy/grants.ts");
  const r = await publishDirectory("system", NMAP);
  await ensureOperatorGrant(r.namespace);
  versionId = r.versionId;
});
after(async () => {
  await hub?.close();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function scan(ports: string): Promise<string> {
  const { startRun, waitForRun } = await import("../runs/index.ts");
  const started = await startRun(alice, { versionId, function: "nmap.port_os", args: { ip: "127.0.0.1", ports } });
  const run = await waitForRun(alice, started.id);
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
  return started.id;
}

test("a port opened between two scans of 127.0.0.1 is one change", async () => {
  const port = await freePort();
  // 30 ports: nmap folds the closed ones into a count, so the opened port is a new item
  const ports = `${port}-${Math.min(port + 29, 65535)}`;
  const first = await scan(ports);
  let listener: Server | undefined;
  try {
    listener = createServer((sock) => sock.destroy());
    await new Promise<void>((r) => listener!.listen(port, "127.0.0.1", r));
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
    assert.deepEqual(c.changed.map((d) => d.label), ["target=127.0.0.1"]);
    const portChanges = c.changed[0].changes.filter((ch) => ch.path.includes(`port=${port},`));
    assert.deepEqual(
      portChanges.map((ch) => [ch.op, ch.path, (ch.after as { state?: string }).state]),
      [["added", `hosts[ip=127.0.0.1].ports[port=${port},protocol=tcp]`, "open"]],
    );
    // the example maps its scan to assets: in those terms, one new service on a host both runs saw
    assert.equal(assets.mapped, true);
    assert.deepEqual([assets.services.new.items, assets.services.gone.count], [[`127.0.0.1:${port}/tcp`], 0]);
    assert.deepEqual([assets.hosts.new.count, assets.hosts.gone.count], [0, 0]);
  } finally {
    await new Promise((r) => (listener ? listener.close(r) : r(undefined)));
  }
});
