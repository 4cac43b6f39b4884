import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalCr, dependencyClaim, isWider, taskPolicy, withGrant } from "./package-grant.ts";
import { restrictedPolicy, type RunPolicy } from "./policy.ts";
import { crSpecSchema, type CrSpec } from "../channel/spec.ts";

const PY = "levhub/python:bookworm";
const run: RunPolicy = {
  ...restrictedPolicy({ refs: {}, base: [PY], any: false }),
  packages: { "joe.scan": { hostNetwork: true, caps: ["NET_RAW"] }, "joe.meek": { hostNetwork: false, caps: [] } },
};
const entry = (module = "lev.joe.scan", over: Record<string, unknown> = {}) => ({
  builder: { module, qualname: "ping", args: ["127.0.0.1"], kwargs: {}, ...over },
  path: [],
});
const cr = (over: Record<string, unknown> = {}): CrSpec =>
  crSpecSchema.parse({ image: PY, schema: "joe/scan.ping", host: true, package: "joe.scan", entry: entry(), ...over });

test("wider: host network or a capability the run lacks", () => {
  assert.equal(isWider({ hostNetwork: true, caps: [] }, run), true);
  assert.equal(isWider({ hostNetwork: false, caps: ["NET_ADMIN"] }, run), true);
  assert.equal(isWider({ hostNetwork: false, caps: [] }, run), false);
  assert.equal(isWider({ hostNetwork: true, caps: ["NET_RAW"] }, { ...run, hostNetwork: true, caps: ["NET_RAW"] }), false);
});

test("a claim is checked only for a dependency with a wider grant, a builder entry, and a builder module inside it", () => {
  assert.deepEqual(dependencyClaim(cr(), run), { package: "joe.scan", grant: { hostNetwork: true, caps: ["NET_RAW"] } });
  assert.deepEqual(dependencyClaim(cr({ package: "Joe.Scan" }), run)?.package, "joe.scan");
  assert.deepEqual(dependencyClaim(cr({ entry: entry("lev.joe.scan.modes") }), run)?.package, "joe.scan", "a submodule of P");
  assert.equal(dependencyClaim(cr({ package: null }), run), null, "the run's own package");
  assert.equal(dependencyClaim(cr({ package: "eve.x" }), run), null, "no grant for it");
  assert.equal(dependencyClaim(cr({ package: "joe.meek" }), run), null, "a grant no wider than the run's: no planner");
  assert.equal(dependencyClaim(cr(), { ...run, packages: undefined }), null);
  assert.equal(dependencyClaim(cr({ entry: null }), run), null, "no entry: nothing to rebuild");
  assert.equal(dependencyClaim(cr({ entry: entry("lev.joe.scan", { direct: true }) }), run), null, "a module-level entry has no builder");
  assert.equal(dependencyClaim(cr({ entry: entry("lev.joe.scanner") }), run), null, "a module outside P (a prefix is not enough)");
  assert.equal(dependencyClaim(cr({ entry: entry("lev.eve.x") }), run), null);
  assert.equal(dependencyClaim(cr({ package: "__proto__.constructor" }), run), null, "no prototype keys");
  assert.equal(dependencyClaim(cr({ host: false }), run), null, "asks for nothing beyond the run's grant: no planner");
  assert.equal(dependencyClaim(cr({ host: false, caps: ["NET_RAW"] }), run)?.package, "joe.scan", "a capability");
  assert.equal(dependencyClaim(cr({ host: false, services: { s: { image: PY, schema: "s", host: true } } }), run)?.package, "joe.scan", "a service's");
  const hostOnly = { ...run, hostNetwork: true };
  assert.equal(dependencyClaim(cr(), hostOnly)?.package, "joe.scan", "host=True takes P's NET_RAW");
});

test("a verified claim adds P's grant to the run's; the run keeps what it had", () => {
  const both = withGrant({ ...run, caps: ["NET_BIND_SERVICE"] }, { hostNetwork: true, caps: ["NET_RAW", "NET_BIND_SERVICE"] });
  assert.equal(both.hostNetwork, true);
  assert.deepEqual(both.caps, ["NET_BIND_SERVICE", "NET_RAW"]);
  assert.equal(withGrant({ ...run, hostNetwork: true }, { hostNetwork: false, caps: [] }).hostNetwork, true);
});

test("P's grant only when the rebuilt Cr equals the claimed one in every field but entry and package", () => {
  const claimed = cr();
  const claim = dependencyClaim(claimed, run);
  const honest = { ...claimed, package: null, entry: null };
  assert.equal(taskPolicy(claimed, run, claim, { ...honest, package: "joe.scan" }), run, "the rebuilt Cr names P's own Crs null");
  assert.equal(taskPolicy(claimed, run, claim, honest).hostNetwork, true);
  // a reordered JSON object is the same Cr
  assert.equal(taskPolicy(claimed, run, claim, JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(honest).reverse())))).hostNetwork, true);
  for (const forged of [
    cr({ env: ["LD_PRELOAD=/tmp/evil.so"] }),
    cr({ cmd: ["sh", "-c", "id"] }),
    cr({ files: { "/usr/lib/python3/sitecustomize.py": { b64: "aW1wb3J0IG9z" } } }),
    cr({ image: "levhub/nmap:bookworm" }),
    cr({ caps: ["NET_RAW"] }),
    cr({ services: { db: { image: PY, schema: "s" } } }),
  ]) {
    assert.equal(taskPolicy(forged, run, claim, honest), run, `forged ${canonicalCr(forged)}`);
  }
  assert.equal(taskPolicy(claimed, run, claim, null), run, "not rebuilt: the run's grant");
  assert.equal(taskPolicy(claimed, run, null, honest), run, "no claim: the run's grant");
});

test("packages compare by meaning: a service moved to the run's package (its files from there) is a forgery", () => {
  const svc = (pkg: string | null) => ({ image: PY, schema: "s", package: pkg, files: { "/etc/x": { path: "data/x" } } });
  const claimed = cr({ services: { db: svc("joe.scan") } });
  const claim = dependencyClaim(claimed, run);
  const rebuilt = { ...cr({ services: { db: svc(null) } }), package: null };
  assert.equal(taskPolicy(claimed, run, claim, rebuilt).hostNetwork, true, "built by P: the same");
  assert.equal(taskPolicy(cr({ services: { db: svc(null) } }), run, claim, rebuilt), run, "claimed from the run's package");
  assert.equal(taskPolicy(cr({ services: { db: svc("eve.x") } }), run, claim, rebuilt), run, "claimed from another package");
  const viaOther = { ...cr({ services: { db: svc("joe.lib") } }), package: null };
  assert.equal(taskPolicy(cr({ services: { db: svc("joe.lib") } }), run, claim, viaOther).hostNetwork, true, "P's service built by its own dependency");
});

test("canonical form: sorted keys, entry dropped at the top only", () => {
  const svc = { image: PY, schema: "s", package: "joe.scan", entry: entry() };
  const a = canonicalCr(cr({ services: { db: svc } }));
  const b = canonicalCr({ ...cr({ services: { db: { ...svc } } }), entry: null });
  assert.equal(a, b);
  assert.notEqual(a, canonicalCr(cr({ services: { db: { ...svc, entry: entry("lev.joe.scan", { args: ["10.0.0.1"] }) } } })));
});
