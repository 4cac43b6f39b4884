/**
 * The scope enforcer's rules with real packets and real nftables, in network namespaces this test
 * creates (never the machine's own tables or anyone's address): a "machine" namespace holding the
 * run's bridge (`lvr<key>`), a client on that bridge standing for a run's container, two target
 * namespaces routed through the machine, and one of the machine's own addresses. Docker is not
 * needed: runner/test/scope.int.test.ts runs the same enforcement under real runs.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { NftScopeEnforcer, nft } from "./enforcer.ts";
import { bridgeName, scopeKey } from "./nft.ts";
import { compileScope } from "./rules.ts";
import type { ContainerEngine } from "../engine/engine.ts";

const tag = `${process.pid % 100000}`;
const NS = { machine: `lvsm-${tag}`, client: `lvsc-${tag}`, inside: `lvsi-${tag}`, outside: `lvso-${tag}` };
const RUN = `scope-int-${tag}`;
const KEY = scopeKey(RUN);
const BRIDGE = bridgeName(KEY);
const GATEWAY = "10.233.0.1";
const CLIENT = "10.233.0.2";
const INSIDE = "10.233.1.2";
const OUTSIDE = "10.233.2.2";
const OWN = "10.233.9.9";
const PORTS = [8081, 8082];

const sh = (...argv: string[]) => {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
};
const inNs = (ns: string, ...argv: string[]) => sh("ip", "netns", "exec", ns, ...argv);

const LISTEN = "import socket,sys\ns=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(('0.0.0.0',int(sys.argv[1])));s.listen(64)\nwhile True: s.accept()[0].close()";
const CONNECT =
  "import socket,sys\nfor t in sys.argv[1:]:\n  ip,port=t.rsplit(':',1);s=socket.socket();s.settimeout(1.5)\n  try: s.connect((ip,int(port)));print(t,'open')\n  except OSError as e: print(t,type(e).__name__)\n  finally: s.close()";

/** One ICMP echo request (a raw socket: the test runs as root), then whether a reply came. */
const PING =
  "import socket,struct,sys\ndef cs(b):\n  s=sum(struct.unpack('!%dH'%(len(b)//2),b));s=(s>>16)+(s&0xffff);s+=s>>16;return ~s&0xffff\n" +
  "p=struct.pack('!BBHHH',8,0,0,1,1)+b'levhub-scope';p=p[:2]+struct.pack('!H',cs(p))+p[4:]\n" +
  "s=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_ICMP);s.settimeout(1);s.sendto(p,(sys.argv[1],0))\n" +
  "try: s.recv(1500);print('reply')\nexcept OSError: print('no reply')";

/** From the client (a run's container): each `ip:port` → open, TimeoutError (dropped) or ConnectionRefusedError. */
function reach(...targets: string[]): Record<string, string> {
  return Object.fromEntries(inNs(NS.client, "python3", "-c", CONNECT, ...targets).trim().split("\n").map((l) => l.split(" ") as [string, string]));
}

function cleanUp() {
  for (const ns of Object.values(NS)) {
    const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout ?? "";
    for (const p of pids.split("\n").filter(Boolean)) spawnSync("kill", ["-9", p]);
    spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  }
}

function link(ns: string, nsAddr: string, machineIf: string, machineAddr: string, via: string) {
  sh("ip", "link", "add", machineIf, "netns", NS.machine, "type", "veth", "peer", "name", "eth0", "netns", ns);
  inNs(ns, "ip", "addr", "add", nsAddr, "dev", "eth0");
  inNs(ns, "ip", "link", "set", "eth0", "up");
  inNs(ns, "ip", "link", "set", "lo", "up");
  inNs(ns, "ip", "route", "add", "default", "via", via);
  if (machineAddr) inNs(NS.machine, "ip", "addr", "add", machineAddr, "dev", machineIf);
  inNs(NS.machine, "ip", "link", "set", machineIf, "up");
}

describe("the scope enforcer's nftables rules with real packets (network namespaces of this test)", () => {
  const listeners: ChildProcess[] = [];
  const enforcer = new NftScopeEnforcer({ netns: NS.machine });

  before(() => {
    cleanUp();
    for (const ns of Object.values(NS)) sh("ip", "netns", "add", ns);
    inNs(NS.machine, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    inNs(NS.machine, "ip", "link", "set", "lo", "up");
    inNs(NS.machine, "ip", "link", "add", BRIDGE, "type", "bridge");
    inNs(NS.machine, "ip", "addr", "add", `${GATEWAY}/24`, "dev", BRIDGE);
    inNs(NS.machine, "ip", "link", "set", BRIDGE, "up");
    // one of the machine's own addresses, not the bridge's
    inNs(NS.machine, "ip", "addr", "add", `${OWN}/32`, "dev", "lo");
    link(NS.client, `${CLIENT}/24`, "vc", "", GATEWAY);
    inNs(NS.machine, "ip", "link", "set", "vc", "master", BRIDGE);
    link(NS.inside, `${INSIDE}/24`, "vi", "10.233.1.1/24", "10.233.1.1");
    link(NS.outside, `${OUTSIDE}/24`, "vo", "10.233.2.1/24", "10.233.2.1");
    for (const ns of [NS.inside, NS.outside, NS.machine]) {
      for (const port of PORTS) listeners.push(spawn("ip", ["netns", "exec", ns, "python3", "-c", LISTEN, String(port)], { stdio: "ignore" }));
    }
    // every listener up before the first test
    for (let i = 0; i < 50; i++) {
      const r = reach(`${INSIDE}:${PORTS[0]}`, `${INSIDE}:${PORTS[1]}`, `${OUTSIDE}:${PORTS[0]}`, `${OUTSIDE}:${PORTS[1]}`, `${OWN}:${PORTS[0]}`, `${GATEWAY}:${PORTS[1]}`);
      if (Object.values(r).every((v) => v === "open")) return;
      spawnSync("sleep", ["0.1"]);
    }
    throw new Error("the test's listeners did not come up");
  });
  after(() => {
    for (const l of listeners) l.kill("SIGKILL");
    cleanUp();
  });

  test("an in-scope target is reached; another host, the bridge's gateway and the machine's own address are dropped and counted", async () => {
    const e = await enforcer.setUp(RUN, compileScope({ allow: ["10.233.1.0/24"], exclude: [], services: [] }));
    try {
      const r = reach(`${INSIDE}:${PORTS[0]}`, `${OUTSIDE}:${PORTS[0]}`, `${GATEWAY}:${PORTS[0]}`, `${OWN}:${PORTS[1]}`);
      assert.deepEqual(r, { [`${INSIDE}:${PORTS[0]}`]: "open", [`${OUTSIDE}:${PORTS[0]}`]: "TimeoutError", [`${GATEWAY}:${PORTS[0]}`]: "TimeoutError", [`${OWN}:${PORTS[1]}`]: "TimeoutError" });
      const blocked = await e.blocked();
      const seen = Object.fromEntries(blocked.map((b) => [`${b.address}:${b.port}/${b.protocol}`, b.packets]));
      for (const t of [`${OUTSIDE}:${PORTS[0]}`, `${GATEWAY}:${PORTS[0]}`, `${OWN}:${PORTS[1]}`]) assert.ok((seen[`${t}/tcp`] ?? 0) >= 1, `${t} counted: ${JSON.stringify(seen)}`);
      assert.equal(seen[`${INSIDE}:${PORTS[0]}/tcp`], undefined, "what was allowed is not counted");
    } finally {
      await e.tearDown();
    }
    assert.equal(reach(`${OUTSIDE}:${PORTS[0]}`)[`${OUTSIDE}:${PORTS[0]}`], "open", "without the run's rules the same connection goes through: they were what dropped it");
    assert.doesNotMatch(await nft(["list", "table", "inet", "levhub"], undefined, NS.machine), new RegExp(`r_${KEY}|${BRIDGE}`), "nothing of the run is left");
  });

  test("ports, exclusions (which win) and service endpoints", async () => {
    const e = await enforcer.setUp(
      RUN,
      compileScope({ allow: [`10.233.1.0/24 ${PORTS[0]},${PORTS[1]}`], exclude: [`${INSIDE} ${PORTS[1]}`], services: [`${OUTSIDE}:${PORTS[1]}`] }),
    );
    try {
      assert.deepEqual(reach(`${INSIDE}:${PORTS[0]}`, `${INSIDE}:${PORTS[1]}`, `${OUTSIDE}:${PORTS[1]}`, `${OUTSIDE}:${PORTS[0]}`), {
        [`${INSIDE}:${PORTS[0]}`]: "open",
        [`${INSIDE}:${PORTS[1]}`]: "TimeoutError",
        [`${OUTSIDE}:${PORTS[1]}`]: "open",
        [`${OUTSIDE}:${PORTS[0]}`]: "TimeoutError",
      });
      assert.deepEqual((await e.blocked()).map((b) => `${b.address}:${b.port}`).sort(), [`${INSIDE}:${PORTS[1]}`, `${OUTSIDE}:${PORTS[0]}`].sort());
    } finally {
      await e.tearDown();
    }
  });

  test("ICMP to a host outside the scope is dropped and counted without a port", async () => {
    const e = await enforcer.setUp(RUN, compileScope({ allow: ["10.233.1.0/24"], exclude: [], services: [] }));
    try {
      const ping = spawnSync("ip", ["netns", "exec", NS.client, "python3", "-c", PING, OUTSIDE], { encoding: "utf8" });
      assert.equal(ping.stdout.trim(), "no reply", ping.stderr);
      const blocked = await e.blocked();
      assert.ok(blocked.some((b) => b.address === OUTSIDE && b.protocol === "icmp" && b.port === 0), `${JSON.stringify(blocked)} ${String(ping.stderr)}`);
    } finally {
      await e.tearDown();
    }
  });

  test("rules whose bridge is gone (a crashed worker's) are reaped; a live run's are kept", async () => {
    await enforcer.setUp(RUN, compileScope({ allow: ["10.233.1.0/24"], exclude: [], services: [] }));
    assert.deepEqual(await enforcer.reapLeftovers(), [], "kept while its bridge exists");
    inNs(NS.machine, "ip", "link", "set", BRIDGE, "down");
    inNs(NS.machine, "ip", "link", "del", BRIDGE);
    assert.deepEqual(await enforcer.reapLeftovers(), [KEY]);
    assert.doesNotMatch(await nft(["list", "table", "inet", "levhub"], undefined, NS.machine), new RegExp(`r_${KEY}`));
    await assert.rejects(enforcer.setUp(RUN, compileScope({ allow: ["10.233.1.0/24"], exclude: [], services: [] })), /not visible to this worker/, "no bridge, no enforcement");
  });

  test("the probe: an engine whose bridges are not in the worker's namespace cannot be enforced", async () => {
    const created: string[] = [];
    // an engine elsewhere: it creates its networks, but not here
    const elsewhere = {
      createNetwork: async (name: string) => (created.push(name), name),
      removeNetwork: async () => undefined,
    } as unknown as ContainerEngine;
    const cap = await enforcer.probe(elsewhere, `probe-${tag}`);
    assert.deepEqual({ ipv4: cap.ipv4, ipv6: cap.ipv6 }, { ipv4: false, ipv6: false });
    assert.match(cap.reason ?? "", /not in this worker's network namespace/);
    assert.equal(created.length, 1);
  });
});
