/**
 * The trust boundary, attacked from inside tool containers on the real Docker engine and
 * FerretDB: each case is something a hostile package did (or could do) to the runner's host.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import Docker from "dockerode";
import { DEFAULT_BASE_IMAGES, defaultRunLimits, LABEL, restrictedPolicy, type RunLimits, type RunPolicy, type RunResult } from "../src/index.ts";
import { segmentNetwork } from "../src/policy/container-config.ts";
import { createNetnsTarget, type NetnsTarget } from "../../lib/testing/netns-target.ts";
import { createHarness, FIXTURES, logText, type Harness } from "./harness.ts";

const PKG = path.join(FIXTURES, "levtest.attacks");
const MiB = 1024 * 1024;
const docker = new Docker();

const images = { refs: {}, base: DEFAULT_BASE_IMAGES, any: false };
const restricted = (limits: Partial<RunLimits> = {}): RunPolicy => restrictedPolicy(images, { ...defaultRunLimits(), ...limits });
/** the default grant: host=True on the run's own bridge, as root with NET_RAW */
const granted = (limits: Partial<RunLimits> = {}): RunPolicy => ({ ...restricted(limits), network: "bridge", caps: ["NET_RAW"] });
const hostGranted = (over: Partial<RunPolicy> = {}): RunPolicy => ({ ...granted(), network: "host", ...over });

describe("attacks on the runner from tool containers (real Docker and FerretDB)", () => {
  let h: Harness;
  let marker: string;
  let hostFile: string;
  let target: NetnsTarget;
  before(async () => {
    h = await createHarness({ policy: restricted() });
    target = await createNetnsTarget();
    marker = `levtest-marker-${randomBytes(8).toString("hex")}`;
    hostFile = path.join(tmpdir(), `${marker}.json`);
    await writeFile(hostFile, JSON.stringify({ marker }));
  });
  after(async () => {
    await rm(hostFile, { force: true });
    await target?.close();
    await h.close();
    assert.deepEqual(await h.leftovers(), [], "no labelled container or network of this runner remains");
  });

  const run = (fn: string, args: Record<string, unknown> = {}, policy?: RunPolicy) => h.run(PKG, fn, args, policy ? { policy } : {});
  const docs = async (r: RunResult) => (await Promise.all(r.collections.map((c) => h.store.findRun(c, r.job)))).flat();
  const taskDoc = async (r: RunResult, task = 1) => (await h.store.findOne(r.tasks[task - 1].coll, r.job, task, null, null)) ?? {};
  const everything = async (r: RunResult) => JSON.stringify(r) + JSON.stringify(await docs(r));

  test("symlinks, FIFOs and devices at /lev/out or /lev/chan never bring a host file into a result", async () => {
    const t0 = Date.now();
    const r = await run("tools.links_to_host", { host_path: hostFile });
    assert.ok(Date.now() - t0 < 30_000, "no FIFO or device blocks the runner");
    assert.equal(r.tasks[0].stored, false, "nothing became the task's document");
    assert.match(logText(r, 1), /tried/);
    assert.match(logText(r, 1), /Read-only file system|No such file or directory/);
    assert.ok(!(await everything(r)).includes(marker), "the host file's marker is in no document, log or error");
  });

  test("a stream of zero bytes into the task channel is drained, bounded, and fails as OutputTooLarge", async () => {
    const rss = process.memoryUsage().rss;
    const t0 = Date.now();
    const r = await run("tools.zeros_to_channel", { mib: 200 });
    assert.ok(Date.now() - t0 < 30_000);
    assert.ok(process.memoryUsage().rss - rss < 150 * MiB, `runner grew by ${((process.memoryUsage().rss - rss) / MiB).toFixed(0)} MiB`);
    assert.equal(r.tasks[0].status, "failed");
    assert.equal(r.tasks[0].error?.type, "OutputTooLarge");
    assert.match(r.tasks[0].error?.message ?? "", /over the limit of 16 MiB/);
  });

  test("many connections to one task channel share one document's budget", async () => {
    const rss = process.memoryUsage().rss;
    const r = await run("tools.many_connections", { n: 50, mib: 8 });
    assert.ok(process.memoryUsage().rss - rss < 150 * MiB, `runner grew by ${((process.memoryUsage().rss - rss) / MiB).toFixed(0)} MiB`);
    assert.equal(r.tasks[0].stored, false);
    assert.equal(r.tasks[0].error?.message, "the task sent more than 16 MiB on several connections at once");
    assert.match(logText(r, 1), /connections \d+ MiB sent 32$/m, "4 connections of 8 MiB; the others were refused");
  });

  test("one 300 MB line without a newline is cut, bounded in time and memory", async () => {
    const rss = process.memoryUsage().rss;
    const t0 = Date.now();
    const r = await run("tools.one_long_line", { mib: 300 });
    const took = Date.now() - t0;
    assert.ok(took < 60_000, `took ${took} ms`);
    assert.equal(r.status, "succeeded", JSON.stringify(r.error));
    const lines = r.logs.filter((l) => l.task === 1 && l.stream === "stdout");
    assert.equal(lines.length, 1);
    assert.match(lines[0].line, /^x{16384} … \[line cut at 16 KiB; the rest of it was dropped\]$/);
    assert.ok(process.memoryUsage().rss - rss < 200 * MiB, `runner grew by ${((process.memoryUsage().rss - rss) / MiB).toFixed(0)} MiB`);
  });

  test("64 MiB of short lines: the task's log keeps 4 MiB, then one notice; the stream is drained", async () => {
    const t0 = Date.now();
    const started = h.start({ packageDir: PKG, function: "tools.many_lines", args: { mib: 64 } });
    let bytes = 0;
    const notices: string[] = [];
    started.on((ev) => {
      if (ev.type !== "log" || ev.log.task !== 1) return;
      if (ev.log.stream === "stdout") bytes += ev.log.line.length + 1;
      if (ev.log.stream === "system" && /further output/.test(ev.log.line)) notices.push(ev.log.line);
    });
    const r = await started.result;
    assert.ok(Date.now() - t0 < 60_000);
    assert.equal(r.status, "succeeded", JSON.stringify(r.error));
    assert.ok(bytes <= 4 * MiB && bytes > 4 * MiB - 200, `${bytes} bytes of lines passed`);
    assert.deepEqual(notices, ["… further output of task 1 dropped (over 4 MiB)"]);
    assert.ok(r.logs.length <= 20_000, "the result keeps a bounded number of lines");
  });

  test("a 4 MB document stores; one over the cap fails with OutputTooLarge and stores nothing", async () => {
    const ok = await run("tools.document", { mib: 4 });
    assert.equal(ok.status, "succeeded", JSON.stringify(ok.error));
    assert.equal(((await taskDoc(ok)).blob as string).length, 4 * MiB);
    const big = await run("tools.document", { mib: 20 });
    assert.equal(big.status, "failed");
    assert.equal(big.tasks[0].error?.type, "OutputTooLarge");
    assert.match(big.tasks[0].error?.message ?? "", /^the task's document is 20 MiB, over the limit of 16 MiB$/);
    assert.equal(big.tasks[0].stored, false);
    assert.equal(big.error?.type, "OutputTooLarge", "the run ends with the task's own error");
  });

  test("10,000 tasks asked: maxTasks start, the rest are refused with QuotaExceeded, the run goes on", async () => {
    const t0 = Date.now();
    const r = await run("many_tasks", { n: 10_000 }, restricted({ maxTasks: 3 }));
    assert.ok(Date.now() - t0 < 40_000);
    assert.equal(r.status, "succeeded", JSON.stringify(r.error) + logText(r, 0));
    assert.equal(r.tasks.length, 3);
    const doc = (await docs(r)).find((d) => "refused" in d)!;
    assert.equal(doc.started, 3);
    assert.equal(doc.refused, 9_997);
    assert.match(doc.message as string, /at most 3 tasks/);
  });

  test("the concurrency cap holds: never more tool containers alive than maxConcurrentTasks", async () => {
    const run = h.start({ packageDir: PKG, function: "concurrent_sleepers", args: { n: 5, seconds: 1 }, policy: restricted({ maxConcurrentTasks: 2 }) });
    let alive = 0;
    let most = 0;
    const off = run.on((ev) => {
      if (ev.type === "task.started") most = Math.max(most, ++alive);
      if (ev.type === "task.finished") alive--;
    });
    const r = await run.result;
    off();
    assert.equal(r.status, "succeeded", JSON.stringify(r.error));
    assert.equal(r.tasks.length, 5);
    assert.equal(most, 2);
  });

  test("host=True is refused under the restricted policy and runs as root with NET_RAW (nothing else) under a grant", async () => {
    const denied = await run("refused", { kind: "host" });
    const d = (await docs(denied))[0];
    assert.equal(d.error, "PolicyDenied");
    assert.equal(d.message, "Cr(host=True): host networking is not granted to this package; an admin can grant it (Admin → Policy)");
    assert.deepEqual(denied.tasks.map((t) => [t.status, t.error?.type, t.exitCode]), [["failed", "PolicyDenied", null]], "a refusal starts nothing");

    const allowed = await run("tools.sandbox", { host: true }, granted());
    assert.equal(allowed.status, "succeeded", JSON.stringify(allowed.error));
    const facts = await taskDoc(allowed);
    assert.equal(facts.uid, 0, "a granted capability needs uid 0");
    assert.equal(facts.cap_eff, "0000000000002000", "NET_RAW and nothing else");
    assert.equal(facts.sock_uid, 0);
  });

  test("capabilities not granted are refused, grantable or not", async () => {
    for (const [cap, policy] of [["NET_ADMIN", restricted()], ["SYS_ADMIN", granted()]] as const) {
      const r = await run("refused", { kind: "caps", arg: cap }, policy);
      const d = (await docs(r))[0];
      assert.equal(d.error, "PolicyDenied", cap);
      assert.match(d.message as string, new RegExp(`capability ${cap} is not granted to this package`));
    }
  });

  test("another package's image, a levpkg/ name, an image present but not allowed: all 'not available'", async () => {
    const tag = { repo: "levpkg/levtest.private", tag: "1.0" };
    await docker.getImage(DEFAULT_BASE_IMAGES[0]).tag(tag);
    try {
      for (const ref of [".bob.secret:1.0", ".levtest.private", "levpkg/levtest.private:1.0", "levpkg/nobody.nothing:1", "alpine:latest"]) {
        const r = await run("refused", { kind: "image", arg: ref });
        const d = (await docs(r))[0];
        assert.equal(d.error, "ImageNotFound", ref);
        // the same words whatever the reason; Leviathan's private form says what it names
        const pkg = ref.slice(1).split(":")[0];
        const why = ref.startsWith(".") ? `: it names the image built from the Dockerfile of package ${pkg}, and no version of ${pkg} this run may use has one` : "";
        assert.equal(d.message, `image '${ref}' is not available to this run${why}`);
      }
    } finally {
      await docker.getImage(`${tag.repo}:${tag.tag}`).remove();
    }
  });

  test("files=: package files by relative path or next to the module; a symlink out of the package is refused", async () => {
    const ok = await run("tools.files_idioms");
    assert.equal(ok.status, "succeeded", JSON.stringify(ok.error) + logText(ok));
    assert.deepEqual(await taskDoc(ok), { beside: "beside the module", note: "in the data folder" });
    const escape = await run("refused", { kind: "files" });
    const d = (await docs(escape))[0];
    assert.equal(d.error, "InvalidRequest");
    assert.match(d.message as string, /files\['\/data\/x'\]: 'lev\/levtest\/attacks\/passwd-link' resolves outside the package/);
    assert.ok(!(await everything(escape)).includes("root:x:0:0"), "nothing of /etc/passwd reached the run");
  });

  test("a tool runs as 65534 with no capability, a read-only root, a bounded /tmp and a private socket", async () => {
    const r = await run("tools.sandbox", {}, restricted({ tmpBytes: 8 * MiB }));
    assert.equal(r.status, "succeeded", JSON.stringify(r.error));
    const facts = await taskDoc(r);
    assert.equal(facts.uid, 65534);
    assert.equal(facts.gid, 65534);
    assert.equal(facts.cap_eff, "0000000000000000");
    assert.equal(facts.home, "/tmp");
    assert.match(facts.root_write as string, /^refused: Read-only file system/);
    assert.match(facts.tmp_fill as string, /^stopped at [78] MiB: No space left on device/);
    assert.equal(facts.sock_mode, "0o600");
    assert.equal(facts.sock_uid, 65534);
    assert.deepEqual(facts.chan_entries, ["lev.sock"], "the channel directory holds the socket only");
    const wf = await run("refused", { kind: "caps", arg: "NET_ADMIN" });
    const w = (await docs(wf))[0];
    assert.equal(w.sock_mode, "0o600", "the workflow's socket too");
    assert.equal(w.sock_uid, 65534);
  });

  test("Docker's own log is capped and the sandbox is what the policy says (inspect)", async () => {
    const run = h.start({ packageDir: PKG, function: "tools.sandbox", args: { seconds: 10 } });
    let containerId: string | null = null;
    for await (const ev of run.events()) {
      if (ev.type === "task.started") break;
    }
    const [c] = await docker.listContainers({ filters: JSON.stringify({ label: [`${LABEL.run}=${run.id}`, `${LABEL.role}=tool`] }) });
    containerId = c.Id;
    const info = await docker.getContainer(containerId).inspect();
    const runDir = path.join(tmpdir(), "levhub-runs", run.id);
    const dirMode = (await stat(runDir)).mode & 0o777;
    await run.cancel();
    assert.deepEqual(info.HostConfig.LogConfig, { Type: "json-file", Config: { "max-size": String(defaultRunLimits().dockerLogBytes), "max-file": "1" } });
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.equal(info.Config.User, "65534:65534");
    assert.deepEqual(info.HostConfig.CapDrop, ["ALL"]);
    assert.ok(!info.HostConfig.CapAdd?.length);
    assert.deepEqual(info.HostConfig.SecurityOpt, ["no-new-privileges"]);
    assert.equal(info.HostConfig.NetworkMode, "bridge");
    assert.ok(info.Mounts.every((m) => !m.RW || m.Type === "tmpfs"), JSON.stringify(info.Mounts));
    assert.equal(dirMode, 0o700, "the run directory is the runner's alone");
  });

  /** A service on the host's loopback, and traffic on it carrying a secret, for as long as `during` runs. */
  async function withLoopbackSecret<T>(during: (port: number, secret: string) => Promise<T>, address = "127.0.0.1"): Promise<T> {
    const secret = `lev-loopback-${randomBytes(8).toString("hex")}`;
    const server: Server = createServer((c) => {
      // a scan resets its connections: not an error of the test
      c.on("error", () => undefined);
      c.end(secret);
    });
    await new Promise<void>((r) => server.listen(0, address, r));
    const udp = createSocket("udp4");
    const chatter = setInterval(() => udp.send(secret, 9, "127.0.0.1"), 20);
    try {
      return await during((server.address() as { port: number }).port, secret);
    } finally {
      clearInterval(chatter);
      udp.close();
      await new Promise((r) => server.close(r));
    }
  }

  interface ReachFacts {
    uid: number;
    cap_eff: string;
    interfaces: string[];
    addresses: string[];
    reach: Record<string, string>;
    sniffed: { packets?: number; marker?: boolean; error?: string };
  }

  /** Runs tools.network_reach and returns its facts with the tool container's network mode. */
  async function reach(harness: Harness, policy: RunPolicy, args: Record<string, unknown>) {
    const started = harness.start({ packageDir: PKG, function: "tools.network_reach", args, policy });
    let networkMode: string | null = null;
    const seen = new Promise<void>((resolve) => {
      const off = started.on((ev) => {
        if (ev.type !== "task.started") return;
        off();
        void docker
          .listContainers({ filters: JSON.stringify({ label: [`${LABEL.run}=${started.id}`, `${LABEL.role}=tool`] }) })
          .then(async ([c]) => (networkMode = c ? (await docker.getContainer(c.Id).inspect()).HostConfig.NetworkMode ?? null : null))
          .catch(() => undefined)
          .finally(resolve);
      });
    });
    const r = await started.result;
    await Promise.race([seen, new Promise((res) => setTimeout(res, 100))]);
    // the harness's own store: each harness has a throwaway database of its own
    const stored = r.tasks[0]?.stored ? await harness.store.findOne(r.tasks[0].coll, r.job, 1, null, null) : null;
    const doc = (stored ?? {}) as unknown as Omit<ReachFacts, "reach"> & { reach?: { target: string; result: string }[] };
    const facts: ReachFacts = { ...doc, reach: Object.fromEntries((doc.reach ?? []).map((x) => [x.target, x.result])) };
    return { r, facts, networkMode };
  }

  test("host=True under the default grant: root with NET_RAW on the run's own bridge — it scans a target, never the host's loopback", async () => {
    const open = await target.open();
    await withLoopbackSecret(async (port, secret) => {
      const { r, facts, networkMode } = await reach(h, granted(), { targets: [`${target.ip}:${open}`, `127.0.0.1:${port}`], sniff_seconds: 2, marker: secret });
      assert.equal(r.status, "succeeded", JSON.stringify(r.error) + logText(r));
      assert.equal(networkMode, `lev-${r.runId}`, "the run's own network, not the host's nor Docker's shared bridge");
      assert.equal(facts.uid, 0);
      assert.equal(facts.cap_eff, "0000000000002000", "NET_RAW and nothing else");
      assert.equal(facts.reach[`${target.ip}:${open}`], "open", "a target the machine routes to");
      assert.equal(facts.reach[`127.0.0.1:${port}`], "ConnectionRefusedError", "127.0.0.1 is the container's own");
      assert.ok(!facts.interfaces.includes("docker0") && !facts.interfaces.includes(target.parent), JSON.stringify(facts.interfaces));
      assert.ok(!facts.addresses.includes(target.gateway), "none of the machine's addresses");
      assert.equal(typeof facts.sniffed.packets, "number", JSON.stringify(facts.sniffed));
      assert.equal(facts.sniffed.marker, false, "the host's loopback traffic is not on its wire");
      assert.ok(!(await everything(r)).includes(secret));
    });
  });

  test("a grant of the host's network is refused on the hub's machine; the admin's unsafe setting allows it, and then it sees the host's loopback", async () => {
    const onHub = await createHarness({ policy: restricted(), hubMachine: true });
    try {
      await withLoopbackSecret(async (port, secret) => {
        const refused = await reach(onHub, hostGranted(), { targets: [`127.0.0.1:${port}`] });
        assert.equal(refused.r.status, "failed");
        assert.equal(refused.r.error?.type, "PolicyDenied");
        assert.match(refused.r.error?.message ?? "", /granted the host's network, which is refused on this engine because its machine runs the hub/);
        assert.deepEqual(refused.r.tasks.map((t) => [t.status, t.exitCode]), [["failed", null]], "nothing started");

        const unsafe = await reach(onHub, hostGranted({ hostNetworkOnHubMachine: true }), { targets: [`127.0.0.1:${port}`], sniff_seconds: 2, marker: secret });
        assert.equal(unsafe.r.status, "succeeded", JSON.stringify(unsafe.r.error) + logText(unsafe.r));
        assert.equal(unsafe.networkMode, "host");
        assert.equal(unsafe.facts.reach[`127.0.0.1:${port}`], "open", "what the unsafe setting exposes: the host's loopback services");
        assert.ok(unsafe.facts.interfaces.includes("docker0"));
        assert.equal(unsafe.facts.sniffed.marker, true, "and, with NET_RAW, their traffic: why it is labelled unsafe");
      });
      // another machine's engine (hubMachine false): a host grant runs without the setting
      const elsewhere = await reach(h, hostGranted(), { targets: [] });
      assert.equal(elsewhere.r.status, "succeeded", JSON.stringify(elsewhere.r.error));
      assert.equal(elsewhere.networkMode, "host");
    } finally {
      await onHub.close();
    }
  });

  test("a macvlan grant puts the tool on its LAN segment only: the segment's hosts answer, the engine's machine does not", async () => {
    const segment = { parent: target.parent, subnet: target.subnet, ipRange: target.ipRange };
    const open = await target.open();
    try {
      await withLoopbackSecret(async (port) => {
        const { r, facts, networkMode } = await reach(h, { ...granted(), network: "macvlan", macvlan: segment }, { targets: [`${target.ip}:${open}`, `${target.gateway}:${port}`] });
        assert.equal(r.status, "succeeded", JSON.stringify(r.error) + logText(r));
        assert.equal(networkMode, segmentNetwork(segment));
        assert.equal(facts.uid, 0);
        assert.equal(facts.reach[`${target.ip}:${open}`], "open");
        assert.notEqual(facts.reach[`${target.gateway}:${port}`], "open", "the machine's own end of the segment is out of reach");
        const own = facts.addresses.filter((a) => a.startsWith(target.subnet.split(".").slice(0, 3).join(".") + "."));
        assert.equal(own.length, 1, JSON.stringify(facts.addresses));
        assert.ok(Number(own[0].split(".")[3]) >= 128, "an address from the range the admin gave");
      }, target.gateway);
    } finally {
      await docker.getNetwork(segmentNetwork(segment)).remove().catch(() => undefined);
    }
  });
});
