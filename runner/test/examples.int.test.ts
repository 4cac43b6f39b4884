import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createNetnsTarget, type NetnsTarget } from "../../lib/testing/netns-target.ts";
import { allManaged, createHarness, EXAMPLES, logText, type Harness } from "./harness.ts";

const NMAP = path.join(EXAMPLES, "szczecin.nmap_python");
const HELLO = path.join(EXAMPLES, "levhub.hello");
const PORT_OS = "szczecin/nmap_python.port_os@1.0";
const ALIVE = "szczecin/nmap_python.alive@1.0";

const esc = (s: string) => s.replace(/\./g, "\\.");

/**
 * The examples as `lev exec` runs them (host=True: root with NET_RAW on the run's own network, as a
 * hub's default grant gives it); nmap scans only targets in network namespaces the test creates,
 * with a TCP listener so the port scans have something real to find.
 */
describe("example packages run unchanged on real Docker, nmap against the test's own targets only", () => {
  let h: Harness;
  let target: NetnsTarget;
  let other: NetnsTarget;
  let port: number;
  before(async () => {
    h = await createHarness();
    [target, other] = await Promise.all([createNetnsTarget(), createNetnsTarget()]);
    port = await target.open();
  });
  after(async () => {
    await Promise.all([target?.close(), other?.close()]);
    await h.close();
    assert.deepEqual(await h.leftovers(), []);
  });

  const docsOf = (coll: string, job: number) => h.db.collection(coll).find({ "_id.job": job }).sort({ "_id.task": 1 }).toArray();

  test("nmap.raw stores nmap's output", async () => {
    const r = await h.run(NMAP, "nmap.raw", { argv: ["-sT", "-n", "-p", String(port), target.ip] });
    assert.equal(r.status, "succeeded", logText(r));
    const [doc] = await docsOf("szczecin/nmap_python.raw", r.job);
    assert.deepEqual(doc._id, { job: r.job, task: 1 });
    assert.equal(doc.returncode, 0);
    assert.match(doc.stdout as string, new RegExp(`${port}/tcp\\s+open`));
  });

  test("nmap.alive finds the target up", async () => {
    const r = await h.run(NMAP, "nmap.alive", { ip: target.ip });
    assert.equal(r.status, "succeeded", logText(r));
    const [doc] = await docsOf(ALIVE, r.job);
    assert.deepEqual(doc.alive, [target.ip]);
    assert.equal(doc.target, target.ip);
  });

  test("nmap.port_os finds the open port with a SYN scan (NET_RAW on the run's own network)", async () => {
    const r = await h.run(NMAP, "nmap.port_os", { ip: target.ip, ports: `${port},${port + 1}` });
    assert.equal(r.status, "succeeded", logText(r));
    const [doc] = await docsOf(PORT_OS, r.job);
    const host = (doc.hosts as { ip: string; ports: { port: number; state: string }[] }[])[0];
    assert.equal(host.ip, target.ip);
    assert.deepEqual(host.ports.map((p) => [p.port, p.state]), [[port, "open"], [port + 1, "closed"]]);
  });

  test("alive_nmap_python and port_os_nmap_python print their documents", async () => {
    const a = await h.run(NMAP, "alive_nmap_python", { ip: target.ip });
    assert.equal(a.status, "succeeded", logText(a));
    assert.match(logText(a, 0), new RegExp(`'alive': \\['${esc(target.ip)}'\\]`));
    const p = await h.run(NMAP, "port_os_nmap_python", { ip: target.ip });
    assert.equal(p.status, "succeeded", logText(p));
    assert.match(logText(p, 0), new RegExp(`'target': '${esc(target.ip)}'`));
    assert.equal((await docsOf(PORT_OS, p.job)).length, 1);
  });

  test("server_port: alive hosts, then a port scan of each, concurrently", async () => {
    const r = await h.run(NMAP, "server_port", { ip: target.ip, ports: String(port) });
    assert.equal(r.status, "succeeded", logText(r));
    assert.deepEqual(r.collections, [ALIVE, PORT_OS]);
    assert.deepEqual((await docsOf(ALIVE, r.job))[0].alive, [target.ip]);
    const ports = await docsOf(PORT_OS, r.job);
    assert.equal(ports.length, 1);
    assert.deepEqual(ports[0]._id, { job: r.job, task: 2 });
    assert.equal(ports[0]._lev.owner, "tester");
    assert.match(logText(r, 0), new RegExp(`'port': ${port}, 'protocol': 'tcp', 'state': 'open'`));
  });

  test("background: start, signal, then read what the stopped task stored", async () => {
    const r = await h.run(NMAP, "background", { ip: target.ip });
    assert.equal(r.status, "succeeded", logText(r));
    assert.equal(r.tasks[0].status, "stopped");
  });

  test("concurrent: Concurrent(limit=2) and result.all()", async () => {
    const r = await h.run(NMAP, "concurrent", { ips: [target.ip, other.ip] });
    assert.equal(r.status, "succeeded", logText(r));
    assert.equal(r.tasks.length, 2);
    const docs = await docsOf(ALIVE, r.job);
    assert.deepEqual(docs.map((d) => d.target).sort(), [target.ip, other.ip].sort());
    for (const ip of [target.ip, other.ip]) assert.match(logText(r, 0), new RegExp(`'target': '${esc(ip)}'`));
  });

  test("extra_namespace and extra_namespace2 store under demo1| and demo2|demo1|", async () => {
    const one = await h.run(NMAP, "extra_namespace", { ip: target.ip });
    assert.equal(one.status, "succeeded", logText(one));
    assert.deepEqual(one.collections, [`demo1|${PORT_OS}`]);
    const two = await h.run(NMAP, "extra_namespace2", { ip: target.ip });
    assert.equal(two.status, "succeeded", logText(two));
    assert.deepEqual(two.collections, [`demo2|demo1|${PORT_OS}`]);
    const [doc] = await docsOf(`demo2|demo1|${PORT_OS}`, two.job);
    assert.deepEqual(doc._id, { job: two.job, task: 1 });
    assert.equal(doc.target, target.ip);
  });

  test("main.py, the author's own script, runs through levrt.run (its 127.0.0.1 is the scanner's own container)", async () => {
    const r = await h.run(NMAP, "main.py", {});
    assert.equal(r.status, "succeeded", logText(r));
    assert.equal(r.tasks.length, 3);
  });

  test("hello: every mode and workflow", async () => {
    const hello = await h.run(HELLO, "greet.hello", { name: "Ada" });
    assert.equal(hello.status, "succeeded", logText(hello));
    assert.equal((await docsOf("levhub/hello.hello", hello.job))[0].greeting, "hello, Ada");
    assert.match(logText(hello, 1), /hello, Ada/);

    const hi = await h.run(HELLO, "hi", { name: "Grace", times: 2 });
    assert.equal(hi.status, "succeeded", logText(hi));
    assert.deepEqual((await docsOf("levhub/hello.hi@1.0", hi.job))[0].lines, ["hi Grace (1/2)", "hi Grace (2/2)"]);

    const bad = await h.run(HELLO, "greet.hi", { name: "Grace", times: 0 });
    assert.equal(bad.status, "failed");
    assert.match(bad.error?.message ?? "", /times must be between 1 and 100/);

    const motd = await h.run(HELLO, "greet.motd", { signature: "sig" });
    assert.equal(motd.status, "succeeded", logText(motd));
    const [m] = await docsOf("levhub/hello.motd", motd.job);
    assert.match(m.motd as string, /^Greetings are stored/);
    assert.equal(m.signature, "sig");
    assert.equal(m.lang, "en");

    const sleep = await h.run(HELLO, "greet.sleep", { seconds: 1 });
    assert.equal(sleep.status, "succeeded", logText(sleep));
    assert.equal((await docsOf("levhub/hello.sleep", sleep.job))[0].done, true);

    const all = await h.run(HELLO, "greet_all", { names: ["Ada", "Grace", "Linus"] });
    assert.equal(all.status, "succeeded", logText(all));
    assert.equal((await docsOf("party|levhub/hello.hello", all.job)).length, 3);
    assert.equal((await docsOf("levhub/hello.greet_all", all.job))[0].count, 3);

    const nap = await h.run(HELLO, "nap", { seconds: 1 });
    assert.equal(nap.status, "succeeded", logText(nap));
    assert.equal(nap.tasks.length, 2);
  });

  test("after the examples no labelled container or network remains", async () => {
    assert.deepEqual(await allManaged(), []);
  });
});
