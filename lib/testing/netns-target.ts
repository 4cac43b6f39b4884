/**
 * A scan target the tests create, never 127.0.0.1 or anyone else's host: a network namespace
 * joined to this machine by a veth pair, the target at 10.231.N.2/24 behind the machine's end at
 * 10.231.N.1 (N free and chosen per call). A container on a run's own bridge reaches it through
 * the machine's routing (Docker masquerades the bridge's traffic going out; DESIGN.md measured it:
 * SYN and OS scans with only NET_RAW), and a macvlan network on the machine's end of the veth puts
 * a container right on its segment. TCP listeners run inside the namespace
 * (`nsenter --net=/run/netns/NS node …`): a test opens and closes ports to change what a scan finds.
 *
 * Cleaned up by `close()` (also `await using`), by the process's exit even when a test fails, and
 * for targets of test processes that are gone (a crash), by the next `createNetnsTarget`. Linux
 * and root only; usable by integration tests and e2e specs (the e2e server runs as root here).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { alive, netnsList, sh } from "./host-tools.ts";

const PREFIX = "levtgt-";
const SUBNET = (n: number) => `10.231.${n}`;

export interface NetnsTarget {
  /** the namespace, `levtgt-<pid>-<N>` */
  netns: string;
  /** the target's address, 10.231.N.2 */
  ip: string;
  /** this machine's end, 10.231.N.1 */
  gateway: string;
  /** the segment, 10.231.N.0/24 */
  subnet: string;
  /** this machine's end of the veth: a macvlan parent for the segment */
  parent: string;
  /** addresses for containers on a macvlan network of the segment: 10.231.N.128/25 */
  ipRange: string;
  /** Starts a TCP listener in the namespace (on `port`, or one the kernel picks); resolves with its port. */
  open(port?: number): Promise<number>;
  /** Stops the listener on `port` (a closed port again); resolves once it is gone. */
  shut(port: number): Promise<void>;
  /** Removes the namespace, the veth pair and every listener. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The N in `levtgt-<pid>-<N>`, and the pid, for a namespace of ours. */
function parseName(name: string): { pid: number; n: number } | null {
  const m = /^levtgt-(\d+)-(\d+)$/.exec(name);
  return m ? { pid: Number(m[1]), n: Number(m[2]) } : null;
}

/**
 * Kills what runs in a namespace and removes it with its veth pair (the machine's end explicitly:
 * the kernel drops a deleted namespace's links only later). Synchronous: it also runs at exit.
 */
function removeNow(netns: string, from?: string): void {
  const pids = spawnSync("ip", ["netns", "pids", netns], { encoding: "utf8" }).stdout ?? "";
  for (const p of pids.split("\n").filter(Boolean)) {
    try {
      process.kill(Number(p), "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  const n = parseName(netns)?.n;
  if (n !== undefined) spawnSync("ip", [...(from ? ["-n", from] : []), "link", "del", `lvt${n}h`], { stdio: "ignore" });
  spawnSync("ip", ["netns", "del", netns]);
}

/** Removes the targets of test processes that are gone; returns their namespaces. */
export async function cleanStaleTargets(): Promise<string[]> {
  const removed: string[] = [];
  for (const ns of await netnsList()) {
    const parsed = parseName(ns);
    if (!parsed || alive(parsed.pid)) continue;
    removeNow(ns);
    removed.push(ns);
  }
  return removed;
}

/** Subnets 10.231.N.0/24 this machine already uses (ours or anyone's). */
async function usedNumbers(): Promise<Set<number>> {
  const used = new Set<number>();
  for (const m of (await sh("ip", ["-o", "-4", "addr", "show"])).matchAll(/inet 10\.231\.(\d+)\./g)) used.add(Number(m[1]));
  for (const ns of await netnsList()) {
    const parsed = parseName(ns);
    if (parsed) used.add(parsed.n);
  }
  return used;
}

/** namespace → the namespace holding the machine's end ("" for this machine's own) */
const live = new Map<string, string>();
let exitHook = false;

/** A listener in the namespace: node itself, so nothing else needs to be installed. */
const LISTENER = `
const net = require("node:net");
const s = net.createServer((c) => { c.on("error", () => {}); c.end(); });
s.listen(Number(process.argv[1]), "0.0.0.0", () => process.stdout.write(String(s.address().port) + "\\n"));
process.stdin.on("end", () => process.exit(0)).resume();
`;

export async function createNetnsTarget(opts: { from?: string } = {}): Promise<NetnsTarget> {
  if (process.getuid?.() !== 0) throw new Error("a network-namespace target needs root (ip netns, veth)");
  await cleanStaleTargets();
  if (!exitHook) {
    exitHook = true;
    // a failing or interrupted test still leaves nothing behind
    process.on("exit", () => {
      for (const [ns, from] of live) removeNow(ns, from || undefined);
    });
  }
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 20; attempt++) {
    const used = await usedNumbers();
    const free = Array.from({ length: 250 }, (_, i) => i + 2).filter((n) => !used.has(n));
    if (!free.length) throw new Error("no free 10.231.N.0/24 subnet for a target");
    const n = free[Math.floor(Math.random() * free.length)];
    const netns = `${PREFIX}${process.pid}-${n}`;
    const outer = `lvt${n}h`;
    const inner = `lvt${n}t`;
    try {
      await sh("ip", ["netns", "add", netns]);
      live.set(netns, opts.from ?? "");
      await sh("ip", ["link", "add", outer, "type", "veth", "peer", "name", inner]);
      await sh("ip", ["link", "set", inner, "netns", netns]);
      if (opts.from) await sh("ip", ["link", "set", outer, "netns", opts.from]);
      const onSide = (args: string[]) => (opts.from ? sh("ip", ["-n", opts.from, ...args]) : sh("ip", args));
      await onSide(["addr", "add", `${SUBNET(n)}.1/24`, "dev", outer]);
      await onSide(["link", "set", outer, "up"]);
      await sh("ip", ["-n", netns, "addr", "add", `${SUBNET(n)}.2/24`, "dev", inner]);
      await sh("ip", ["-n", netns, "link", "set", inner, "up"]);
      await sh("ip", ["-n", netns, "link", "set", "lo", "up"]);
      // replies to a container's masqueraded scan go back through this machine
      await sh("ip", ["-n", netns, "route", "add", "default", "via", `${SUBNET(n)}.1`]);
      return target(netns, n, outer, opts.from);
    } catch (e) {
      lastError = e;
      // another test process took this N at the same moment: clean what we made and pick again
      removeNow(netns, opts.from);
      live.delete(netns);
    }
  }
  throw new Error(`could not create a network-namespace target: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

function target(netns: string, n: number, outer: string, from?: string): NetnsTarget {
  const listeners = new Map<number, ChildProcess>();
  let closed = false;
  const shut = async (port: number) => {
    const child = listeners.get(port);
    if (!child) return;
    listeners.delete(port);
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  };
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all([...listeners.keys()].map(shut));
    removeNow(netns, from);
    live.delete(netns);
  };
  return {
    netns,
    ip: `${SUBNET(n)}.2`,
    gateway: `${SUBNET(n)}.1`,
    subnet: `${SUBNET(n)}.0/24`,
    parent: outer,
    ipRange: `${SUBNET(n)}.128/25`,
    async open(port = 0) {
      if (closed) throw new Error(`the target ${netns} is closed`);
      const child = spawn("nsenter", [`--net=/run/netns/${netns}`, process.execPath, "-e", LISTENER, String(port)], { stdio: ["pipe", "pipe", "pipe"] });
      const opened = await new Promise<number>((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout!.on("data", (d: Buffer) => {
          out += d.toString("utf8");
          if (out.includes("\n")) resolve(Number(out.trim()));
        });
        child.stderr!.on("data", (d: Buffer) => (err += d.toString("utf8")));
        child.once("exit", (code) => reject(new Error(`the listener in ${netns} on port ${port} exited (${code}): ${err.trim()}`)));
        child.once("error", reject);
      });
      listeners.set(opened, child);
      return opened;
    },
    shut,
    close,
    [Symbol.asyncDispose]: close,
  };
}
