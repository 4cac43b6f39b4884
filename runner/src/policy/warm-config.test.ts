import assert from "node:assert/strict";
import { test } from "node:test";
import { workflowContainerConfig, type RunFacts } from "./container-config.ts";
import { runFacts } from "./test-facts.ts";
import { LABEL } from "../engine/labels.ts";
import type { ContainerSpec } from "../engine/engine.ts";
import { restrictedPolicy, type RunPolicy } from "./policy.ts";
import { WARM_ENTRYPOINT, warmCallEnv, warmContainerConfig, warmDependencyDirs, warmKey, warmPackageDir, type WarmSlot } from "./warm-config.ts";

const PY = "levhub/python:bookworm";
const policy = restrictedPolicy({ refs: {}, base: [PY], any: false });
const run = runFacts;
const cold = (p: RunPolicy = policy, facts: RunFacts = run(), args: Record<string, unknown> = { a: 1 }) =>
  workflowContainerConfig(p, facts, { chanDir: `/runs/${facts.runId}/chan`, function: "scan", args });
const slot: WarmSlot = { id: "s1", instance: "host:1:abc", ctlDir: "/w/s1/ctl", pkgDir: "/w/s1/pkg", depsDir: "/w/s1/deps", chanDir: "/w/s1/chan" };
const dep = { namespace: "levdep", name: "net", version: "1.0.0", dir: "/pkgs/levdep.net" };

/** every field that confines a container */
const confinement = (s: ContainerSpec) => ({
  image: s.image,
  user: s.user,
  workingDir: s.workingDir,
  tmpfs: s.tmpfs,
  readOnlyRoot: s.readOnlyRoot,
  network: s.network,
  aliases: s.aliases,
  links: s.links,
  extraHosts: s.extraHosts,
  dns: s.dns,
  capAdd: s.capAdd,
  limits: s.limits,
  logMaxBytes: s.logMaxBytes,
  init: s.init,
});

test("a warm container is confined exactly as the cold workflow container it stands in for", () => {
  const c = cold();
  const w = warmContainerConfig(c, slot);
  assert.deepEqual(confinement(w), confinement(c));
  assert.deepEqual(w.entrypoint, WARM_ENTRYPOINT);
  assert.equal(w.labels[LABEL.role], "warm");
  assert.equal(w.labels[LABEL.instance], "host:1:abc");
  assert.equal(w.labels[LABEL.managed], "1");
  assert.equal(w.labels[LABEL.owner], undefined, "it is nobody's until a run leases it");
  assert.deepEqual(w.binds, ["/rt:/lev/rt:ro", "/w/s1/pkg:/lev/pkg:ro", "/w/s1/chan:/lev/chan:ro", "/w/s1/deps:/lev/deps:ro", "/w/s1/ctl:/lev/ctl:ro"], "only the runtime and its own slot, read-only");
  // nothing of a run is in it before a lease: no package, job or call, the runtime alone on the path
  assert.ok(!w.env.some((e) => /^(LEV_JOB|LEV_PACKAGE|LEV_CALL)=/.test(e)), w.env.join(" "));
  assert.ok(w.env.includes("PYTHONPATH=/lev/rt"));
  assert.deepEqual(
    w.env.filter((e) => !e.startsWith("PYTHONPATH=")).sort(),
    c.env.filter((e) => !/^(PYTHONPATH|LEV_JOB|LEV_PACKAGE|LEV_CALL)=/.test(e)).sort(),
  );
});

test("the run's part of the environment is what the cold container would have had", () => {
  const c = cold(policy, run({ deps: [dep] }), { target: "127.0.0.1" });
  assert.deepEqual(warmCallEnv(c), {
    PYTHONPATH: "/lev/rt:/lev/pkg:/lev/deps/levdep.net",
    LEV_JOB: "7",
    LEV_PACKAGE: "lev.alice.scanner",
    LEV_CALL: JSON.stringify({ function: "scan", args: { target: "127.0.0.1" } }),
  });
  assert.equal(warmPackageDir(c), "/pkgs/alice.scanner");
  assert.deepEqual(warmDependencyDirs(c), [{ name: "levdep.net", host: "/pkgs/levdep.net" }]);
});

test("runs that differ only in package, arguments, job or dependencies share a key; limits, image or runtime do not", () => {
  const k = warmKey(cold());
  assert.ok(k);
  assert.equal(warmKey(cold(policy, run({ runId: "r2", job: 8, pkgModule: "lev.bob.other", pkgDir: "/pkgs/bob.other", deps: [dep] }), { b: 2 })), k);
  const bigger = { ...policy, limits: { ...policy.limits, workflow: { ...policy.limits.workflow, memoryBytes: policy.limits.workflow.memoryBytes * 2 } } };
  assert.notEqual(warmKey(cold(bigger)), k);
  assert.notEqual(warmKey(cold(policy, run({ workflowImage: "levhub/nmap:bookworm" }))), k);
  assert.notEqual(warmKey(cold(policy, run({ runtimeDir: "/other-rt" }))), k);
  const logs = { ...policy, limits: { ...policy.limits, dockerLogBytes: policy.limits.dockerLogBytes + 1 } };
  assert.notEqual(warmKey(cold(logs)), k);
});

test("a cold container a warm one cannot stand in for has no key", () => {
  const c = cold();
  const cases: [string, ContainerSpec][] = [
    ["another entrypoint", { ...c, entrypoint: ["sh"] }],
    ["a command", { ...c, cmd: ["x"] }],
    ["a network", { ...c, network: "bridge" }],
    ["links", { ...c, links: ["a:b"] }],
    ["aliases", { ...c, aliases: ["a"] }],
    ["extra hosts", { ...c, extraHosts: ["a:1.2.3.4"] }],
    ["a resolver", { ...c, dns: ["10.0.0.1"] }],
    ["a writable bind", { ...c, binds: [...c.binds, "/x:/lev/deps/x.y"] }],
    ["a bind elsewhere", { ...c, binds: [...c.binds, "/x:/etc/x:ro"] }],
    ["a nested dependency path", { ...c, binds: [...c.binds, "/x:/lev/deps/a/b:ro"] }],
    ["no runtime", { ...c, binds: c.binds.filter((b) => !b.includes(":/lev/rt:")) }],
  ];
  for (const [what, spec] of cases) assert.equal(warmKey(spec), null, what);
});
