import assert from "node:assert/strict";
import { test } from "node:test";
import { asksBeyond, builderOf, canonicalCr, decideGrant, insidePackage, modeImages, refusedUnder, taskFromRebuilt, withoutPrivileges, type ModeClaim } from "./package-grant.ts";
import { restrictedPolicy, type ModeGrant, type RunPolicy } from "./policy.ts";
import { crSpecSchema, type CrSpec } from "../channel/spec.ts";

const PY = "levhub/python:bookworm";
const NMAP = "levhub/nmap:bookworm";
const PING = "lev.joe.scan.tools.ping";
const ping: ModeGrant = { network: "bridge", caps: ["NET_RAW"], images: [NMAP, ".joe.scan"] };
const images = { refs: { ".joe.scan": "sha256:joe", ".eve.own": "sha256:eve", ".bob.other": "sha256:bob" }, base: [PY, NMAP], any: false, pull: ["docker.io"], aliases: { "alpine:3": PY } };
/** the run of eve.own (no grant of its own) imports joe.scan, whose mode tools.ping is granted */
const run: RunPolicy = {
  ...restrictedPolicy(images),
  packages: { "joe.scan": { modes: { [PING]: ping } }, "eve.own": { modes: { "lev.eve.own.m.wide": { network: "host", caps: [], images: [PY] } } } },
  uncovered: ["lev.eve.own.m.raw"],
};
const OWN = "eve.own";
const entry = (module = "lev.joe.scan.tools", over: Record<string, unknown> = {}, path: string[] = []) => ({
  builder: { module, qualname: "ping", args: ["10.0.0.1"], kwargs: {}, ...over },
  path,
});
const cr = (over: Record<string, unknown> = {}): CrSpec =>
  crSpecSchema.parse({ image: NMAP, schema: "joe/scan.ping", host: true, package: "joe.scan", entry: entry(), ...over });

test("builderOf: the mode that returned the Cr, never a module-level entry, a service's entry or a dotted name", () => {
  assert.equal(builderOf(cr()), PING);
  assert.equal(builderOf(cr({ entry: null })), null, "no entry: no builder");
  assert.equal(builderOf(cr({ entry: entry(undefined, { direct: true }) })), null, "a module-level entry");
  assert.equal(builderOf(cr({ entry: entry(undefined, {}, ["services", "db"]) })), null, "the entry of a service");
  assert.equal(builderOf(cr({ entry: entry(undefined, { qualname: "Helper.ping" }) })), null, "a class attribute");
  assert.equal(builderOf(cr({ entry: entry(undefined, { qualname: "ping.__wrapped__" }) })), null, "an attribute chain");
});

test("insidePackage: the package's modules, not a prefix of its name", () => {
  assert.equal(insidePackage("lev.joe.scan.tools.ping", "joe.scan"), true);
  assert.equal(insidePackage("lev.joe.scan.ping", "joe.scan"), true);
  assert.equal(insidePackage("lev.joe.scanner.ping", "joe.scan"), false);
  assert.equal(insidePackage("lev.eve.own.ping", "joe.scan"), false);
  assert.equal(insidePackage("levrt.Cr", "joe.scan"), false);
});

test("refusedUnder: host=True without a network, a capability not granted, a service's", () => {
  const none = restrictedPolicy(images);
  assert.equal(refusedUnder(cr(), none), true);
  assert.equal(refusedUnder(cr(), { ...none, network: "bridge" }), false, "host=True without NET_RAW runs unprivileged");
  assert.equal(refusedUnder(cr({ host: false, caps: ["NET_RAW"] }), { ...none, network: "bridge" }), true);
  assert.equal(refusedUnder(cr({ host: false, caps: ["NET_RAW"] }), { ...none, caps: ["NET_RAW"] }), false);
  assert.equal(refusedUnder(cr({ host: false, services: { s: { image: PY, schema: "s", host: true } } }), none), true);
  assert.equal(refusedUnder(cr({ host: false }), none), false);
});

test("asksBeyond: another network for host=True, NET_RAW with it, a capability, or a service's", () => {
  const none = restrictedPolicy(images);
  assert.equal(asksBeyond(cr(), none, ping), true, "host=True: the run gives no network");
  assert.equal(asksBeyond(cr({ host: false }), none, ping), false, "nothing asked");
  assert.equal(asksBeyond(cr({ host: false, caps: ["NET_RAW"] }), none, ping), true, "a capability the grant has");
  assert.equal(asksBeyond(cr({ host: false, caps: ["NET_ADMIN"] }), none, ping), false, "a capability the grant lacks too: no use asking");
  assert.equal(asksBeyond(cr({ host: false, services: { s: { image: PY, schema: "s", host: true } } }), none, ping), true, "a service's host=True");
  assert.equal(asksBeyond(cr(), { ...none, network: "bridge", caps: ["NET_RAW"] }, ping), false, "the run gives the same");
  assert.equal(asksBeyond(cr(), { ...none, network: "bridge" }, ping), true, "NET_RAW taken with host=True");
  assert.equal(asksBeyond(cr(), { ...none, network: "host", caps: ["NET_RAW"] }, ping), true, "another network");
  const lan = { network: "macvlan" as const, macvlan: { parent: "eth1", subnet: "10.0.0.0/24" }, caps: [], images: [] };
  assert.equal(asksBeyond(cr(), { ...none, network: "macvlan", macvlan: { parent: "eth2", subnet: "10.0.0.0/24" } }, lan), true, "another segment");
  assert.equal(asksBeyond(cr(), { ...none, network: "macvlan", macvlan: { parent: "eth1", subnet: "10.0.0.0/24" } }, lan), false, "the same segment");
  assert.equal(asksBeyond(cr(), none, { network: "none", caps: [] }), false, "a grant of nothing");
});

test("decideGrant: a Cr asking for more than the run's grant names a covered mode of its package, or gets the run's grant", () => {
  assert.deepEqual(decideGrant(cr(), run, OWN), { kind: "mode", claim: { package: "joe.scan", builder: PING, grant: ping } });
  assert.equal(decideGrant(cr({ package: "Joe.Scan" }), run, OWN).kind, "mode", "package names compare lower-case");
  const runOnly = (c: CrSpec, policy = run) => {
    const d = decideGrant(c, policy, OWN);
    assert.equal(d.kind, "run", JSON.stringify(c.entry));
    return d as { kind: "run"; policy: RunPolicy; why?: string };
  };
  // the forged builders of the issue: anything P's module holds that is not one of its covered modes
  for (const [qualname, module] of [
    ["Cr", "lev.joe.scan"],
    ["Cr", "lev.joe.scan.tools"],
    ["Path", "lev.joe.scan.tools"],
    ["raw", "lev.joe.scan.tools"],
    ["ping", "lev.joe.scan"],
    ["ping", "lev.joe.scanner.tools"],
  ]) {
    const d = runOnly(cr({ entry: entry(module, { qualname }) }));
    assert.equal(d.policy, run, "the run's grant, unchanged");
    assert.match(d.why ?? "", /which no grant of joe\.scan covers: it gets this run's grant only/);
  }
  assert.match(runOnly(cr({ entry: null })).why ?? "", /names no mode/, "no entry: no mode named");
  assert.match(runOnly(cr({ entry: entry(undefined, { direct: true }) })).why ?? "", /names no mode/);
  assert.match(runOnly(cr({ entry: entry(undefined, { qualname: "Tool.ping" }) })).why ?? "", /names no mode/);
  assert.equal(runOnly(cr({ package: "bob.other" })).why, undefined, "a package with no covered mode: nothing to say");
  assert.equal(runOnly(cr({ package: "__proto__.constructor" })).policy, run, "no prototype keys");
  assert.equal(runOnly(cr({ entry: entry(undefined, { qualname: "Cr" }), host: false, env: ["A=1"] })).why, undefined, "said only where a refusal follows");
  assert.equal(runOnly(cr(), { ...run, packages: undefined }).policy.network, "none");
  assert.equal(runOnly(cr({ host: false })).why, undefined, "asks for nothing beyond the run's grant: no planner");
  assert.equal(decideGrant(cr({ host: false, caps: ["NET_RAW"] }), run, OWN).kind, "mode", "a capability");
  // a module P listed for another package is not P's: the key must lie inside the claimed package
  const crossed: RunPolicy = { ...run, packages: { "joe.scan": { modes: { "lev.eve.own.x.ping": ping } } } };
  assert.equal(runOnly(cr({ entry: entry("lev.eve.own.x") }), crossed).policy, crossed);
});

test("decideGrant: the run's own modes — an uncovered one (raw) gets nothing, a wider one the planner", () => {
  const granted: RunPolicy = { ...run, network: "bridge", caps: ["NET_RAW"] };
  const own = (qualname: string, over: Record<string, unknown> = {}) => cr({ package: null, entry: entry("lev.eve.own.m", { qualname }), ...over });
  const raw = decideGrant(own("raw"), granted, OWN);
  assert.equal(raw.kind, "run");
  assert.deepEqual({ network: (raw as { policy: RunPolicy }).policy.network, caps: (raw as { policy: RunPolicy }).policy.caps }, { network: "none", caps: [] });
  assert.match((raw as { why?: string }).why ?? "", /lev\.eve\.own\.m\.raw\(\) is a mode of this package that no grant covers/);
  assert.equal(decideGrant(own("raw", { host: false }), granted, OWN).kind, "run", "even asking nothing it runs without privileges");
  assert.deepEqual(decideGrant(own("plain"), granted, OWN), { kind: "run", policy: granted }, "a covered function's Cr: the run's grant");
  assert.deepEqual(decideGrant(own("wide"), granted, OWN), { kind: "mode", claim: { package: OWN, builder: "lev.eve.own.m.wide", grant: run.packages![OWN].modes["lev.eve.own.m.wide"] } });
  // an uncovered builder of a dependency is not the run's concern: the list names own modes only
  assert.equal(decideGrant(cr({ entry: entry("lev.eve.own.m", { qualname: "raw" }) }), granted, OWN).kind, "run");
  assert.deepEqual(withoutPrivileges({ ...granted, network: "macvlan", macvlan: { parent: "eth1", subnet: "10.0.0.0/24" } }).macvlan, undefined);
});

test("modeImages: the package's own pinned build, base images and aliases; never another package's, never a pull", () => {
  assert.deepEqual(modeImages(images, "joe.scan"), { refs: { ".joe.scan": "sha256:joe" }, base: [PY, NMAP], any: false, aliases: { "alpine:3": PY } });
  assert.deepEqual(modeImages({ refs: {}, base: [], any: true }, "joe.scan"), { refs: {}, base: [], any: false });
});

test("taskFromRebuilt: the planner's Cr runs under the mode's grant — when it is the claimed one, names the mode, and uses listed images", () => {
  const claimed = cr();
  const claim = (decideGrant(claimed, run, OWN) as { claim: ModeClaim }).claim;
  const honest = { ...claimed, package: null };
  const ok = taskFromRebuilt(claimed, run, claim, OWN, honest);
  assert.ok(ok.ok);
  assert.equal(ok.cr.package, "joe.scan", "it runs as the dependency's Cr (its files come from there)");
  assert.equal(ok.policy.network, "bridge");
  assert.deepEqual(ok.policy.caps, ["NET_RAW"]);
  assert.deepEqual(ok.policy.images, modeImages(images, "joe.scan"));
  assert.equal(ok.policy.limits, run.limits);
  // a reordered JSON object is the same Cr
  assert.ok(taskFromRebuilt(claimed, run, claim, OWN, JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(honest).reverse())))).ok);
  const refused = (c: CrSpec, rebuilt: CrSpec | null = honest) => {
    const t = taskFromRebuilt(c, run, claim, OWN, rebuilt);
    assert.equal(t.ok, false, canonicalCr(c));
    return (t as { why: string }).why;
  };
  assert.match(refused(claimed, null), /the planner could not build the Cr of lev\.joe\.scan\.tools\.ping\(\)/);
  assert.match(refused(claimed, { ...honest, package: "joe.scan" }), /is not the one/, "in the rebuilt Cr P's own Crs say null");
  for (const forged of [
    cr({ env: ["LD_PRELOAD=/tmp/evil.so"] }),
    cr({ cmd: ["sh", "-c", "id"] }),
    cr({ files: { "/usr/lib/python3/sitecustomize.py": { b64: "aW1wb3J0IG9z" } } }),
    cr({ image: PY }),
    cr({ caps: ["NET_RAW"] }),
    cr({ services: { db: { image: PY, schema: "s" } } }),
  ]) {
    assert.match(refused(forged), /the Cr is not the one lev\.joe\.scan\.tools\.ping\(\) builds/);
  }
  assert.match(refused(claimed, { ...honest, entry: entry(undefined, { qualname: "other" }) }), /has another entry/);
  // the mode's code, called with the claim's arguments, chose an image its manifest does not list
  const byArgs = { ...honest, image: ".eve.own" };
  assert.match(refused({ ...claimed, image: ".eve.own" }, byArgs), /image '\.eve\.own' is not one the manifest of lev\.joe\.scan\.tools\.ping\(\) lists \(levhub\/nmap:bookworm, \.joe\.scan\)/);
  const svc = { ...honest, services: { db: crSpecSchema.parse({ image: "attacker/db", schema: "s" }) } };
  assert.match(refused({ ...claimed, services: { db: crSpecSchema.parse({ image: "attacker/db", schema: "s", package: "joe.scan" }) } }, svc), /image 'attacker\/db'/, "a service's image too");
});

test("taskFromRebuilt: packages compare by meaning, and the run's own mode keeps null", () => {
  const svc = (pkg: string | null) => ({ image: NMAP, schema: "s", package: pkg, files: { "/etc/x": { path: "data/x" } } });
  const claimed = cr({ services: { db: svc("joe.scan") } });
  const claim = (decideGrant(claimed, run, OWN) as { claim: ModeClaim }).claim;
  const rebuilt = { ...cr({ services: { db: svc(null) } }), package: null };
  const ok = taskFromRebuilt(claimed, run, claim, OWN, rebuilt);
  assert.ok(ok.ok, "built by P: the same");
  assert.equal(ok.cr.services.db.package, "joe.scan");
  assert.equal(taskFromRebuilt(cr({ services: { db: svc(null) } }), run, claim, OWN, rebuilt).ok, false, "claimed from the run's package");
  assert.equal(taskFromRebuilt(cr({ services: { db: svc("bob.other") } }), run, claim, OWN, rebuilt).ok, false, "claimed from another package");
  const viaOther = { ...cr({ services: { db: svc("joe.lib") } }), package: null };
  assert.ok(taskFromRebuilt(cr({ services: { db: svc("joe.lib") } }), run, claim, OWN, viaOther).ok, "P's service built by its own dependency");

  const wide = run.packages![OWN].modes["lev.eve.own.m.wide"];
  const mine = cr({ package: null, image: PY, entry: entry("lev.eve.own.m", { qualname: "wide" }) });
  const own = taskFromRebuilt(mine, run, { package: OWN, builder: "lev.eve.own.m.wide", grant: wide }, OWN, { ...mine });
  assert.ok(own.ok);
  assert.equal(own.cr.package, null, "the run's own package stays null");
  assert.equal(own.policy.network, "host");
});

test("canonical form: sorted keys, entry dropped at the top only", () => {
  const svc = { image: PY, schema: "s", package: "joe.scan", entry: entry() };
  const a = canonicalCr(cr({ services: { db: svc } }));
  const b = canonicalCr({ ...cr({ services: { db: { ...svc } } }), entry: null });
  assert.equal(a, b);
  assert.notEqual(a, canonicalCr(cr({ services: { db: { ...svc, entry: entry("lev.joe.scan", { args: ["10.0.0.2"] }) } } })));
});
