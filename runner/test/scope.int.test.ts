/**
 * A scoped run's network on the real Docker engine: its rules (runner/src/scope/nft.ts) in place
 * before its first container, enforced, and gone at its end. Targets are network namespaces this
 * test creates; the "out of scope" hosts are also its own namespaces and this machine's own
 * addresses, never anyone else's.
 */
import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Docker from "dockerode";
import { compileScope } from "../src/scope/rules.ts";
import { NftScopeEnforcer, nft } from "../src/scope/enforcer.ts";
import { staticUpstream } from "../src/scope/dns-responder.ts";
import { bridgeName, scopeKey } from "../src/scope/nft.ts";
import { createLabels, DEFAULT_BASE_IMAGES, defaultRunLimits, restrictedPolicy, type RunEvent, type RunPolicy, type ScopeReport } from "../src/index.ts";
import { createNetnsTarget, type NetnsTarget } from "../../lib/testing/netns-target.ts";
import { createHarness, EXAMPLES, FIXTURES, logText, type Harness } from "./harness.ts";

const PKG = path.join(FIXTURES, "levtest.attacks");
const NMAP = path.join(EXAMPLES, "szczecin.nmap_python");
const docker = new Docker();
const images = { refs: {}, base: DEFAULT_BASE_IMAGES, any: false };
/** the default grant (the run's own bridge, root with NET_RAW), in a scoped project */
const scoped = (allow: string[], over: Partial<RunPolicy> = {}): RunPolicy => ({
  ...restrictedPolicy(images, defaultRunLimits()),
  network: "bridge",
  caps: ["NET_RAW"],
  scope: compileScope({ allow, exclude: [], services: [] }),
  ...over,
});

/** one of this machine's own addresses that is not loopback nor a Docker bridge's */
function hostAddress(): string {
  for (const [name, list] of Object.entries(networkInterfaces())) {
    if (/^(lo|docker|br-|veth|lvr|lvt)/.test(name)) continue;
    const a = list?.find((x) => x.family === "IPv4" && !x.internal);
    if (a) return a.address;
  }
  throw new Error("no host address found");
}

const levhubTable = async () => nft(["list", "table", "inet", "levhub"]).catch(() => "");

describe("a scoped run's network enforces its scope (real Docker, nftables, netns targets)", () => {
  let h: Harness;
  let inside: NetnsTarget;
  let outside: NetnsTarget;
  // the runs' DNS responders resolve through this map (filled with the targets' addresses), never the Internet
  const names: Record<string, string[]> = {};
  const enforcer = new NftScopeEnforcer({ upstream: staticUpstream(names, 30) });
  before(async () => {
    h = await createHarness({ scopeEnforcer: enforcer });
    [inside, outside] = await Promise.all([createNetnsTarget(), createNetnsTarget()]);
    Object.assign(names, { "in.scope.test": [inside.ip], "out.scope.test": [outside.ip], "mapped.scope.test": [outside.ip] });
  });
  after(async () => {
    await Promise.all([inside?.close(), outside?.close()]);
    await h.close();
    assert.deepEqual(await h.leftovers(), []);
  });

  async function reach(policy: RunPolicy, targets: string[]) {
    const events: RunEvent[] = [];
    const started = h.start({ packageDir: PKG, function: "tools.network_reach", args: { targets }, policy, onEvent: (e) => events.push(e) });
    const r = await started.result;
    const doc = r.tasks[0]?.stored ? ((await h.store.findOne(r.tasks[0].coll, r.job, 1, null, null)) as { reach?: { target: string; result: string }[] } | null) : null;
    const reached = Object.fromEntries((doc?.reach ?? []).map((x) => [x.target, x.result]));
    const reports = events.flatMap((e) => (e.type === "scope" ? [e.scope] : []));
    return { r, reached, report: reports.at(-1) as ScopeReport | undefined, key: scopeKey(started.id) };
  }

  test("an in-scope target is reached; an out-of-scope one, the bridge's gateway and the host's address are blocked and reported", async () => {
    const [inPort, outPort] = await Promise.all([inside.open(), outside.open()]);
    const host = hostAddress();
    const { r, reached, report, key } = await reach(scoped([inside.subnet]), [`${inside.ip}:${inPort}`, `${outside.ip}:${outPort}`, `${host}:22`, `${inside.gateway}:${inPort}`]);
    assert.equal(r.status, "succeeded", logText(r));
    assert.equal(reached[`${inside.ip}:${inPort}`], "open");
    assert.equal(reached[`${outside.ip}:${outPort}`], "TimeoutError", "a tool ignoring its argument does not reach another host");
    assert.equal(reached[`${host}:22`], "TimeoutError", "the machine's own address is not reachable");
    assert.equal(reached[`${inside.gateway}:${inPort}`], "TimeoutError", "the machine's end of the target's link is the machine itself");
    assert.equal(report?.enforcement, "enforced");
    const blocked = new Set(report?.blocked.map((b) => `${b.address}:${b.port}/${b.protocol}`));
    for (const t of [`${outside.ip}:${outPort}`, `${host}:22`, `${inside.gateway}:${inPort}`]) assert.ok(blocked.has(`${t}/tcp`), `${t} recorded as blocked: ${[...blocked].join(", ")}`);
    assert.ok(!blocked.has(`${inside.ip}:${inPort}/tcp`));
    assert.ok(report!.blocked.every((b) => b.packets >= 1));
    // an ended run's rules, then its bridge, go right after its end
    await h.runner.settled();
    assert.doesNotMatch(await levhubTable(), new RegExp(`r_${key}|${bridgeName(key)}`), "the run's rules went with it");
  });

  test("host names: an in-scope name resolved by the run's responder and reached, an out-of-scope one refused and reported", async () => {
    const [inPort, outPort] = await Promise.all([inside.open(), outside.open()]);
    const { r, reached, report, key } = await reach(scoped(["in.scope.test"]), [`in.scope.test:${inPort}`, `out.scope.test:${outPort}`, `${inside.ip}:${inPort}`]);
    assert.equal(r.status, "succeeded", logText(r));
    assert.equal(reached[`in.scope.test:${inPort}`], "open", "the answered address was let through before the answer");
    assert.equal(reached[`out.scope.test:${outPort}`], "gaierror", "an out-of-scope name does not resolve");
    assert.equal(report?.resolver, true);
    assert.deepEqual(report?.blockedNames?.map((n) => [n.name, n.reason]), [["out.scope.test", "out of scope"]]);
    assert.ok(!report?.blocked.some((b) => b.address === outside.ip), "the refused name's address was never tried");
    await h.runner.settled();
    assert.doesNotMatch(await levhubTable(), new RegExp(`r_${key}`), "the run's rules and answer sets went with it");
  });

  test("a name the scope allows that resolves to an address outside it: the address is allowed for that run", async () => {
    const port = await outside.open();
    const { reached, report } = await reach(scoped(["mapped.scope.test"]), [`mapped.scope.test:${port}`]);
    assert.equal(reached[`mapped.scope.test:${port}`], "open");
    assert.equal(report?.blockedNames, undefined);
  });

  test("a port rule: the target's other ports are blocked", async () => {
    const [a, b] = [await inside.open(), await inside.open()];
    const { reached, report } = await reach(scoped([`${inside.ip} ${a}`]), [`${inside.ip}:${a}`, `${inside.ip}:${b}`]);
    assert.equal(reached[`${inside.ip}:${a}`], "open");
    assert.equal(reached[`${inside.ip}:${b}`], "TimeoutError");
    assert.deepEqual(report?.blocked.map((x) => `${x.address}:${x.port}`), [`${inside.ip}:${b}`]);
  });

  test("nmap -sS -O (NET_RAW on the run's bridge) of an in-scope target works under enforcement", async () => {
    const port = await inside.open();
    const events: RunEvent[] = [];
    const r = await h.run(NMAP, "nmap.port_os", { ip: inside.ip, ports: `${port},${port + 1}` }, { policy: scoped([inside.subnet]), onEvent: (e) => events.push(e) });
    assert.equal(r.status, "succeeded", logText(r));
    const [doc] = await h.db.collection("szczecin/nmap_python.port_os@1.0").find({ "_id.job": r.job }).toArray();
    const found = (doc.hosts as { ip: string; ports: { port: number; state: string }[] }[])[0];
    assert.deepEqual(found.ports.map((p) => [p.port, p.state]), [[port, "open"], [port + 1, "closed"]]);
    assert.ok(events.some((e) => e.type === "scope" && e.scope.enforcement === "enforced"));
  });

  test("without an enforcer a scoped run says it ran unenforced; one that requires enforcement starts no tool", async () => {
    const plain = await createHarness();
    try {
      const events: RunEvent[] = [];
      const port = await inside.open();
      const r = await plain.run(PKG, "tools.network_reach", { targets: [`${inside.ip}:${port}`] }, { policy: scoped([inside.subnet]), onEvent: (e) => events.push(e) });
      assert.equal(r.status, "succeeded", logText(r));
      assert.deepEqual(events.flatMap((e) => (e.type === "scope" ? [e.scope.enforcement] : [])), ["unenforced"]);
      assert.match(logText(r, 0), /the scope is not enforced by the network/);
      const req = await plain.run(PKG, "tools.network_reach", { targets: [`${inside.ip}:${port}`] }, { policy: scoped([inside.subnet], { requireEnforcement: true }) });
      assert.equal(req.status, "failed");
      assert.match(JSON.stringify(req.error) + logText(req), /requires its scope enforced by the network/);
      assert.equal(req.tasks[0]?.exitCode ?? null, null, "the tool never ran");
    } finally {
      await plain.close();
    }
  });

  test("rules whose bridge is gone (a crashed worker's) are reaped; a live run's are kept", async () => {
    const runId = `crash-${process.pid}`;
    const key = scopeKey(runId);
    const net = await h.engine.createNetwork(`lev-${runId}`, createLabels(h.runner.instance, runId, "network"), { bridgeName: bridgeName(key) });
    await enforcer.setUp(runId, compileScope({ allow: [inside.subnet], exclude: [], services: [] }));
    assert.match(await levhubTable(), new RegExp(`r_${key}`));
    assert.ok(!(await enforcer.reapLeftovers()).includes(key), "kept while its bridge exists");
    await docker.getNetwork(net).remove();
    assert.ok((await enforcer.reapLeftovers()).includes(key));
    assert.doesNotMatch(await levhubTable(), new RegExp(`r_${key}`));
  });

  test("the probe: this worker, root in the engine's namespace, can enforce", async () => {
    const cap = await enforcer.probe(h.engine, h.runner.instance);
    assert.equal(cap.ipv4, true, cap.reason);
  });
});
