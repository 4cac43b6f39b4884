import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultRunLimits } from "../../runner/src/policy/policy.ts";
import { missingPrivileges, packageImageKey, runPolicy, type RunPolicyInput } from "./run-policy.ts";

const settings = { baseImages: ["levhub/python:bookworm", "levhub/nmap:bookworm"], run: defaultRunLimits() };

function input(over: Partial<RunPolicyInput> = {}): RunPolicyInput {
  return {
    packageId: "p1",
    grants: [],
    settings,
    ownImage: { namespace: "alice", name: "tool", imageId: null },
    visibleImages: [],
    ...over,
  };
}

test("no grant: no host network, no capability, no image but the base images", () => {
  const p = runPolicy(input());
  assert.equal(p.hostNetwork, false);
  assert.deepEqual(p.caps, []);
  assert.deepEqual(p.images, { refs: {}, base: settings.baseImages, any: false });
  assert.deepEqual(p.limits, settings.run);
});

test("a namespace-wide grant applies to every package of the namespace", () => {
  const p = runPolicy(input({ grants: [{ packageId: null, hostNetwork: true, caps: ["NET_RAW"] }] }));
  assert.equal(p.hostNetwork, true);
  assert.deepEqual(p.caps, ["NET_RAW"]);
});

test("a package grant applies to that package only; grants of other packages are ignored", () => {
  const own = runPolicy(input({ grants: [{ packageId: "p1", hostNetwork: false, caps: ["NET_ADMIN"] }] }));
  assert.deepEqual([own.hostNetwork, own.caps], [false, ["NET_ADMIN"]]);
  const other = runPolicy(input({ grants: [{ packageId: "p2", hostNetwork: true, caps: ["NET_RAW", "NET_ADMIN"] }] }));
  assert.deepEqual([other.hostNetwork, other.caps], [false, []]);
});

test("namespace and package grants are united; capabilities come out once, in the fixed order", () => {
  const p = runPolicy(
    input({
      grants: [
        { packageId: null, hostNetwork: false, caps: ["NET_BIND_SERVICE", "NET_RAW"] },
        { packageId: "p1", hostNetwork: true, caps: ["NET_RAW", "NET_ADMIN"] },
      ],
    }),
  );
  assert.equal(p.hostNetwork, true);
  assert.deepEqual(p.caps, ["NET_RAW", "NET_ADMIN", "NET_BIND_SERVICE"]);
});

test("a capability outside GRANTABLE_CAPS in a stored row is never passed on", () => {
  const p = runPolicy(input({ grants: [{ packageId: null, hostNetwork: false, caps: ["SYS_ADMIN", "ALL", "net_raw", "NET_RAW"] }] }));
  assert.deepEqual(p.caps, ["NET_RAW"]);
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
  assert.deepEqual(missingPrivileges({ hostNetwork: true, caps: [] }, { hostNetwork: false, caps: [] }), { hostNetwork: true, caps: [] });
  assert.deepEqual(missingPrivileges({ hostNetwork: true, caps: [] }, { hostNetwork: true, caps: [] }), { hostNetwork: false, caps: [] });
  assert.deepEqual(missingPrivileges({ hostNetwork: false, caps: ["NET_ADMIN", "NET_RAW"] }, { hostNetwork: true, caps: ["NET_RAW"] }), { hostNetwork: false, caps: ["NET_ADMIN"] });
  assert.deepEqual(missingPrivileges({ hostNetwork: false, caps: ["SYS_ADMIN"] }, { hostNetwork: false, caps: [] }), { hostNetwork: false, caps: ["SYS_ADMIN"] });
  assert.deepEqual(missingPrivileges({ hostNetwork: false, caps: [] }, { hostNetwork: false, caps: [] }), { hostNetwork: false, caps: [] });
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

const dep = (over: Partial<import("./run-policy.ts").RunDependency> = {}) => ({
  namespace: "bob",
  name: "tool",
  packageId: "p2",
  imageId: "sha256:pinned",
  grants: [] as { packageId: string | null; hostNetwork: boolean; caps: string[] }[],
  ...over,
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

test("dependencies: each gets the grant of its own namespace and package, never the run's or another package's", () => {
  const p = runPolicy(
    input({
      grants: [{ packageId: null, hostNetwork: true, caps: ["NET_ADMIN"] }],
      dependencies: [
        dep({ grants: [{ packageId: null, hostNetwork: true, caps: [] }, { packageId: "p9", hostNetwork: false, caps: ["NET_RAW"] }] }),
        dep({ namespace: "Carol", name: "Scan", packageId: "p3", grants: [{ packageId: "p3", hostNetwork: false, caps: ["NET_RAW", "BOGUS"] }] }),
        dep({ namespace: "dave", name: "none", packageId: "p4" }),
      ],
    }),
  );
  assert.deepEqual(p.packages, {
    "bob.tool": { hostNetwork: true, caps: [] },
    "carol.scan": { hostNetwork: false, caps: ["NET_RAW"] },
    "dave.none": { hostNetwork: false, caps: [] },
  });
  assert.deepEqual([p.hostNetwork, p.caps], [true, ["NET_ADMIN"]], "the run's own grant is unchanged");
  assert.equal(runPolicy(input()).packages, undefined, "no dependencies: no package grants");
});

test("aliases and pull registries come from the settings; empty ones are left out", () => {
  const p = runPolicy(input({ settings: { ...settings, imageAliases: { "alpine:latest": "levhub/python:bookworm" }, pullRegistries: ["127.0.0.1:5000", "127.0.0.1:5000"] } }));
  assert.deepEqual(p.images.aliases, { "alpine:latest": "levhub/python:bookworm" });
  assert.deepEqual(p.images.pull, ["127.0.0.1:5000"]);
  const none = runPolicy(input({ settings: { ...settings, imageAliases: {}, pullRegistries: [] } }));
  assert.deepEqual(none.images, { refs: {}, base: settings.baseImages, any: false });
});
