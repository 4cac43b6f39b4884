import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultRunLimits } from "../../runner/src/policy/policy.ts";
import { covers, functionGrant, missingPrivileges, packageImageKey, runPolicy, type GrantedFunction, type GrantInput, type RunDependency, type RunPolicyInput } from "./run-policy.ts";

const settings = { baseImages: ["levhub/python:bookworm", "levhub/nmap:bookworm"], run: defaultRunLimits() };
const NMAP = "levhub/nmap:bookworm";

const fn = (qualified: string, over: Partial<GrantedFunction> = {}): GrantedFunction => {
  const name = qualified.split(".").at(-1)!;
  const tool = qualified.includes(".") ? `.${qualified.split(".")[0]}` : "";
  return {
    name,
    qualified,
    module: `lev.alice.tool${tool}`,
    kind: "mode",
    params: [{ name: name === "raw" ? "argv" : "ip", type: "str", required: true, default: null, desc: null, holder: null }],
    privileges: { hostNetwork: true, caps: [], images: [NMAP], services: false, ports: [] },
    ...over,
  };
};
const ALIVE = fn("nmap.alive");
const RAW = fn("nmap.raw");
const SWEEP = fn("sweep", { kind: "workflow" });
const grant = (over: Partial<GrantInput> = {}): GrantInput => ({ packageId: null, network: "bridge", macvlan: null, caps: ["NET_RAW"], modes: [], ...over });

function input(over: Partial<RunPolicyInput> = {}): RunPolicyInput {
  return {
    packageId: "p1",
    package: { namespace: "alice", name: "tool" },
    function: ALIVE,
    functions: [ALIVE, RAW, SWEEP],
    grants: [],
    settings,
    ownImage: { namespace: "alice", name: "tool", imageId: null },
    visibleImages: [],
    ...over,
  };
}

test("no grant: no network, no capability, no image but the base images", () => {
  const p = runPolicy(input());
  assert.equal(p.network, "none");
  assert.deepEqual(p.caps, []);
  assert.deepEqual(p.images, { refs: {}, base: settings.baseImages, any: false });
  assert.deepEqual(p.limits, settings.run);
  assert.equal(p.uncovered, undefined);
  assert.equal(p.packages, undefined);
  assert.equal(p.hostNetworkOnHubMachine, undefined);
});

test("covers: the functions a grant names, else every one but raw command-line modes; its package's only", () => {
  assert.equal(covers(grant(), "p1", ALIVE), true);
  assert.equal(covers(grant(), "p1", SWEEP), true, "a workflow");
  assert.equal(covers(grant(), "p1", RAW), false, "raw: not covered unless named");
  assert.equal(covers(grant(), "p1", fn("tool.custom", { params: [{ name: "argv", type: "list[str]", required: true, default: null, desc: null, holder: null }] })), false, "annot.ARGV");
  assert.equal(covers(grant({ modes: ["nmap.raw"] }), "p1", RAW), true, "named");
  assert.equal(covers(grant({ modes: ["nmap.raw"] }), "p1", ALIVE), false, "a named list covers only those");
  assert.equal(covers(grant({ packageId: "p1" }), "p1", ALIVE), true);
  assert.equal(covers(grant({ packageId: "p2" }), "p1", ALIVE), false, "another package's grant");
});

test("functionGrant: the union of the covering grants — every capability, the widest network — failing closed on bad rows", () => {
  assert.deepEqual(functionGrant([], "p1", ALIVE), { network: "none", caps: [] });
  assert.deepEqual(
    functionGrant([grant({ network: "none", caps: ["NET_BIND_SERVICE", "NET_RAW"] }), grant({ packageId: "p1", network: "host", caps: ["NET_RAW", "NET_ADMIN"] })], "p1", ALIVE),
    { network: "host", caps: ["NET_RAW", "NET_ADMIN", "NET_BIND_SERVICE"] },
  );
  assert.equal(functionGrant([grant({ network: "bridge" }), grant({ network: "host", modes: ["nmap.raw"] })], "p1", ALIVE).network, "bridge", "a grant that does not cover it adds nothing");
  assert.deepEqual(functionGrant([grant({ caps: ["SYS_ADMIN", "ALL", "net_raw", "NET_RAW"] })], "p1", ALIVE).caps, ["NET_RAW"], "only GRANTABLE_CAPS pass");
  assert.equal(functionGrant([grant({ network: "everything" })], "p1", ALIVE).network, "none", "an unknown network gives none");
  const lan = { parent: "eth1", subnet: "192.168.1.0/24" };
  assert.deepEqual(functionGrant([grant({ network: "macvlan", macvlan: lan })], "p1", ALIVE), { network: "macvlan", macvlan: lan, caps: ["NET_RAW"] });
  assert.equal(functionGrant([grant({ network: "macvlan", macvlan: { parent: "eth1; reboot", subnet: "x" } })], "p1", ALIVE).network, "none", "a segment that does not parse");
  assert.equal(functionGrant([grant({ network: "macvlan", macvlan: lan }), grant({ network: "host" })], "p1", ALIVE).network, "host", "the widest reach");
  const other = { parent: "eth2", subnet: "10.0.0.0/24" };
  assert.deepEqual(functionGrant([grant({ network: "macvlan", macvlan: other }), grant({ packageId: "p1", network: "macvlan", macvlan: lan })], "p1", ALIVE).macvlan, lan, "the package's own segment first");
});

test("the run's grant is what covers the function being run: raw is refused unless named", () => {
  const grants = [grant()];
  assert.deepEqual([runPolicy(input({ grants })).network, runPolicy(input({ grants })).caps], ["bridge", ["NET_RAW"]]);
  assert.equal(runPolicy(input({ grants, function: SWEEP })).network, "bridge", "a workflow of the package");
  const raw = runPolicy(input({ grants, function: RAW }));
  assert.deepEqual([raw.network, raw.caps], ["none", []]);
  assert.equal(runPolicy(input({ grants: [grant({ modes: ["nmap.raw"] })], function: RAW })).network, "bridge", "named by the admin");
  assert.equal(runPolicy(input({ grants: [grant({ packageId: "p9" })] })).network, "none", "another package's grant");
  assert.equal(runPolicy(input({ grants, settings: { ...settings, hostNetworkOnHubMachine: true } })).hostNetworkOnHubMachine, true, "the admin's unsafe setting travels with the run");
});

test("uncovered: the run's own modes no grant covers, listed when the run is granted anything", () => {
  assert.deepEqual(runPolicy(input({ grants: [grant()], function: SWEEP })).uncovered, ["lev.alice.tool.nmap.raw"]);
  assert.equal(runPolicy(input({ grants: [grant({ modes: ["sweep", "nmap.alive", "nmap.raw"] })], function: SWEEP })).uncovered, undefined);
  assert.equal(runPolicy(input({ grants: [], function: SWEEP })).uncovered, undefined, "nothing granted: nothing to take away");
  const imported = fn("nmap.borrowed", { module: "lev.joe.lib" });
  assert.equal(runPolicy(input({ grants: [grant()], functions: [ALIVE, imported] })).uncovered, undefined, "a function imported from elsewhere is not the package's mode");
});

test("the run's own modes granted more than its function travel as mode grants (the planner builds them)", () => {
  const p = runPolicy(input({ grants: [grant({ modes: ["sweep"], network: "bridge", caps: [] }), grant({ packageId: "p1", modes: ["nmap.raw"], network: "host" })], function: SWEEP }));
  assert.deepEqual([p.network, p.caps], ["bridge", []]);
  assert.deepEqual(p.packages, { "alice.tool": { modes: { "lev.alice.tool.nmap.raw": { network: "host", caps: ["NET_RAW"], images: [NMAP] } } } });
  assert.deepEqual(p.uncovered, ["lev.alice.tool.nmap.alive"]);
  assert.equal(runPolicy(input({ grants: [grant()] })).packages, undefined, "a mode granted the same as the function: nothing to pass on");
});

const depFns = (ns: string, name: string) => [
  fn("scan.ping", { module: `lev.${ns}.${name}.scan`, privileges: { hostNetwork: true, caps: [], images: [NMAP, `.${ns}.${name}`, NMAP], services: false, ports: [] } }),
  fn("scan.raw", { module: `lev.${ns}.${name}.scan` }),
  fn("scan.copied", { module: "lev.eve.evil.scan" }),
  fn("flow", { module: `lev.${ns}.${name}`, kind: "workflow" }),
  fn("scan.bare", { module: `lev.${ns}.${name}.scan`, privileges: undefined }),
];
const dep = (over: Partial<RunDependency> = {}): RunDependency => ({
  namespace: "bob",
  name: "tool",
  packageId: "p2",
  imageId: "sha256:pinned",
  grants: [],
  functions: depFns("bob", "tool"),
  ...over,
});

test("dependencies: only their covered modes defined in the package itself, each with the images its manifest lists", () => {
  const p = runPolicy(
    input({
      grants: [grant({ network: "host", caps: ["NET_ADMIN"] })],
      dependencies: [
        dep({ grants: [grant(), grant({ packageId: "p9", caps: ["NET_ADMIN"] })] }),
        dep({ namespace: "Carol", name: "Scan", packageId: "p3", functions: depFns("carol", "scan"), grants: [grant({ packageId: "p3", network: "none", caps: ["NET_RAW", "BOGUS"], modes: ["scan.ping", "scan.raw", "flow"] })] }),
        dep({ namespace: "dave", name: "none", packageId: "p4", functions: depFns("dave", "none") }),
      ],
    }),
  );
  assert.deepEqual(p.packages, {
    "bob.tool": {
      modes: {
        "lev.bob.tool.scan.ping": { network: "bridge", caps: ["NET_RAW"], images: [".bob.tool", NMAP] },
        "lev.bob.tool.scan.bare": { network: "bridge", caps: ["NET_RAW"], images: [] },
      },
    },
    "carol.scan": {
      modes: {
        "lev.carol.scan.scan.ping": { network: "none", caps: ["NET_RAW"], images: [".carol.scan", NMAP] },
        "lev.carol.scan.scan.raw": { network: "none", caps: ["NET_RAW"], images: [NMAP] },
      },
    },
  });
  assert.deepEqual([p.network, p.caps], ["host", ["NET_ADMIN"]], "the run's own grant is unchanged");
  assert.equal(runPolicy(input()).packages, undefined, "no dependencies: no mode grants");
});

test("images: visible packages map to their image, the own version's image wins over the latest", () => {
  const p = runPolicy(
    input({
      ownImage: { namespace: "Alice", name: "Tool", imageId: "sha256:own-version" },
      visibleImages: [
        { namespace: "alice", name: "tool", imageId: "sha256:latest" },
        { namespace: "Bob", name: "Public", imageId: "sha256:bob" },
      ],
    }),
  );
  assert.deepEqual(p.images.refs, { ".alice.tool": "sha256:own-version", ".bob.public": "sha256:bob" });
  assert.equal(p.images.any, false);
});

test("images: a version without its own image keeps the package's latest visible image", () => {
  const p = runPolicy(input({ visibleImages: [{ namespace: "alice", name: "tool", imageId: "sha256:latest" }] }));
  assert.deepEqual(p.images.refs, { ".alice.tool": "sha256:latest" });
});

test("images: a package that is not listed as visible is absent (private and missing read the same)", () => {
  const p = runPolicy(input({ visibleImages: [{ namespace: "bob", name: "public", imageId: "sha256:bob" }] }));
  assert.equal(p.images.refs[".bob.secret"], undefined);
  assert.equal(p.images.refs[".nobody.nothing"], undefined);
  assert.equal(Object.keys(p.images.refs).some((k) => k.startsWith("levpkg/")), false);
});

test("base images are deduplicated; limits are a copy, not the settings object", () => {
  const p = runPolicy(input({ settings: { ...settings, baseImages: ["a", "a", "b"] } }));
  assert.deepEqual(p.images.base, ["a", "b"]);
  p.limits.tool.pids = 1;
  assert.notEqual(settings.run.tool.pids, 1);
});

test("packageImageKey is lower-case .ns.name", () => {
  assert.equal(packageImageKey("Szczecin", "Nmap_Python"), ".szczecin.nmap_python");
});

test("missingPrivileges: what the runner would refuse (host=True without NET_RAW runs unprivileged)", () => {
  assert.deepEqual(missingPrivileges({ hostNetwork: true, caps: [] }, { network: "none", caps: [] }), { hostNetwork: true, caps: [] });
  for (const network of ["bridge", "host", "macvlan"] as const) {
    assert.deepEqual(missingPrivileges({ hostNetwork: true, caps: [] }, { network, caps: [] }), { hostNetwork: false, caps: [] }, network);
  }
  assert.deepEqual(missingPrivileges({ hostNetwork: false, caps: ["NET_ADMIN", "NET_RAW"] }, { network: "bridge", caps: ["NET_RAW"] }), { hostNetwork: false, caps: ["NET_ADMIN"] });
  assert.deepEqual(missingPrivileges({ hostNetwork: false, caps: ["SYS_ADMIN"] }, { network: "none", caps: [] }), { hostNetwork: false, caps: ["SYS_ADMIN"] });
});

test("oversizedArgs names the field over its cap, and the total over the overall cap", async () => {
  const { oversizedArgs } = await import("./run-policy.ts");
  const caps = { fieldBytes: 100, totalBytes: 250 };
  assert.equal(oversizedArgs({ a: "x".repeat(50), b: 3 }, caps), null);
  const fields = (args: Record<string, unknown>) => {
    const r = oversizedArgs(args, caps);
    return r && "fields" in r ? r.fields : {};
  };
  const big = fields({ a: "x".repeat(2_000_000), b: 1 });
  assert.deepEqual(Object.keys(big), ["a"]);
  assert.match(big.a, /too large: 2000003 bytes, at most 100/);
  // multi-byte characters count as bytes, not characters
  assert.deepEqual(Object.keys(fields({ a: "é".repeat(60) })), ["a"]);
  // the total only when no field is over its own cap
  assert.deepEqual(oversizedArgs({ a: "x".repeat(90), b: "x".repeat(90), c: "x".repeat(90) }, caps), { total: "the arguments are too large: 279 bytes, at most 250 in all" });
  assert.deepEqual(Object.keys(fields({ a: "x".repeat(200), b: "x".repeat(90), c: "x".repeat(90) })), ["a"], "a field over its cap is said, not the total");
  // a parameter may be called `_`: it is a field like any other
  assert.deepEqual(Object.keys(fields({ _: "x".repeat(200) })), ["_"]);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.deepEqual(Object.keys(fields({ c: cyclic })), ["c"]);
});

test("dependencies: each one's pinned image wins over the visible latest; the run's own image wins over all", () => {
  const p = runPolicy(
    input({
      visibleImages: [{ namespace: "bob", name: "tool", imageId: "sha256:latest" }],
      dependencies: [dep(), dep({ namespace: "carol", name: "plain", packageId: "p3", imageId: null })],
    }),
  );
  assert.equal(p.images.refs[packageImageKey("bob", "tool")], "sha256:pinned");
  assert.equal(p.images.refs[packageImageKey("carol", "plain")], undefined, "no image: no reference");
  const own = runPolicy(input({ ownImage: { namespace: "bob", name: "tool", imageId: "sha256:own" }, dependencies: [dep()] }));
  assert.equal(own.images.refs[packageImageKey("bob", "tool")], "sha256:own");
});

test("aliases and pull registries come from the settings; empty ones are left out", () => {
  const p = runPolicy(input({ settings: { ...settings, imageAliases: { "alpine:latest": "levhub/python:bookworm" }, pullRegistries: ["127.0.0.1:5000", "127.0.0.1:5000"] } }));
  assert.deepEqual(p.images.aliases, { "alpine:latest": "levhub/python:bookworm" });
  assert.deepEqual(p.images.pull, ["127.0.0.1:5000"]);
  const none = runPolicy(input({ settings: { ...settings, imageAliases: {}, pullRegistries: [] } }));
  assert.deepEqual(none.images, { refs: {}, base: settings.baseImages, any: false });
});
